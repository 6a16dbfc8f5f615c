-- Per validation run, like eligible_sums: the counted income summed per
-- district, year, quarter and type, and whether each district's year is
-- settled, as tables the grant computation (five times a run) and the
-- rules read, instead of evaluating the views behind them each time.
CREATE TABLE income_sums (
    district     VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    quarter      INTEGER NOT NULL,
    income_type  VARCHAR NOT NULL,
    amount       DECIMAL(18,2) NOT NULL,
    lines        BIGINT NOT NULL
);

CREATE TABLE run_year_status (
    district VARCHAR NOT NULL,
    year     INTEGER NOT NULL,
    settled  BOOLEAN NOT NULL
);
