-- id: DISTRICT_CAP
-- severity: info
-- message_de: {rate_pct} der zuwendungsfähigen Ausgaben abzüglich Einnahmen ({net}) wären {computed}; die Zuwendung ist auf {capped} begrenzt (Bewilligung {approved}, Höchstbetrag {cap}).
-- message_en: {rate_pct} of the eligible expenditure less income ({net}) would be {computed}; the grant is capped at {capped} (approved {approved}, cap {cap}).
-- For the latest quarter of each district and year.
WITH latest AS (
    SELECT district, year, max(quarter) AS quarter, arg_max(id, quarter) AS id
    FROM current_submissions GROUP BY district, year
),
net AS (
    SELECT l.*, (SELECT coalesce(sum(e.amount), 0) FROM eligible_sums e WHERE e.district = l.district AND e.year = l.year)
              - (SELECT coalesce(sum(i.amount), 0) FROM income_sums i WHERE i.district = l.district AND i.year = l.year) AS net
    FROM latest l
)
SELECT e.district, e.year, e.quarter, e.id AS submission_id, CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, CAST(e.net AS DECIMAL(18,2)) AS net,
       CAST(round(y.funding_rate * e.net, 2) AS DECIMAL(18,2)) AS computed,
       CAST(least(d.approved, y.district_cap) AS DECIMAL(18,2)) AS capped,
       d.approved, y.district_cap AS cap, CAST(100 * y.funding_rate AS DECIMAL(9,2)) AS rate_pct
FROM net e
JOIN cfg_years y ON y.year = e.year
JOIN cfg_districts d ON d.year = e.year AND d.ags = e.district
WHERE round(y.funding_rate * e.net, 2) > least(d.approved, y.district_cap)
