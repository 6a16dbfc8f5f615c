-- Disables (true) or enables (false) the account with this id.
UPDATE users SET disabled = $2 WHERE id = $1;
