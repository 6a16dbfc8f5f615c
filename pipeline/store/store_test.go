package store_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/submission"
	"grantpipe/queries"
)

func open(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path, queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestMigrationsApplyOnceAndAreRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.duckdb")
	st := open(t, path)
	ms, err := store.Migrations(queries.FS)
	if err != nil || len(ms) == 0 {
		t.Fatalf("migrations: %v %v", ms, err)
	}
	var n int
	st.Raw().QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n)
	if n != len(ms) {
		t.Errorf("%d migrations recorded, want %d", n, len(ms))
	}
	st.Close()
	st = open(t, path)
	defer st.Close()
	applied, err := st.Migrate(context.Background())
	if err != nil || len(applied) != 0 {
		t.Errorf("second migrate applied %v, %v; want nothing", applied, err)
	}
}

func TestMigrationsAreNumberedInOrder(t *testing.T) {
	ms, _ := store.Migrations(queries.FS)
	for i, m := range ms {
		if m.Version != i+1 {
			t.Errorf("migration %s has version %d, want %d", m.Name, m.Version, i+1)
		}
	}
}

func sampleSubmission(n int) *submission.Submission {
	sub := &submission.Submission{File: "x.xlsx", District: "15083", Year: 2026, Quarter: 1, Contact: "A"}
	for i := range n {
		c := money.Cents(472393 + int64(i))
		line := int64(i + 1)
		sub.Receipts = append(sub.Receipts, submission.Receipt{Place: submission.Place{Sheet: "Belegliste", Row: i + 2},
			Line: &line, CategoryCod: "SACH", Cents: &c, Amount: submission.Value{Raw: c.String(), Cell: "G2"}})
	}
	return sub
}

func meta(sha string) store.Meta {
	t := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	return store.Meta{SHA256: sha, FileName: "x.xlsx", SourcePath: "inbox/x.xlsx", StoredPath: "archive/x.xlsx", ReceivedAt: t, IngestedAt: t, Size: 1}
}

func catalog(t *testing.T) *messages.Catalog {
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestAmountsAreStoredExactly guards the trap of appending floats to
// DECIMAL(18,2): 4723.93 must come back as 4723.93, and sums to the cent.
func TestAmountsAreStoredExactly(t *testing.T) {
	st := open(t, filepath.Join(t.TempDir(), "g.duckdb"))
	defer st.Close()
	if _, err := st.Save(context.Background(), meta("a"), sampleSubmission(1000), catalog(t), nil); err != nil {
		t.Fatal(err)
	}
	var first, sum string
	st.Raw().QueryRow("SELECT min(amount)::VARCHAR, sum(amount)::VARCHAR FROM receipts").Scan(&first, &sum)
	// sum of 4723.93 + 4723.94 + … over 1000 lines = 1000×4723.93 + 0.01×(0+…+999)
	if first != "4723.93" || sum != "4728925.00" {
		t.Errorf("stored min %s sum %s, want 4723.93 and 4728925.00", first, sum)
	}
}

// TestSaveLandsWholeOrNotAtAll cancels a save halfway through its rows: none
// of the submission may remain.
func TestSaveLandsWholeOrNotAtAll(t *testing.T) {
	st := open(t, filepath.Join(t.TempDir(), "g.duckdb"))
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	hook := func(point string, n int) {
		if point == "row" && n == 500 {
			cancel()
		}
	}
	_, err := st.Save(ctx, meta("b"), sampleSubmission(1000), catalog(t), hook)
	if err == nil {
		t.Fatal("a cancelled save reported success")
	}
	var subs, rows int
	st.Raw().QueryRow("SELECT count(*) FROM submissions").Scan(&subs)
	st.Raw().QueryRow("SELECT count(*) FROM receipts").Scan(&rows)
	if subs != 0 || rows != 0 {
		t.Errorf("after the failed save: %d submissions, %d receipts; want none", subs, rows)
	}
	if !errors.Is(err, context.Canceled) {
		t.Logf("save failed with %v", err)
	}
}

func TestTheDatabaseReachesNoFileButItsOwn(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "g.duckdb"), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	secret := filepath.Join(dir, "secret.txt")
	os.WriteFile(secret, []byte("geheim"), 0o644)
	for _, q := range []string{
		"SELECT * FROM read_text('" + secret + "')",
		"SELECT * FROM '" + secret + "'",
		"COPY (SELECT 1) TO '" + filepath.Join(dir, "out.csv") + "'",
		"ATTACH '" + filepath.Join(dir, "other.duckdb") + "'",
		"INSTALL httpfs",
	} {
		if _, err := st.Raw().ExecContext(ctx, q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.csv")); err == nil {
		t.Error("COPY wrote a file")
	}
}

func TestAnExportWritesOnlyBelowItsFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	out := filepath.Join(dir, "export")
	os.MkdirAll(out, 0o755)
	st, err := store.OpenExporting(ctx, filepath.Join(dir, "g.duckdb"), queries.FS, out)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Raw().ExecContext(ctx, "COPY (SELECT 1 AS x) TO '"+filepath.Join(out, "x.csv")+"'"); err != nil {
		t.Errorf("inside the export folder: %v", err)
	}
	if _, err := st.Raw().ExecContext(ctx, "COPY (SELECT 1 AS x) TO '"+filepath.Join(dir, "y.csv")+"'"); err == nil {
		t.Error("outside the export folder: allowed")
	}
	if _, err := st.Raw().ExecContext(ctx, "SET enable_external_access = true"); err == nil {
		t.Error("external access could be switched on again")
	}
}

func TestMoneyReadsAndWritesDecimalsExactly(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "g.duckdb"), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cases := []struct {
		query string
		want  money.Cents
	}{
		{"SELECT CAST('4723.93' AS DECIMAL(18,2))", 472393},
		{"SELECT sum(x) FROM (VALUES (CAST('0.10' AS DECIMAL(18,2))), (CAST('0.20' AS DECIMAL(18,2)))) t(x)", 30},
		{"SELECT CAST('-12.50' AS DECIMAL(18,2)) * 1", -1250},
		{"SELECT round(CAST('121694.06' AS DECIMAL(18,2)) * CAST(0.9 AS DECIMAL(3,2)), 2)", 10952465},
		{"SELECT CAST(? AS DECIMAL(18,2))", 9999999999999999},
	}
	for _, c := range cases {
		var got money.Cents
		var args []any
		if strings.Contains(c.query, "?") {
			args = append(args, money.Cents(9999999999999999))
		}
		if err := st.Raw().QueryRowContext(ctx, c.query, args...).Scan(&got); err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s = %v, want %v", c.query, got, c.want)
		}
	}
	var third money.Cents
	if err := st.Raw().QueryRowContext(ctx, "SELECT CAST('1.005' AS DECIMAL(18,3))").Scan(&third); err == nil {
		t.Errorf("a third decimal was read as %v", third)
	}
	var n money.NullCents
	if err := st.Raw().QueryRowContext(ctx, "SELECT CAST(NULL AS DECIMAL(18,2))").Scan(&n); err != nil || n.Valid {
		t.Errorf("NULL: %+v, %v", n, err)
	}
	var plain money.Cents
	if err := st.Raw().QueryRowContext(ctx, "SELECT CAST(NULL AS DECIMAL(18,2))").Scan(&plain); err == nil {
		t.Error("NULL read into Cents without an error")
	}
}

func TestOpenRefusesQueriesThatLackADeclaredStatement(t *testing.T) {
	lacking := fstest.MapFS{}
	fs.WalkDir(queries.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != "store/record_migration.sql" {
			b, _ := fs.ReadFile(queries.FS, p)
			lacking[p] = &fstest.MapFile{Data: b}
		}
		return nil
	})
	_, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "g.duckdb"), lacking)
	if err == nil || !strings.Contains(err.Error(), "store/record_migration.sql") {
		t.Errorf("err = %v, want one naming the missing file", err)
	}
}

// TestADatabaseIsCreatedWholeOrNotAtAll: a process killed while DuckDB
// created the file left one that every later open refused; now a new
// database is made under a temporary name, and the half-made temporary of a
// killed run is started afresh.
func TestADatabaseIsCreatedWholeOrNotAtAll(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "grantpipe.duckdb")
	// What a kill during creation leaves: a temporary that is no database.
	os.WriteFile(file+".creating", []byte("half"), 0o644)
	st, err := store.Open(context.Background(), file, queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, p := range []string{file + ".creating", file + ".creating.wal"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is left", filepath.Base(p))
		}
	}
	st, err = store.Open(context.Background(), file, queries.FS)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	st.Close()
}
