-- Clients: their owner, the credits ledger, and indexes for the list's sorts.

ALTER TABLE clients ADD COLUMN owner_id BIGINT REFERENCES users (id);

CREATE TABLE credit_ledger (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id     BIGINT NOT NULL REFERENCES clients (id),
    delta         BIGINT NOT NULL,
    balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
    reason        TEXT   NOT NULL,
    actor_id      BIGINT REFERENCES users (id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX credit_ledger_client_idx ON credit_ledger (client_id, id);

CREATE INDEX clients_created_at_idx ON clients (created_at, id);
CREATE INDEX clients_company_name_idx ON clients (company_name, id);
CREATE INDEX clients_last_login_idx ON clients (last_login, id);
