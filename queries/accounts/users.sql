-- Every account, by login.
SELECT id, login, role, coalesce(district, ''), password_hash, disabled, created_at, password_set_at, one_time
FROM users
ORDER BY lower(login), id;
