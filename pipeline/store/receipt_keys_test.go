package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"grantpipe/pipeline/money"
	"grantpipe/pipeline/receiptno"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/submission"
	"grantpipe/queries"
)

// TestFoldIsCoarserThanDuckDB: receipt keys decide which receipts
// DUPLICATE_RECEIPT compares, and DuckDB's lower(trim(…)) then decides
// whether they carry the same number. So wherever DuckDB folds two
// numbers alike, their keys must be equal: for every character, alone
// (trimmed, or not) and between two letters (lower-cased only), everything
// DuckDB folds to the same text receiptno folds to the same text too.
func TestFoldIsCoarserThanDuckDB(t *testing.T) {
	st := open(t, filepath.Join(t.TempDir(), "g.duckdb"))
	defer st.Close()
	text, err := queries.FS.ReadFile("store/duckdb_folds.sql")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.Raw().Query(string(text))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	alone, between := map[string]string{}, map[string]string{}
	first := map[string]rune{}
	n := 0
	for rows.Next() {
		var i int64
		var a, b string
		if err := rows.Scan(&i, &a, &b); err != nil {
			t.Fatal(err)
		}
		n++
		r := rune(i)
		for _, c := range []struct {
			seen       map[string]string
			duck, mine string
		}{{alone, a, receiptno.Fold(string(r))}, {between, "\x00" + b, receiptno.Fold("a" + string(r) + "b")}} {
			if prev, ok := c.seen[c.duck]; ok && prev != c.mine {
				t.Errorf("DuckDB folds U+%04X like U+%04X (%q), receiptno does not: %q, %q", r, first[c.duck], c.duck, c.mine, prev)
				continue
			}
			if _, ok := c.seen[c.duck]; !ok {
				c.seen[c.duck], first[c.duck] = c.mine, r
			}
		}
		if a == "" && receiptno.Fold(string(r)) != "" {
			t.Errorf("DuckDB trims U+%04X away, receiptno keeps it", r)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 190_000 {
		t.Fatalf("DuckDB folded %d characters", n)
	}
}

// TestMigration012KeysTheReceiptsStoredBefore: an installation from before
// receipt keys gets them for every receipt with a number when it opens,
// in the migration's transaction, the same keys as storing them now gives.
func TestMigration012KeysTheReceiptsStoredBefore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.duckdb")
	st := openWith(t, path, queriesUpTo(t, 11))
	for _, q := range []string{
		`INSERT INTO submissions (id, sha256, file_name, source_path, inbox_district, outcome, stored_path, received_at, received_local,
		     ingested_at, reader_version, size_bytes, district, year, quarter, modified_at)
		 VALUES (1, 'a', 'a.xlsx', 'inbox/15083/a.xlsx', '15083', 'accepted', 'archive/a.xlsx', TIMESTAMP '2026-04-08 08:00:00',
		         TIMESTAMP '2026-04-08 10:00:00', TIMESTAMP '2026-04-08 08:00:00', 'grantpipe-reader/1', 1, '15083', 2026, 1, TIMESTAMP '2026-04-08 08:00:00')`,
		`INSERT INTO receipts (submission_id, sheet, row_no, receipt_no)
		 VALUES (1, 'Belegliste', 2, 'RE-17'), (1, 'Belegliste', 3, ' re-17'), (1, 'Belegliste', 4, NULL), (1, 'Belegliste', 5, chr(8195))`,
	} {
		if _, err := st.Raw().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	st = open(t, path)
	defer st.Close()
	rows, err := st.Raw().QueryContext(ctx, `SELECT row_no, receipt_key FROM receipts ORDER BY row_no`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want, _ := receiptno.Key("15083", 2026, "RE-17")
	got := map[int]*uint32{}
	for rows.Next() {
		var row int
		var key *uint32
		if err := rows.Scan(&row, &key); err != nil {
			t.Fatal(err)
		}
		got[row] = key
	}
	for row, w := range map[int]*uint32{2: &want, 3: &want, 4: nil, 5: nil} {
		switch g := got[row]; {
		case (g == nil) != (w == nil):
			t.Errorf("row %d: key %v, want %v", row, g, w)
		case g != nil && *g != *w:
			t.Errorf("row %d: key %d, want %d", row, *g, *w)
		}
	}
}

// TestChecksShareTheClaimsOfWhatWasStoredSince: each check puts into
// shared_claims the positive lines of accepted submissions whose number
// (folded) another positive line of the district and year has, in the
// same file, an earlier file or a later one; sharing after every few
// files gives what sharing everything at once gives, and a check with
// nothing stored since adds nothing.
func TestChecksShareTheClaimsOfWhatWasStoredSince(t *testing.T) {
	ctx := context.Background()
	st := open(t, filepath.Join(t.TempDir(), "g.duckdb"))
	defer st.Close()
	type line struct {
		no    string
		cents money.Cents
	}
	files := []struct {
		district string
		year     int
		quarter  int
		rejected bool
		lines    []line
	}{
		{"15083", 2026, 1, false, []line{{"RE-1", 100}, {"RE-2", 200}, {"RE-3", 300}, {"re-3 ", 50}}}, // RE-3 twice in the file
		{"15083", 2026, 2, false, []line{{"re-1", 100}, {"RE-4", 400}, {"RE-2", -200}}},               // RE-1 again; RE-2 corrected, not claimed
		{"15083", 2026, 3, true, []line{{"RE-4", 400}}},                                               // rejected: counts never
		{"15085", 2026, 1, false, []line{{"RE-4", 400}}},                                              // another district
		{"15083", 2027, 1, false, []line{{"RE-4", 400}}},                                              // another year
		{"15083", 2026, 4, false, []line{{"\u00a0RE-4", 10}, {"", 10}, {"RE-1", 10}}},                 // RE-4 and RE-1 again
	}
	share := func() { shareClaims(t, st) }
	claims := func() []string {
		rows, err := st.Raw().QueryContext(ctx, `SELECT submission_id, row_no, receipt_no, amount::VARCHAR FROM shared_claims ORDER BY ALL`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id, row int
			var no, amount string
			if err := rows.Scan(&id, &row, &no, &amount); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%d/%d %q %s", id, row, no, amount))
		}
		return out
	}
	for i, f := range files {
		sub := &submission.Submission{File: "x.xlsx", District: f.district, Year: f.year, Quarter: f.quarter, Rejected: f.rejected}
		for j, l := range f.lines {
			c := l.cents
			sub.Receipts = append(sub.Receipts, submission.Receipt{Place: submission.Place{Sheet: "Belegliste", Row: j + 2},
				CategoryCod: "SACH", Cents: &c, Amount: submission.Value{Raw: c.String(), Cell: "G2"},
				ReceiptNo: submission.Value{Raw: l.no, Cell: fmt.Sprintf("H%d", j+2)}})
		}
		if _, err := st.Save(ctx, meta(fmt.Sprintf("sha%d", i)), sub, catalog(t), nil); err != nil {
			t.Fatal(err)
		}
		if i == 0 || i == 2 {
			share()
		}
	}
	share()
	want := []string{
		`1/2 "RE-1" 1.00`, `1/4 "RE-3" 3.00`, `1/5 "re-3 " 0.50`,
		`2/2 "re-1" 1.00`, `2/3 "RE-4" 4.00`,
		`6/2 "\u00a0RE-4" 0.10`, `6/4 "RE-1" 0.10`,
	}
	stepwise := claims()
	if !slices.Equal(stepwise, want) {
		t.Errorf("shared claims:\n%s\nwant\n%s", strings.Join(stepwise, "\n"), strings.Join(want, "\n"))
	}
	share()
	if again := claims(); !slices.Equal(again, stepwise) {
		t.Errorf("a check with nothing stored since changed the shared claims to\n%s", strings.Join(again, "\n"))
	}
	if _, err := st.Raw().ExecContext(ctx, `DELETE FROM shared_claims; UPDATE claims_shared_through SET last_id = 0`); err != nil {
		t.Fatal(err)
	}
	share()
	if all := claims(); !slices.Equal(all, stepwise) {
		t.Errorf("shared claims from everything at once:\n%s\nfile by file:\n%s", strings.Join(all, "\n"), strings.Join(stepwise, "\n"))
	}
}

// TestACheckKilledWhileSharingLeavesItToTheNext: a check that dies after
// sharing the claims but before its commit leaves neither shared claims
// nor a moved watermark behind (they are in its transaction), and the next
// check shares them.
func TestACheckKilledWhileSharingLeavesItToTheNext(t *testing.T) {
	ctx := context.Background()
	if path := os.Getenv(crashedRunEnv); path != "" {
		st := openWith(t, path, queries.FS)
		for i, q := range []int{1, 2} {
			c := money.Cents(1000)
			sub := &submission.Submission{File: "x.xlsx", District: "15083", Year: 2026, Quarter: q,
				Receipts: []submission.Receipt{{Place: submission.Place{Sheet: "Belegliste", Row: 2}, CategoryCod: "SACH",
					Cents: &c, Amount: submission.Value{Raw: "10,00", Cell: "G2"}, ReceiptNo: submission.Value{Raw: "RE-9", Cell: "H2"}}}}
			if _, err := st.Save(ctx, meta(fmt.Sprintf("killed%d", i)), sub, catalog(t), nil); err != nil {
				t.Fatal(err)
			}
		}
		tx, err := st.BeginValidation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.ShareClaims(ctx); err != nil {
			t.Fatal(err)
		}
		os.Exit(86) // shared, never committed
	}
	path := filepath.Join(t.TempDir(), "g.duckdb")
	open(t, path).Close()
	crash(t, "TestACheckKilledWhileSharingLeavesItToTheNext", path)
	st := open(t, path)
	defer st.Close()
	var claims, through int
	if err := st.Raw().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM shared_claims), (SELECT last_id FROM claims_shared_through)`).Scan(&claims, &through); err != nil {
		t.Fatal(err)
	}
	if claims != 0 || through != 0 {
		t.Fatalf("after the killed check: %d shared claims, watermark %d; want nothing of it", claims, through)
	}
	shareClaims(t, st)
	if err := st.Raw().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM shared_claims), (SELECT last_id FROM claims_shared_through)`).Scan(&claims, &through); err != nil {
		t.Fatal(err)
	}
	if claims != 2 || through != 2 {
		t.Errorf("the next check: %d shared claims, watermark %d; want both RE-9 lines and 2", claims, through)
	}
}

// shareClaims does what a check does first: share the claims of what was
// stored since the last check, in its own committed transaction.
func shareClaims(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	tx, err := st.BeginValidation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	if err := tx.ShareClaims(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}
