-- Back to DuckDB's own checkpoint threshold (16 MB) and one thread per core
-- after a batch of submissions (begin_batch.sql).
RESET GLOBAL checkpoint_threshold;
RESET GLOBAL threads;
