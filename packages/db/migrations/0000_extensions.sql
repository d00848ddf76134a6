-- Trigram indexes back case-insensitive substring search on names, phones, e-mails and account numbers.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
