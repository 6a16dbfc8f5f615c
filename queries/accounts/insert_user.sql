-- A new account: login, role, district (NULL unless role district),
-- password hash, created at (also when its password was set), one-time.
INSERT INTO users (id, login, role, district, password_hash, disabled, created_at, password_set_at, one_time)
VALUES (nextval('user_id'), $1, $2, nullif($3, ''), $4, false, $5, $5, $6)
RETURNING id;
