-- Each client's own database (docs/decisions/0027): its sync state, and the
-- outbox of changes still to apply to it, written in the same transaction as
-- the change itself. A row stands for "bring this user (or every user, or the
-- whole store) in line with the main database"; applied rows are deleted.
CREATE TABLE client_stores (
    client_id       BIGINT  PRIMARY KEY REFERENCES clients (id),
    -- The client store's last migration applied (0: not provisioned yet).
    schema_version  BIGINT  NOT NULL DEFAULT 0,
    last_applied_at BIGINT,
    last_error      TEXT,
    failures        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL DEFAULT 0,
    -- The instance applying this client's changes now, and until when.
    lease_owner     TEXT,
    lease_until     BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE client_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id  BIGINT  NOT NULL REFERENCES clients (id),
    -- provision | user | all_users
    kind       TEXT    NOT NULL,
    user_id    BIGINT,
    created_at BIGINT  NOT NULL
);
CREATE INDEX client_outbox_client_idx ON client_outbox (client_id, id);

-- Clients that exist already get their stores too, in the background.
INSERT INTO client_stores (client_id) SELECT id FROM clients;
INSERT INTO client_outbox (client_id, kind, created_at)
    SELECT id, 'provision', CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM clients ORDER BY id;
