-- Forgets a file's FEEDBACK finding ($2 is the rule id).
DELETE FROM submission_findings WHERE submission_id = $1 AND rule = $2;
