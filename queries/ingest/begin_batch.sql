-- Settings for a batch of submissions written one after another (the
-- store's IngestBatch; end_batch.sql undoes them). Both are global: SET
-- takes no parameters.
--
-- The write-ahead log may grow to 1 GB before DuckDB checkpoints on its own
-- (the batch ends with one CHECKPOINT). At the default 16 MB a batch
-- checkpointed every few files, and each checkpoint recompressed the string
-- columns of the table's open row group: 40–47 % of the writer's time
-- (issue 15). Every commit still syncs the log, so nothing committed is lost
-- when the process is killed; the next open replays it.
SET GLOBAL checkpoint_threshold = '1GB';
-- One DuckDB thread: the batch's statements are small (an insert, a lookup
-- by hash, appends of a few thousand rows), and a second thread only
-- spins waiting for tasks: with two the same batch took 1.2–1.5× the CPU
-- time, on a machine whose other core is reading workbooks.
SET GLOBAL threads = 1;
