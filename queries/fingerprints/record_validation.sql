-- Records what validation run $1 read ($2, a fingerprint).
INSERT OR REPLACE INTO validation_inputs (run_id, fingerprint) VALUES ($1, $2);
