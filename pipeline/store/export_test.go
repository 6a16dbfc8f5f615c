package store_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"grantpipe/pipeline/store"
	"grantpipe/queries"
)

func TestExportParquetWritesEachTablePartitioned(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	out := filepath.Join(dir, "export")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenExporting(ctx, filepath.Join(dir, "g.duckdb"), queries.FS, out)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Save(ctx, meta("a"), sampleSubmission(3), catalog(t), nil); err != nil {
		t.Fatal(err)
	}
	if got, want := store.ExportTables(), []string{"submissions", "receipts", "income", "findings", "grants"}; !slices.Equal(got, want) {
		t.Errorf("ExportTables() = %v, want %v", got, want)
	}
	for _, table := range store.ExportTables() {
		if err := st.ExportParquet(ctx, table, filepath.Join(out, table)); err != nil {
			t.Errorf("%s: %v", table, err)
		}
	}
	for _, table := range []string{"submissions", "receipts"} {
		files, _ := filepath.Glob(filepath.Join(out, table, "year=2026", "district=15083", "*.parquet"))
		if len(files) != 1 {
			t.Errorf("%s: %v, want one file in year=2026/district=15083", table, files)
		}
	}
	if err := st.ExportParquet(ctx, "receipts", filepath.Join(dir, "elsewhere")); err == nil {
		t.Error("an export outside the export folder was written")
	}
	if err := st.ExportParquet(ctx, "job_runs", filepath.Join(out, "job_runs")); err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Errorf("an unknown table: %v", err)
	}
}
