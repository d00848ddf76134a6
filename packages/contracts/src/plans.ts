// Schemas of the plans module (filled in by its issue).
export {};
