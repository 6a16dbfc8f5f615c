-- Records what the file at $1 was rendered from: fingerprint $2, its size
-- $3 and modification time $4 (nanoseconds since 1970) as written, the
-- feedback step's note $5 (JSON; NULL: none).
INSERT OR REPLACE INTO rendered_files (path, fingerprint, size_bytes, mod_time_ns, note) VALUES ($1, $2, $3, $4, $5);
