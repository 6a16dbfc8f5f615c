-- Ends an ingest batch: writes what the batch committed into the database
-- file and empties the write-ahead log.
CHECKPOINT;
