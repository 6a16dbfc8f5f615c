-- Records that a file's findings could not be marked in the file itself, as
-- a finding of the file after its reading findings ($2 rule, $3 severity,
-- $4 message key, $5 and $6 the message in German and English). The caller
-- clears the earlier one first (clear_failure.sql), so a rerun keeps one.
INSERT INTO submission_findings (submission_id, seq, rule, severity, sheet, cell, row_no, message_key, message_de, message_en)
SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, NULL, NULL, NULL, $4, $5, $6
FROM submission_findings
WHERE submission_id = $1;
