package validate_test

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"grantpipe/pipeline/store"
)

// Receipt numbers as another writer than the reader could store them (the
// reader trims them and stores a blank one as NULL), keyed as storing a
// submission keys them (store.FillReceiptKeys): a number of spaces or of
// no-break spaces is missing, like no number, and is nobody's duplicate; a
// number that starts with a character outside printable ASCII is a number,
// and one that differs from another only in case and white space at either
// end is its duplicate.
func TestBlankReceiptNumbersAreMissingWhateverTheirSpaces(t *testing.T) {
	w := newWorld(t, nil)
	ctx := context.Background()
	d := w.p.Years[0].Districts[0]
	received := time.Date(2026, 4, 8, 8, 0, 0, 0, time.UTC)
	subs := [][]any{{int64(1), "sha1", "blank.xlsx", "x", nil, "accepted", "x",
		received, received, received, "test", int64(1), false, d.AGS, int32(2026), int32(1), d.Name, nil, "Test", nil, nil, received}}
	numbers := []any{" ", "\u00a0", "\u2003 ", "", "~1", "ä-1", "\u00a0R-7", "r-7 ", "Z 9", "z 9"}
	var receipts [][]any
	for i, no := range numbers {
		row := i + 2
		receipts = append(receipts, []any{int64(1), "Belegliste", int32(row), int64(i + 1), nil, nil,
			"SACH", "Sachkosten", fmt.Sprintf("B%d", row), time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC), nil, nil,
			time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC), nil, fmt.Sprintf("D%d", row), "Lieferant", nil, "Papier", nil,
			duckdb.Decimal{Width: 18, Scale: 2, Value: big.NewInt(1000)}, "10,00", fmt.Sprintf("G%d", row), no, fmt.Sprintf("H%d", row), nil, nil, nil})
	}
	conn, err := w.st.Raw().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		table string
		rows  [][]any
	}{{"submissions", subs}, {"receipts", receipts}} {
		if err := store.Append(ctx, conn, a.table, a.rows); err != nil {
			t.Fatalf("%s: %v", a.table, err)
		}
	}
	conn.Close()
	if err := w.st.FillReceiptKeys(ctx); err != nil {
		t.Fatal(err)
	}
	res := w.validate(t, time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC))
	cells := map[string][]string{}
	for _, f := range res.Findings {
		if f.Rule == "RECEIPT_MISSING" || f.Rule == "DUPLICATE_RECEIPT" {
			cells[f.Rule] = append(cells[f.Rule], f.Cell)
		}
	}
	for rule, want := range map[string][]string{
		"RECEIPT_MISSING":   {"H2", "H3", "H4", "H5"}, // spaces, a no-break space, an em space and a space, nothing
		"DUPLICATE_RECEIPT": {"H11", "H9"},            // "z 9" after "Z 9", "r-7 " after no-break space "R-7" (trimmed too)
	} {
		got := cells[rule]
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s in cells %v, want %v", rule, got, want)
		}
	}
}
