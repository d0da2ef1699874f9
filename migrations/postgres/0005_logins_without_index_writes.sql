-- A login writes `last_login` on the user and on its client (decision 0015).
-- On PostgreSQL an UPDATE that changes no indexed column, and finds room on
-- the row's page, is a heap-only (HOT) update: no entry in any of the table's
-- indexes. With `last_login` indexed, every login wrote an entry into each of
-- the users' ten indexes (the trigram index among them) and the client's
-- five. Sorting by last login now reads the table instead (SQLite, which only
-- touches the indexes whose columns changed, keeps its indexes).
DROP INDEX users_last_login_idx;
DROP INDEX clients_last_login_idx;
-- Room on each page for the updated row (new pages; old ones as rows move).
ALTER TABLE users SET (fillfactor = 90);
ALTER TABLE clients SET (fillfactor = 90);
