-- The account with this login, compared case-insensitively (logins are
-- unique that way; there is no index, see schema/010_accounts.sql).
SELECT id, login, role, coalesce(district, ''), password_hash, disabled, created_at, password_set_at, one_time
FROM users
WHERE lower(login) = lower($1);
