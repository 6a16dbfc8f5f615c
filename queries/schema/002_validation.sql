-- Checking the data against the funding rules, and the grant computation.
--
-- Tables only: the views the rules read (current_submissions,
-- eligible_receipts, payout_coverage …) are code, in queries/views, created
-- by the store every time it opens for writing. Until issue 11 this file held
-- them too; installations that applied that text are accepted by its
-- checksum (see earlierChecksums in pipeline/store/store.go).
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

-- The payout coverage of the latest run (see views/06_payout_coverage.sql).
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
