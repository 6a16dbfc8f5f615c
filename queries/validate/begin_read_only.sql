-- Check prepares each rule in a transaction that cannot write.
BEGIN TRANSACTION READ ONLY;
