package main

import (
	"database/sql"
	"path/filepath"
	"testing"

	"grantpipe/pipeline/store"
	"grantpipe/queries"

	"context"
)

// TestExportToParquetHoldsWhatTheDatabaseHolds reads the export back with
// DuckDB's own Parquet reader, as another engine would.
func TestExportToParquetHoldsWhatTheDatabaseHolds(t *testing.T) {
	dir := demoReports(t)
	out := t.TempDir()
	if code, _, errOut := run(t, "export", "--data", dir, "--format", "parquet", "--out", out); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	st, err := store.OpenReadOnly(context.Background(), filepath.Join(dir, "grantpipe.duckdb"), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	var want string
	st.Raw().QueryRow("SELECT CAST(sum(amount) AS VARCHAR) || '/' || count(*) FROM receipts").Scan(&want)
	st.Close()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	var districts, years int
	err = db.QueryRow("SELECT CAST(sum(amount) AS VARCHAR) || '/' || count(*), count(DISTINCT district), count(DISTINCT year) FROM read_parquet($1, hive_partitioning = true)",
		filepath.Join(out, "receipts", "*", "*", "*.parquet")).Scan(&got, &districts, &years)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || districts != 14 || years != 1 {
		t.Errorf("parquet receipts %s over %d districts, %d years; the database holds %s", got, districts, years, want)
	}
	// The income lines of the demo (Halle, Harz, Wittenberg: 4,100.00,
	// 1,935.00 and 1,950.00 counted) and the grant figures' income.
	var income, grantIncome string
	if err := db.QueryRow("SELECT CAST(sum(amount) FILTER (counted) AS VARCHAR) || '/' || count(DISTINCT district) FROM read_parquet($1, hive_partitioning = true)",
		filepath.Join(out, "income", "*", "*", "*.parquet")).Scan(&income); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT CAST(sum(income) AS VARCHAR) FROM read_parquet($1, hive_partitioning = true) WHERE through_quarter = 0",
		filepath.Join(out, "grants", "*", "*", "*.parquet")).Scan(&grantIncome); err != nil {
		t.Fatal(err)
	}
	if income != "7985.00/3" || grantIncome != "7985.00" {
		t.Errorf("parquet income %s, grants' income %s; want 7985.00 over 3 districts", income, grantIncome)
	}
	for _, table := range []string{"submissions", "findings", "grants"} {
		files, _ := filepath.Glob(filepath.Join(out, table, "year=*", "district=*", "*.parquet"))
		if len(files) == 0 {
			t.Errorf("no %s parquet files", table)
		}
	}
}
