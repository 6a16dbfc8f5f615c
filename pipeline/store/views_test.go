package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"grantpipe/pipeline/store"
	"grantpipe/queries"
)

// oldSchema are the schema files as installations applied them before the
// views moved out of the migrations (queries/schema at that commit).
const oldSchema = "testdata/schema_before_views"

// installOld makes the database an installation of the earlier program
// would have: its schema files applied and recorded as its store did, and
// some data written through them. sum002 is the checksum recorded for
// 002_validation.sql.
func installOld(t *testing.T, path, sum002 string) {
	t.Helper()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, err := filepath.Glob(filepath.Join(oldSchema, "*.sql"))
	if err != nil || len(files) != 5 {
		t.Fatalf("%s: %v, %v", oldSchema, files, err)
	}
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if i == 0 {
			continue // the bookkeeping table itself
		}
		h := sha256.Sum256(b)
		sum := hex.EncodeToString(h[:])
		if i == 2 && sum002 != "" {
			sum = sum002
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations VALUES ($1, $2, $3, $4)`, i, filepath.Base(f), sum, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO submissions (id, sha256, file_name, source_path, inbox_district, outcome, stored_path, received_at, received_local,
		     ingested_at, reader_version, size_bytes, district, year, quarter, modified_at)
		 VALUES (1, 'a', 'Boerde_Q1.xlsx', 'inbox/15083/Boerde_Q1.xlsx', '15083', 'accepted', 'archive/a.xlsx', TIMESTAMP '2026-04-08 08:00:00',
		         TIMESTAMP '2026-04-08 10:00:00', TIMESTAMP '2026-04-08 08:00:00', 'grantpipe-reader/1', 1, '15083', 2026, 1, TIMESTAMP '2026-04-08 08:00:00'),
		        (2, 'b', 'Harz.xlsx', 'inbox/15085/Harz.xlsx', '15085', 'rejected', 'rejected/15085/b.xlsx', TIMESTAMP '2026-04-09 08:00:00',
		         TIMESTAMP '2026-04-09 10:00:00', TIMESTAMP '2026-04-09 08:00:00', 'grantpipe-reader/1', 1, NULL, NULL, NULL, TIMESTAMP '2026-04-09 08:00:00')`,
		`INSERT INTO receipts (submission_id, sheet, row_no, category, payment_date, amount, amount_cell)
		 VALUES (1, 'Belegliste', 2, 'PERS', DATE '2026-01-31', 4723.93, 'G2'),
		        (1, 'Belegliste', 3, NULL, DATE '2026-02-03', 12.50, 'G3'),
		        (1, 'Belegliste', 4, 'SACH', DATE '2026-02-27', 100.00, 'G4')`,
		`INSERT INTO submission_findings VALUES (2, 1, 'DISTRICT_UNKNOWN', 'error', 'Kopfdaten', 'B3', NULL, 'k', 'unbekannt', 'unknown')`,
		`INSERT INTO run_line_errors VALUES (1, 4)`,
		`INSERT INTO cfg_years VALUES (2026, 1540000, 110000, 2, 0.9, 0, 0.2, 60, 0.0627, 0.5, DATE '2027-06-30')`,
		`INSERT INTO cfg_categories VALUES (2026, 'PERS', 'Personalkosten', 'Staff costs', 1)`,
		`INSERT INTO cfg_payouts VALUES (2026, '15083', DATE '2026-01-02', 27500.00, 'B-1')`,
		`INSERT INTO run_context VALUES (DATE '2026-04-20')`,
		`INSERT INTO validation_runs VALUES (1, TIMESTAMP '2026-04-20 09:00:00', DATE '2026-04-20', 'abc', 'AMOUNT', NULL, NULL)`,
		`INSERT INTO grant_figures VALUES (1, '15083', 2026, 0, 110000, 4723.93, 4251.54, 27500, 23248.46, 1.23)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// The old views answered from the old schema.
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM eligible_receipts`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the old installation's eligible_receipts: %d rows, %v", n, err)
	}
}

// TestAnInstallationFromBeforeTheViewsMovedOpens: a database whose
// 002_validation.sql was applied with its views opens with the program whose
// 002 holds tables only; it keeps its data and records, gets the later
// migrations, and its views are those of queries/views.
func TestAnInstallationFromBeforeTheViewsMovedOpens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.duckdb")
	installOld(t, path, "")
	st, err := store.Open(ctx, path, queries.FS)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer st.Close()

	rows, err := st.Raw().QueryContext(ctx, `SELECT version, sha256 FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[int]string{}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			t.Fatal(err)
		}
		recorded[v] = sum
	}
	rows.Close()
	ms, _ := store.Migrations(queries.FS)
	if len(recorded) != len(ms) {
		t.Errorf("%d migrations recorded, want %d", len(recorded), len(ms))
	}
	b, _ := os.ReadFile(filepath.Join(oldSchema, "002_validation.sql"))
	h := sha256.Sum256(b)
	if recorded[2] != hex.EncodeToString(h[:]) {
		t.Errorf("002 is recorded as %s; what was applied stays recorded", recorded[2])
	}

	for _, c := range []struct {
		name, query, want string
	}{
		{"the submissions are kept", `SELECT string_agg(id || ':' || outcome, ',' ORDER BY id) FROM submissions`, "1:accepted,2:rejected"},
		{"the receipts are kept", `SELECT count(*)::VARCHAR || ' ' || sum(amount)::VARCHAR FROM receipts`, "3 4836.43"},
		{"the stored runs are kept", `SELECT string_agg(balance::VARCHAR, ',') FROM grant_figures WHERE run_id = 1`, "23248.46"},
		{"eligible_receipts leaves out the line without category and the one with a line error",
			`SELECT string_agg(row_no::VARCHAR || ' ' || amount::VARCHAR, ',') FROM eligible_receipts`, "2 4723.93"},
		{"current_receipts carries the submission's columns", `SELECT string_agg(DISTINCT district || ' Q' || quarter, ',') FROM current_receipts`, "15083 Q1"},
		{"current_submissions has the column 004 added", `SELECT count(modified_at)::VARCHAR FROM current_submissions`, "1"},
		{"the new view open_rejections is there", `SELECT string_agg(id::VARCHAR, ',') FROM open_rejections`, "2"},
		{"all_payouts reads the configured payouts", `SELECT string_agg(reference || ' ' || amount::VARCHAR, ',') FROM all_payouts`, "B-1 27500.00"},
		{"payout_coverage works (nothing spent by the due day, 3 March: all of it open)",
			`SELECT string_agg(unspent_at_due::VARCHAR, ',') FROM payout_coverage`, "27500.00"},
		{"payout_interest_periods works (open from 4 March to the as-of day, 20 April: 48 days)",
			`SELECT string_agg(open_amount::VARCHAR || ' ' || days::VARCHAR, ',') FROM payout_interest_periods`, "27500.00 48"},
		{"coordinator_days works", `SELECT count(*)::VARCHAR FROM coordinator_days`, "0"},
		{"period_spending works", `SELECT count(*)::VARCHAR FROM period_spending`, "0"},
		{"cfg_categories has the staff column, false for the rows of before", `SELECT string_agg(code || '=' || staff::VARCHAR, ',') FROM cfg_categories`, "PERS=false"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got sql.NullString
			if err := st.Raw().QueryRowContext(ctx, c.query).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got.String != c.want {
				t.Errorf("%s\n= %q, want %q", c.query, got.String, c.want)
			}
		})
	}
	if got, want := viewNames(t, st.Raw()), viewFileNames(t); !slices.Equal(got, want) {
		t.Errorf("views %v, want those of queries/views: %v", got, want)
	}
}

func TestAnEditedMigrationIsStillRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.duckdb")
	installOld(t, path, strings.Repeat("0", 64))
	_, err := store.Open(context.Background(), path, queries.FS)
	if !errors.Is(err, store.ErrMigrationChanged) || !strings.Contains(err.Error(), "002_validation.sql") {
		t.Errorf("err = %v, want ErrMigrationChanged naming 002_validation.sql", err)
	}
}

// TestTheMigrationsHoldNoView: views live in queries/views, one a file,
// named after it; a new database has exactly those.
func TestTheMigrationsHoldNoView(t *testing.T) {
	view := regexp.MustCompile(`(?i)\bCREATE\s+(OR\s+REPLACE\s+)?(TEMP\w*\s+)?VIEW\b`)
	ms, err := store.Migrations(queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if view.MatchString(m.SQL) {
			t.Errorf("schema/%s creates a view; views belong in queries/views", m.Name)
		}
	}
	st := open(t, filepath.Join(t.TempDir(), "g.duckdb"))
	defer st.Close()
	if got, want := viewNames(t, st.Raw()), viewFileNames(t); !slices.Equal(got, want) {
		t.Errorf("a new database has the views %v, want %v", got, want)
	}
}

func TestViewFilesAreCheckedWhenTheStoreOpens(t *testing.T) {
	for name, c := range map[string]struct{ file, text, want string }{
		"a file named without its number": {"views/current_things.sql", "CREATE OR REPLACE VIEW current_things AS SELECT 1", "name must be NN_view_name.sql"},
		"a file holding another view":     {"views/09_things.sql", "CREATE OR REPLACE VIEW stuff AS SELECT 1", "must hold one statement, CREATE OR REPLACE VIEW things AS"},
		"a file holding a table too":      {"views/09_things.sql", "CREATE TABLE t (a INTEGER); CREATE OR REPLACE VIEW things AS SELECT 1", "must hold one statement"},
		"two files with one number":       {"views/08_things.sql", "CREATE OR REPLACE VIEW things AS SELECT 1", "the same number 8"},
	} {
		t.Run(name+" stops the open", func(t *testing.T) {
			fsys := copyQueries(t)
			fsys[c.file] = &fstest.MapFile{Data: []byte(c.text)}
			_, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "g.duckdb"), fsys)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func viewNames(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var s sql.NullString
	if err := db.QueryRow(`SELECT string_agg(view_name, ',' ORDER BY view_name) FROM duckdb_views() WHERE NOT internal`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return strings.Split(s.String, ",")
}

func viewFileNames(t *testing.T) []string {
	t.Helper()
	vs, err := store.Views(queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	slices.Sort(names)
	return names
}

func copyQueries(t *testing.T) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(queries.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(queries.FS, p)
		out[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
