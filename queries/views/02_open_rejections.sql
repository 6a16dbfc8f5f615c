-- Rejected files not yet answered: no accepted submission from the same
-- district (the one the file names, else the inbox it came through) was
-- received after it. The rules FORMAT, PERIOD and DISTRICT_UNKNOWN show what
-- was found in these files until such a submission arrives.
CREATE OR REPLACE VIEW open_rejections AS
SELECT * FROM submissions s
WHERE s.outcome = 'rejected'
  AND NOT EXISTS (
      SELECT 1 FROM submissions later
      WHERE later.outcome = 'accepted' AND later.received_at > s.received_at
        AND later.district = coalesce(s.district, s.inbox_district));
