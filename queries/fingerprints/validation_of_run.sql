-- The fingerprint of what validation run $1 read; no row when it was not
-- recorded (a run of an earlier version).
SELECT fingerprint FROM validation_inputs WHERE run_id = $1;
