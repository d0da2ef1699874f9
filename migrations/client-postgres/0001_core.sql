-- A client's own database on PostgreSQL: seed 000's schema `core`. Times are
-- epoch milliseconds, as in the main database.
CREATE SCHEMA IF NOT EXISTS core;

CREATE TABLE core.users (
    user_id    BIGINT  PRIMARY KEY,
    user_name  TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    is_active  BOOLEAN NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE core.user_modules (
    user_id     BIGINT  NOT NULL REFERENCES core.users (user_id) ON DELETE CASCADE,
    module_name TEXT    NOT NULL,
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (user_id, module_name)
);
