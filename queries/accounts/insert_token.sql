-- A new API token of an account: user id, sha256 of the token, created at.
INSERT INTO api_tokens (id, user_id, token_hash, created_at)
VALUES (nextval('api_token_id'), $1, $2, $3)
RETURNING id;
