// Schemas of the auth module (filled in by its issue).
export {};
