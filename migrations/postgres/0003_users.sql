-- Users management: modules, the search index and the list's indexes (PostgreSQL).

-- The module catalogue (seed 000); super admins may add more.
CREATE TABLE modules (
    name       TEXT   PRIMARY KEY,
    label      TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO modules (name, label, created_at) VALUES
    ('billing', 'Billing', 0),
    ('inventory', 'Inventory', 0),
    ('reports', 'Reports', 0),
    ('crm', 'CRM', 0),
    ('whatsapp_reports', 'WhatsApp reports', 0);

-- A client's active modules.
CREATE TABLE client_modules (
    client_id BIGINT NOT NULL REFERENCES clients (id),
    module    TEXT   NOT NULL REFERENCES modules (name),
    PRIMARY KEY (client_id, module)
);

-- A user's own choice of modules, used only when users.custom_modules is set;
-- otherwise the user has all its client's active modules. Either way a user's
-- modules never go beyond its client's active ones.
CREATE TABLE user_modules (
    user_id BIGINT NOT NULL REFERENCES users (id),
    module  TEXT   NOT NULL REFERENCES modules (name),
    PRIMARY KEY (user_id, module)
);
ALTER TABLE users ADD COLUMN custom_modules BOOLEAN NOT NULL DEFAULT FALSE;

-- Substring search over name, username and e-mail: trigram indexes (pg_trgm is
-- a trusted extension, so a database owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_name_trgm_idx ON users USING gin (LOWER(name) gin_trgm_ops);
CREATE INDEX users_username_trgm_idx ON users USING gin (username gin_trgm_ops);
CREATE INDEX users_email_trgm_idx ON users USING gin (LOWER(email) gin_trgm_ops);

-- The list's filters and sorts.
CREATE INDEX users_created_idx ON users (created_at, id);
CREATE INDEX users_company_created_idx ON users (company_id, created_at, id);
CREATE INDEX users_name_idx ON users ((LOWER(name) COLLATE "C"), id);
CREATE INDEX users_username_sort_idx ON users ((username COLLATE "C"));
CREATE INDEX users_last_login_idx ON users (last_login, id);
CREATE INDEX users_role_idx ON users (role, created_at, id);

-- The activity log's target filter.
CREATE INDEX activity_target_idx ON activity_log (target_type, target_id, at);
