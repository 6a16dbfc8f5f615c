-- A district's narrative paragraphs of a year per quarter, for the
-- Sachbericht of its final report (Verwendungsnachweis): the current
-- submission of each quarter, in quarter and row order, each paragraph up
-- to Excel's 32,767 characters a cell.
SELECT s.quarter, left(n.paragraph, 32767)
FROM narrative n JOIN current_submissions s ON s.id = n.submission_id
WHERE s.district = $1 AND s.year = $2
ORDER BY s.quarter, n.row_no;
