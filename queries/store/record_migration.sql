INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES ($1, $2, $3, $4);
