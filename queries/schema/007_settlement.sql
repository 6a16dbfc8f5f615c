-- The year-end settlement (issue 13).
--
-- The grant is the grant: the column the grant computation fills is named
-- after it (it was "fundable", a word German grant law does not use). The
-- figures gain the income that lowers the grant, the planned income beside
-- it, and whether the year was settled as of the run's day (then the grant
-- is fixed and the balance a repayment claim or an additional payment).
ALTER TABLE grant_figures RENAME COLUMN fundable TO "grant";
ALTER TABLE grant_figures ADD COLUMN income DECIMAL(18,2) DEFAULT 0;
ALTER TABLE grant_figures ADD COLUMN planned_income DECIMAL(18,2) DEFAULT 0;
ALTER TABLE grant_figures ADD COLUMN settled BOOLEAN DEFAULT false;

-- Planned income per district and year (financing plan), from the
-- configuration; rewritten every run like the other cfg_* rows.
ALTER TABLE cfg_districts ADD COLUMN planned_income DECIMAL(18,2) DEFAULT 0;

-- Interest for a day uses the base rate in force that day (§ 247 BGB: it
-- changes on 1 January and 1 July), plus the year's points above it. The
-- old column interest_rate (one rate per year) is no longer read.
ALTER TABLE cfg_years ADD COLUMN interest_points DECIMAL(9,6) DEFAULT 0;
CREATE TABLE cfg_base_rates (
    valid_from DATE NOT NULL,
    rate       DECIMAL(9,6) NOT NULL   -- a fraction: 0.012700 for 1.27 %
);

-- A line error names its sheet: an error on row 5 of the Einnahmen sheet
-- must not make row 5 of the Belegliste ineligible.
ALTER TABLE run_line_errors ADD COLUMN sheet VARCHAR;

-- The payout ledger of the latest run: when the payout was covered by the
-- grant's share of eligible payments, and what was still open on the run's
-- day.
ALTER TABLE run_payout_coverage ADD COLUMN covered_on DATE;
ALTER TABLE run_payout_coverage ADD COLUMN open_now DECIMAL(18,2);

-- Interest of the latest run as a person checks it: per payout, each
-- period in which the uncovered amount and the rate stayed the same;
-- interest = round(open_amount × rate × days / 365, 2), and a payout's
-- interest is the sum of its periods'.
CREATE TABLE run_interest_periods (
    year        INTEGER NOT NULL,
    ags         VARCHAR NOT NULL,
    payout_date DATE NOT NULL,
    reference   VARCHAR NOT NULL,
    period_from DATE NOT NULL,
    period_to   DATE NOT NULL,
    open_amount DECIMAL(18,2) NOT NULL,
    rate        DECIMAL(9,6) NOT NULL,
    days        INTEGER NOT NULL,
    interest    DECIMAL(18,2) NOT NULL
);
