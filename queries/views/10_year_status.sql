-- Whether a district's budget year is settled as of the run's day
-- (FUNDING_RULES.md, "provisional until settled"): the year is over and its
-- fourth quarter is in, or the final report's deadline has passed. Until
-- then every figure is provisional: payouts are advances, a positive
-- balance is "currently more paid out than the grant so far", and
-- FUNDING_RATE is at most a warning. Once settled, the grant is fixed and
-- the balance is a repayment claim or an additional payment.
CREATE OR REPLACE VIEW year_status AS
SELECT d.ags AS district, d.year,
       c.as_of > make_date(d.year, 12, 31)
       AND (c.as_of > y.final_report_deadline
            OR EXISTS (SELECT 1 FROM current_submissions s WHERE s.district = d.ags AND s.year = d.year AND s.quarter = 4)) AS settled
FROM cfg_districts d JOIN cfg_years y ON y.year = d.year, run_context c;
