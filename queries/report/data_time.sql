-- The reports' timestamp: the latest arrival of a file they draw on.
SELECT max(received_local) FROM submissions WHERE year = $1 AND quarter <= $2;
