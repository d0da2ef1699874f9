-- Users are listed in creation order by id (ids are handed out in the order
-- users are created).
DROP INDEX users_created_idx;
DROP INDEX users_company_created_idx;
DROP INDEX users_role_idx;
-- (users_company_idx, on (company_id, id), is the foundation's.)
CREATE INDEX users_role_idx ON users (role, id);

-- One searched text instead of three: a single trigram index to read, and
-- statistics of its own, from which the planner tells a common term (walk the
-- newest users until the page is full) from a rare one (the trigram index).
-- The fields are kept apart by \x01 so that no term matches across two.
DROP INDEX users_name_trgm_idx;
DROP INDEX users_username_trgm_idx;
DROP INDEX users_email_trgm_idx;
ALTER TABLE users ADD COLUMN search_text TEXT GENERATED ALWAYS AS (
    LOWER(name) || E'\x01' || LOWER(username) || E'\x01' || LOWER(COALESCE(email, ''))
) STORED;
ALTER TABLE users ALTER COLUMN search_text SET STATISTICS 1000;
CREATE INDEX users_search_trgm_idx ON users USING gin (search_text gin_trgm_ops);
ANALYZE users;
