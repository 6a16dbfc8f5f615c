-- The other accepted submissions of district $1 and year $2 (replaced ones
-- included) than submission $3: where a claim of $3 may have been made
-- before.
SELECT id FROM submissions
WHERE outcome = 'accepted' AND district = $1 AND year = $2 AND id <> $3
ORDER BY id;
