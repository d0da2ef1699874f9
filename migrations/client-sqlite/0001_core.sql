-- A client's own database on SQLite: attach it as `core` to have seed 000's
-- core.users and core.user_modules. Times are epoch milliseconds, as in the
-- main database.
CREATE TABLE users (
    user_id    BIGINT  PRIMARY KEY,
    user_name  TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    is_active  BOOLEAN NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE user_modules (
    user_id     BIGINT  NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    module_name TEXT    NOT NULL,
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (user_id, module_name)
);
