-- Revokes every valid token of the account with this id, as of $2.
UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL;
