-- === hand-written (issue 13, the user cache): not in the Drizzle schema ===
-- Every committed change to a user (role, status, sessions_valid_after on logout or a password
-- change, MFA, a deletion) is announced on the `netflow_users` channel with the user's id, so each
-- API instance evicts its cached row at once (apps/api/src/modules/auth/user-cache.ts). NOTIFY is
-- transactional: listeners hear it only when the change commits.
CREATE OR REPLACE FUNCTION netflow_users_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('netflow_users', OLD.id::text);
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER users_notify AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION netflow_users_notify();
