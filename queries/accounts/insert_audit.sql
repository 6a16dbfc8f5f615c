-- One entry of the audit trail: when, who, what, detail, from where.
INSERT INTO audit_log (id, "at", login, action, detail, remote)
VALUES (nextval('audit_id'), $1, $2, $3, $4, $5);
