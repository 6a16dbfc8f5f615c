// Package queries embeds every SQL statement grantpipe runs: the schema
// migrations under schema/, the views under views/ and the statements of
// each stage.
package queries

import "embed"

// FS holds the SQL files.
//
//go:embed schema/*.sql views/*.sql accounts/*.sql store/*.sql ingest/*.sql inspect/*.sql rules/*.sql validate/*.sql payouts/*.sql report/*.sql feedback/*.sql jobs/*.sql export/*.sql bench/*.sql web/*.sql fingerprints/*.sql
var FS embed.FS
