// Schemas of the audit module (filled in by its issue).
export {};
