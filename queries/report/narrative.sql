SELECT s.district, n.paragraph
FROM narrative n JOIN current_submissions s ON s.id = n.submission_id
WHERE s.year = $1 AND s.quarter BETWEEN $2 AND $3
ORDER BY s.district, s.quarter, n.row_no;
