-- Who may use a module: a client's application asks by module.
CREATE INDEX user_modules_module_idx ON user_modules (module_name, user_id);
