-- Rejected files not yet answered as of the run's day: received by the end
-- of that day, and no accepted submission from the same district (the one
-- the file names, else the inbox it came through) was received after it by
-- then. The rules FORMAT, PERIOD and DISTRICT_UNKNOWN show what was found
-- in these files until such a submission arrives.
CREATE OR REPLACE VIEW open_rejections AS
WITH ctx AS (SELECT coalesce(max(as_of), DATE '9999-12-31') AS as_of FROM run_context)
SELECT s.* FROM submissions s, ctx
WHERE s.outcome = 'rejected' AND CAST(s.received_local AS DATE) <= ctx.as_of
  AND NOT EXISTS (
      SELECT 1 FROM submissions later
      WHERE later.outcome = 'accepted' AND later.received_at > s.received_at
        AND CAST(later.received_local AS DATE) <= ctx.as_of
        AND later.district = coalesce(s.district, s.inbox_district));
