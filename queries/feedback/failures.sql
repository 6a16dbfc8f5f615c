-- The FEEDBACK findings recorded so far: files whose findings could not be
-- marked in the file itself.
SELECT submission_id, message_key, message_de, message_en
FROM submission_findings
WHERE rule = $1
ORDER BY submission_id, seq;
