-- Clientele foundation schema (SQLite). Times are epoch milliseconds (BIGINT).

CREATE TABLE clients (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_number   TEXT    NOT NULL,
    company_name     TEXT    NOT NULL,
    contact_email    TEXT    NOT NULL,
    contact_name     TEXT,
    phone_number     TEXT,
    whatsapp_number  TEXT,
    business_address TEXT,
    business_type    TEXT,
    gst_number       TEXT,
    website          TEXT,
    lead_status      TEXT    NOT NULL DEFAULT 'lead',
    notes            TEXT,
    credits          BIGINT  NOT NULL DEFAULT 0 CHECK (credits >= 0),
    is_active        BOOLEAN NOT NULL DEFAULT TRUE,
    last_login       BIGINT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE UNIQUE INDEX clients_account_number_key ON clients (account_number);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id           BIGINT REFERENCES clients (id),
    name                 TEXT    NOT NULL,
    username             TEXT    NOT NULL,
    email                TEXT,
    role                 TEXT    NOT NULL CHECK (role IN ('super_admin', 'admin', 'client_admin', 'user')),
    permissions          BIGINT  NOT NULL DEFAULT 0,
    password_hash        TEXT    NOT NULL,
    is_active            BOOLEAN NOT NULL DEFAULT TRUE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    created_by           BIGINT REFERENCES users (id),
    last_login           BIGINT,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE UNIQUE INDEX users_company_email_key ON users (COALESCE(company_id, 0), email) WHERE email IS NOT NULL;
CREATE INDEX users_company_idx ON users (company_id, id);
CREATE INDEX users_email_idx ON users (email);

-- A login session: one chain ("family") of rotating refresh tokens.
CREATE TABLE sessions (
    id         TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Refresh tokens are stored as SHA-256 hashes only.
CREATE TABLE refresh_tokens (
    token_hash TEXT   PRIMARY KEY,
    session_id TEXT   NOT NULL REFERENCES sessions (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

CREATE TABLE activity_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             BIGINT NOT NULL,
    actor_id       BIGINT,
    actor_username TEXT,
    company_id     BIGINT,
    action         TEXT   NOT NULL,
    target_type    TEXT,
    target_id      TEXT,
    target_label   TEXT,
    changes        TEXT,
    ip             TEXT,
    request_id     TEXT
);
CREATE INDEX activity_at_idx ON activity_log (at);
CREATE INDEX activity_company_idx ON activity_log (company_id, at);
CREATE INDEX activity_actor_idx ON activity_log (actor_id, at);
CREATE INDEX activity_action_idx ON activity_log (action, at);

-- Brute-force protection: failures per key (account, account+address, address).
CREATE TABLE login_throttle (
    key          TEXT    PRIMARY KEY,
    failures     BIGINT  NOT NULL,
    last_failure BIGINT  NOT NULL,
    locked_until BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX login_throttle_last_failure_idx ON login_throttle (last_failure);
