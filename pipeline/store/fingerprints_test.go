package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"grantpipe/pipeline/store"
)

// TestRenderedFilesMoveWithTheDataDirectory: what the files below the data
// directory were rendered from is found again when the directory is moved
// or restored elsewhere (else a restore would render every report once
// more); a file outside it (an --out folder) is known by its absolute path.
func TestRenderedFilesMoveWithTheDataDirectory(t *testing.T) {
	ctx := context.Background()
	first := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(first, 0o755); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "out")
	st := open(t, filepath.Join(first, "grantpipe.duckdb"))
	inside := filepath.Join(first, "reports", "2026-Q1", "Sachsen-Anhalt_2026-Q1.pdf")
	// A folder's own record (the period as a whole) ends in a separator.
	folder := filepath.Join(first, "reports", "2026-Q1") + string(filepath.Separator)
	elsewhere := filepath.Join(outside, "2026-Q1", "Sachsen-Anhalt_2026-Q1.pdf")
	if err := st.RecordRendered(ctx, map[string]store.Rendered{
		inside:    {Fingerprint: "in", Size: 1, ModTime: 2},
		folder:    {Fingerprint: "period"},
		elsewhere: {Fingerprint: "out", Size: 3, ModTime: 4},
	}, nil); err != nil {
		t.Fatal(err)
	}
	st.Close()

	moved := filepath.Join(t.TempDir(), "restored")
	if err := os.Rename(first, moved); err != nil {
		t.Fatal(err)
	}
	st = open(t, filepath.Join(moved, "grantpipe.duckdb"))
	defer st.Close()
	abs, have, err := st.RenderedUnder(ctx, filepath.Join(moved, "reports"))
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(moved, "reports", "2026-Q1", "Sachsen-Anhalt_2026-Q1.pdf")
	wantFolder := filepath.Join(moved, "reports", "2026-Q1") + string(filepath.Separator)
	if abs != filepath.Join(moved, "reports") || len(have) != 2 || have[want].Fingerprint != "in" || have[want].ModTime != 2 ||
		have[wantFolder].Fingerprint != "period" {
		t.Errorf("after the move: %s %v, want %s rendered from \"in\" and %s from \"period\"", abs, have, want, wantFolder)
	}
	_, have, err = st.RenderedUnder(ctx, outside)
	if err != nil || len(have) != 1 || have[elsewhere].Fingerprint != "out" {
		t.Errorf("outside the data directory: %v %v, want %s", have, err, elsewhere)
	}
	// Forgetting works by the same names.
	if err := st.RecordRendered(ctx, nil, []string{want, wantFolder, elsewhere}); err != nil {
		t.Fatal(err)
	}
	if _, have, _ = st.RenderedUnder(ctx, moved); len(have) != 0 {
		t.Errorf("forgotten files still known: %v", have)
	}
	if _, have, _ = st.RenderedUnder(ctx, outside); len(have) != 0 {
		t.Errorf("forgotten files still known: %v", have)
	}
}
