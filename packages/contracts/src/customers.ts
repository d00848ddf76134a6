// Schemas of the customers module (filled in by its issue).
export {};
