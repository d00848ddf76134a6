// Schemas of the dashboard module (filled in by its issue).
export {};
