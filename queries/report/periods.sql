-- The periods that have data: every quarter with an accepted submission,
-- per year.
SELECT DISTINCT year, quarter FROM submissions WHERE outcome = 'accepted' ORDER BY year, quarter;
