-- Districts with an accepted submission for a year and quarter.
SELECT DISTINCT district FROM submissions WHERE outcome = 'accepted' AND year = $1 AND quarter = $2;
