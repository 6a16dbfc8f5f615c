-- The narrative paragraphs, each up to Excel's 32,767 characters a cell.
SELECT s.district, left(n.paragraph, 32767)
FROM narrative n JOIN current_submissions s ON s.id = n.submission_id
WHERE s.year = $1 AND s.quarter BETWEEN $2 AND $3
ORDER BY s.district, s.quarter, n.row_no;
