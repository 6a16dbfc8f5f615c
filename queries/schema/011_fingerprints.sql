-- What each report and feedback workbook was made from (issue 15), so that a
-- run renders only the documents whose inputs changed, and what each
-- validation run checked, so that a run with nothing new checks nothing.
--
-- rendered_files: one row per file written, by its absolute path. The
-- fingerprint is a sha256 over what the document is made from (see
-- report.Fingerprints and feedback's plan); size and modification time are
-- the file's as written, so a file altered or replaced on disk is rendered
-- again. note is what the feedback step recorded about the file (a JSON
-- store.Note, when its findings could not be marked in it), kept so that a
-- workbook not rendered again keeps its note.
--
-- validation_inputs: the fingerprint of what a validation run read (the
-- stored submissions and their reading findings, the imported payouts, the
-- configuration, the rules, the as-of day and grantpipe itself).
--
-- No index beyond the primary keys: a few thousand rows, written in one
-- transaction per run.
CREATE TABLE rendered_files (
    path        VARCHAR PRIMARY KEY,
    fingerprint VARCHAR NOT NULL,
    size_bytes  BIGINT NOT NULL,
    mod_time_ns BIGINT NOT NULL,
    note        VARCHAR
);

CREATE TABLE validation_inputs (
    run_id      BIGINT PRIMARY KEY,
    fingerprint VARCHAR NOT NULL
);
