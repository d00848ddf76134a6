// Schemas of the activities module (filled in by its issue).
export {};
