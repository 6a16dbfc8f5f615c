-- The account whose valid (not revoked) token has this sha256.
SELECT u.id, u.login, u.role, coalesce(u.district, ''), u.password_hash, u.disabled, u.created_at, u.password_set_at, u.one_time
FROM api_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL;
