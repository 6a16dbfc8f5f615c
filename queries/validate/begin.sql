-- A run is one transaction: its configuration, findings and figures land
-- whole or not at all.
BEGIN TRANSACTION;
