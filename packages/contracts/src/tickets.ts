// Schemas of the tickets module (filled in by its issue).
export {};
