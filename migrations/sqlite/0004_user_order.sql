-- Users are listed in creation order by id (ids are handed out in the order
-- users are created), which is also the order of the search index's rows: a
-- searched page in creation order reads only as many matches as it shows.
DROP INDEX users_created_idx;
DROP INDEX users_company_created_idx;
DROP INDEX users_role_idx;
-- (users_company_idx, on (company_id, id), is the foundation's. An SQLite
-- index ends in the rowid, the id: users_role_idx is in id order too.)
CREATE INDEX users_role_idx ON users (role);
