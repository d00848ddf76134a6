// Schemas of the subscriptions module (filled in by its issue).
export {};
