-- The latest entries of the audit trail, newest first, at most $1.
SELECT id, "at", login, action, detail, remote
FROM audit_log
ORDER BY id DESC
LIMIT $1;
