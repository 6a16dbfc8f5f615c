-- The submissions that count: accepted and not replaced by a later one.
CREATE OR REPLACE VIEW current_submissions AS
SELECT * FROM submissions WHERE outcome = 'accepted' AND superseded_by IS NULL;
