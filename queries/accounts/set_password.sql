-- A new password hash for the account with this id: when it was set, and
-- whether it must be changed at the next login.
UPDATE users SET password_hash = $2, password_set_at = $3, one_time = $4 WHERE id = $1;
