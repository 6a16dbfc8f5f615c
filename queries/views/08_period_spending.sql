-- Eligible spending of each district and year, cumulated up to each quarter
-- it reported, per cost category of the plan, with the plan beside it.
CREATE OR REPLACE VIEW period_spending AS
SELECT s.district, s.year, s.quarter, s.id AS submission_id, pl.category, pl.amount AS plan,
       CAST((SELECT coalesce(sum(e.amount), 0) FROM eligible_sums e
             WHERE e.district = s.district AND e.year = s.year AND e.quarter <= s.quarter
               AND e.category = pl.category) AS DECIMAL(18,2)) AS spent
FROM current_submissions s
JOIN cfg_plan pl ON pl.ags = s.district AND pl.year = s.year;
