-- When a user took its e-mail address (NULL: at its creation). Sign-in by an
-- address several users hold checks the ones that took it first
-- (docs/decisions/0023), so a user given the address later never pushes an
-- earlier holder out.
ALTER TABLE users ADD COLUMN email_since BIGINT;
