-- The submissions that count as of the run's day (as_of in run_context):
-- accepted, received by the end of that day (received_local, the
-- programme's wall clock), and of those the one received last for its
-- district and quarter (the order ingest/supersede.sql keeps). A file
-- received after the day neither counts nor replaces one: as of a day
-- between B and C, B counts although C replaced it since, so superseded_by
-- reads NULL here. Without a run day yet (no validation), every file counts.
CREATE OR REPLACE VIEW current_submissions AS
WITH ctx AS (SELECT coalesce(max(as_of), DATE '9999-12-31') AS as_of FROM run_context)
SELECT s.* REPLACE (CAST(NULL AS BIGINT) AS superseded_by)
FROM submissions s, ctx
WHERE s.outcome = 'accepted' AND CAST(s.received_local AS DATE) <= ctx.as_of
QUALIFY row_number() OVER (PARTITION BY s.district, s.year, s.quarter ORDER BY s.received_at DESC, s.id DESC) = 1;
