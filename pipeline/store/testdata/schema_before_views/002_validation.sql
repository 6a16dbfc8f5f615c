-- Checking the data against the funding rules, and the grant computation.
--
-- The cfg_* tables hold the programme configuration as the rules see it:
-- they are rewritten from the configuration file at the start of every
-- validation run, so the rules never hold a literal. Rates are fractions
-- (0.9000 for 90 %).

CREATE TABLE cfg_years (
    year                  INTEGER PRIMARY KEY,
    state_budget          DECIMAL(18,2) NOT NULL,
    district_cap          DECIMAL(18,2) NOT NULL,
    max_coordinators      INTEGER NOT NULL,
    funding_rate          DECIMAL(9,6) NOT NULL,
    post_cap_per_fte      DECIMAL(18,2) NOT NULL,   -- 0 = off
    line_tolerance        DECIMAL(9,6) NOT NULL,
    spending_window_days  INTEGER NOT NULL,
    interest_rate         DECIMAL(9,6) NOT NULL,    -- base rate + points above base, per year
    underspending         DECIMAL(9,6) NOT NULL,
    final_report_deadline DATE NOT NULL
);

CREATE TABLE cfg_deadlines (
    year     INTEGER NOT NULL,
    quarter  INTEGER NOT NULL,
    deadline DATE NOT NULL
);

CREATE TABLE cfg_categories (
    year    INTEGER NOT NULL,
    code    VARCHAR NOT NULL,
    name_de VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    ord     INTEGER NOT NULL
);

CREATE TABLE cfg_districts (
    year        INTEGER NOT NULL,
    ags         VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    population  INTEGER NOT NULL,
    approved    DECIMAL(18,2) NOT NULL,
    plan_total  DECIMAL(18,2) NOT NULL,
    file_number VARCHAR
);

CREATE TABLE cfg_plan (
    year     INTEGER NOT NULL,
    ags      VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    amount   DECIMAL(18,2) NOT NULL
);

-- Payouts from the configuration file (rewritten every run).
CREATE TABLE cfg_payouts (
    year        INTEGER NOT NULL,
    ags         VARCHAR NOT NULL,
    payout_date DATE NOT NULL,
    amount      DECIMAL(18,2) NOT NULL,
    reference   VARCHAR
);

-- Payouts imported from the state's accounting system (kept).
CREATE TABLE imported_payouts (
    reference   VARCHAR PRIMARY KEY,
    ags         VARCHAR NOT NULL,
    payout_date DATE NOT NULL,
    amount      DECIMAL(18,2) NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row  INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL
);

-- The day the rules look from (deadlines passed, payouts due), one row.
CREATE TABLE run_context (
    as_of DATE NOT NULL
);

-- Receipts with an error finding from a line rule of the current run (or a
-- reading error): not eligible.
CREATE TABLE run_line_errors (
    submission_id BIGINT NOT NULL,
    row_no        INTEGER NOT NULL
);

-- Every validation run, kept so that earlier runs stay readable.
CREATE SEQUENCE validation_run_id START 1;
CREATE TABLE validation_runs (
    id          BIGINT PRIMARY KEY,
    started_at  TIMESTAMP NOT NULL,
    as_of       DATE NOT NULL,
    rule_set    VARCHAR NOT NULL,   -- sha256 over the rule files, in order
    rules       VARCHAR NOT NULL,   -- the rule ids, comma-separated
    year        INTEGER,            -- the filter asked for, NULL = all
    quarter     INTEGER
);

CREATE TABLE findings (
    run_id        BIGINT NOT NULL,
    seq           INTEGER NOT NULL,
    rule          VARCHAR NOT NULL,
    severity      VARCHAR NOT NULL,
    district      VARCHAR,
    year          INTEGER,
    quarter       INTEGER,
    submission_id BIGINT,
    file          VARCHAR,
    sheet         VARCHAR,
    cell          VARCHAR,
    row_no        INTEGER,
    message_de    VARCHAR NOT NULL,
    message_en    VARCHAR NOT NULL
);

-- through_quarter: the figures from 1 January to the end of that quarter
-- (payouts up to the quarter's end or the as-of day, whichever is earlier);
-- 0: the whole year as of the run's as-of day.
CREATE TABLE grant_figures (
    run_id           BIGINT NOT NULL,
    district         VARCHAR NOT NULL,
    year             INTEGER NOT NULL,
    through_quarter  INTEGER NOT NULL,
    approved         DECIMAL(18,2) NOT NULL,
    eligible         DECIMAL(18,2) NOT NULL,
    fundable         DECIMAL(18,2) NOT NULL,
    paid             DECIMAL(18,2) NOT NULL,
    balance          DECIMAL(18,2) NOT NULL,   -- paid - fundable: > 0 to be repaid, < 0 still to be paid
    interest_at_risk DECIMAL(18,2) NOT NULL
);

CREATE TABLE grant_categories (
    run_id          BIGINT NOT NULL,
    district        VARCHAR NOT NULL,
    year            INTEGER NOT NULL,
    through_quarter INTEGER NOT NULL,
    category VARCHAR NOT NULL,
    eligible DECIMAL(18,2) NOT NULL
);

-- The submissions that count: accepted and not replaced by a later one.
CREATE VIEW current_submissions AS
SELECT * FROM submissions WHERE outcome = 'accepted' AND superseded_by IS NULL;

-- Receipts of current submissions, with their submission's district, year
-- and quarter.
CREATE VIEW current_receipts AS
SELECT r.*, s.district, s.year, s.quarter, s.file_name, s.received_at
FROM receipts r JOIN current_submissions s ON s.id = r.submission_id;

-- Receipts that pass every line rule: what the grant is computed from. A
-- run sums them into the table eligible_sums once its line rules are done
-- (see refresh_eligible.sql).
CREATE VIEW eligible_receipts AS
SELECT r.submission_id, r.sheet, r.row_no, r.district, r.year, r.quarter, r.category, r.amount, r.payment_date
FROM current_receipts r
WHERE r.amount IS NOT NULL AND r.category IS NOT NULL AND r.payment_date IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM run_line_errors e WHERE e.submission_id = r.submission_id AND e.row_no = r.row_no)
  AND NOT EXISTS (SELECT 1 FROM submission_findings f
                  WHERE f.submission_id = r.submission_id AND f.row_no = r.row_no
                    AND f.sheet = r.sheet AND f.severity = 'error');

-- The eligible spending of the latest run, summed per district, year,
-- quarter, category and day of payment: all the rules, the grant
-- computation and the reports need of it, a few thousand rows however many
-- receipts there are.
CREATE TABLE eligible_sums (
    district      VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    quarter       INTEGER NOT NULL,
    category      VARCHAR NOT NULL,
    payment_date  DATE NOT NULL,
    amount        DECIMAL(18,2) NOT NULL,
    lines         BIGINT NOT NULL
);

-- All payouts, from the configuration and imported.
CREATE VIEW all_payouts AS
SELECT year, ags, payout_date, amount, coalesce(reference, '') AS reference FROM cfg_payouts
UNION ALL
SELECT year(payout_date) AS year, ags, payout_date, amount, reference FROM imported_payouts;

-- The payout coverage of the latest run (see the view below).
CREATE TABLE run_payout_coverage (
    year           INTEGER,
    ags            VARCHAR,
    payout_date    DATE,
    reference      VARCHAR,
    amount         DECIMAL(18,2),
    due            DATE,
    unspent_at_due DECIMAL(18,2),
    interest       DECIMAL(18,2),
    days_open      BIGINT,
    is_due         BOOLEAN
);

-- For each payout made by the as-of day: how much of it was not yet spent on
-- eligible costs when it was due (spending window after the payout), and
-- the interest at risk on that part, day by day until it was spent or until
-- the as-of day. Payouts are covered in date order by the grant's share
-- (funding rate) of eligible payments, cumulated over the year.
CREATE VIEW payout_coverage AS
WITH ctx AS (SELECT as_of FROM run_context),
p AS (
    SELECT ap.year, ap.ags, ap.payout_date, ap.reference, ap.amount,
           sum(ap.amount) OVER (PARTITION BY ap.year, ap.ags ORDER BY ap.payout_date, ap.reference
                                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_paid,
           ap.payout_date + y.spending_window_days AS due,
           y.funding_rate, y.interest_rate
    FROM all_payouts ap JOIN cfg_years y ON y.year = ap.year, ctx
    WHERE ap.payout_date <= ctx.as_of
),
spend AS (
    SELECT district AS ags, year, payment_date,
           sum(sum(amount)) OVER (PARTITION BY district, year ORDER BY payment_date) AS cum_spent
    FROM eligible_sums
    GROUP BY district, year, payment_date
),
at_due AS (
    SELECT p.*, coalesce(s.cum_spent, 0) AS spent_by_due
    FROM p ASOF LEFT JOIN spend s ON s.ags = p.ags AND s.year = p.year AND s.payment_date <= p.due
),
days AS (
    SELECT a.year, a.ags, a.payout_date, a.reference, a.amount, a.cum_paid, a.funding_rate, a.interest_rate,
           CAST(unnest(range(CAST(a.due + 1 AS TIMESTAMP), CAST(ctx.as_of + 1 AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS day
    FROM at_due a, ctx
    WHERE a.due < ctx.as_of
),
uncovered AS (
    SELECT d.year, d.ags, d.payout_date, d.reference,
           greatest(0, least(d.amount, d.cum_paid - round(d.funding_rate * coalesce(s.cum_spent, 0), 2))) AS open_amount,
           d.interest_rate
    FROM days d ASOF LEFT JOIN spend s ON s.ags = d.ags AND s.year = d.year AND s.payment_date <= d.day
),
interest AS (
    SELECT year, ags, payout_date, reference,
           CAST(round(sum(open_amount * interest_rate) / 365, 2) AS DECIMAL(18,2)) AS interest,
           count(*) FILTER (open_amount > 0) AS days_open
    FROM uncovered
    GROUP BY year, ags, payout_date, reference
)
SELECT a.year, a.ags, a.payout_date, a.reference, a.amount, a.due,
       CAST(greatest(0, least(a.amount, a.cum_paid - round(a.funding_rate * a.spent_by_due, 2))) AS DECIMAL(18,2)) AS unspent_at_due,
       coalesce(i.interest, 0) AS interest,
       coalesce(i.days_open, 0) AS days_open,
       (SELECT as_of FROM ctx) >= a.due AS is_due
FROM at_due a
LEFT JOIN interest i ON i.year = a.year AND i.ags = a.ags AND i.payout_date = a.payout_date AND i.reference = a.reference;

-- Each day of each current submission's quarter, with every coordinator
-- employed that day (for the rules that count by day).
CREATE VIEW coordinator_days AS
WITH q AS (
    SELECT id, district, year, quarter, make_date(year, 3 * quarter - 2, 1) AS qstart
    FROM current_submissions
),
days AS (
    SELECT q.*, CAST(unnest(range(CAST(q.qstart AS TIMESTAMP), CAST(q.qstart + INTERVAL 3 MONTH AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS day
    FROM q
)
SELECT d.id AS submission_id, d.district, d.year, d.quarter, d.day, c.sheet, c.row_no, c.coordinator_id, c.fte
FROM days d
JOIN coordinators c ON c.submission_id = d.id AND c.start_date <= d.day AND (c.end_date IS NULL OR c.end_date >= d.day);

-- Eligible spending of each district and year, cumulated up to each quarter
-- it reported, per cost category of the plan, with the plan beside it.
CREATE VIEW period_spending AS
SELECT s.district, s.year, s.quarter, s.id AS submission_id, pl.category, pl.amount AS plan,
       CAST((SELECT coalesce(sum(e.amount), 0) FROM eligible_sums e
             WHERE e.district = s.district AND e.year = s.year AND e.quarter <= s.quarter
               AND e.category = pl.category) AS DECIMAL(18,2)) AS spent
FROM current_submissions s
JOIN cfg_plan pl ON pl.ags = s.district AND pl.year = s.year;
