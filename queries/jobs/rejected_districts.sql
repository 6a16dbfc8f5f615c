-- Districts that sent only rejected files for a year and quarter.
SELECT DISTINCT coalesce(district, inbox_district) FROM submissions WHERE outcome = 'rejected' AND year = $1 AND quarter = $2;
