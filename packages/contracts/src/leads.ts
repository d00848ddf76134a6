// Schemas of the leads module (filled in by its issue).
export {};
