-- Districts that sent rejected files for a year and quarter: the sender (the
-- inbox folder a file came through) where known, else the district it names.
SELECT DISTINCT coalesce(inbox_district, district) FROM submissions WHERE outcome = 'rejected' AND year = $1 AND quarter = $2;
