// Schemas of the payments module (filled in by its issue).
export {};
