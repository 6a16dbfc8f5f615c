package payouts_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/payouts"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
	"grantpipe/queries"
)

func importer(t *testing.T) (*payouts.Importer, *store.Store) {
	t.Helper()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "g.duckdb"), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	im, err := payouts.New(st, p, payouts.WithClock(func() time.Time { return time.Date(2026, 6, 3, 9, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	return im, st
}

// TestImportAGermanCSVExport reads a Windows-1252, semicolon-separated
// export with a title line, German numbers and a totals row.
func TestImportAGermanCSVExport(t *testing.T) {
	im, st := importer(t)
	file := filepath.Join("..", "..", "testdata", "payouts", "auszahlungen_2026-06.csv")
	res, err := im.Import(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		Row                        int
		Outcome, Reference, Amount string
	}
	var got []line
	for _, r := range res.Rows {
		got = append(got, line{r.Row, r.Outcome, r.Reference, r.Amount})
	}
	want := []line{
		{3, "imported", "KZ-2026-0815", "5000.00"},
		{4, "imported", "KZ-2026-0816", "1234.50"},
		{5, "refused", "KZ-2026-0817", "100,00"}, // unknown district 15099
		{6, "refused", "KZ-2026-0818", "100,00"}, // two-digit year
		{7, "refused", "KZ-2026-0819", "1.234"},  // ambiguous amount
		{8, "refused", "", "10,00"},              // no reference
		{9, "refused", "KZ-2026-0815", "10,00"},  // the same reference twice in the file
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	for _, r := range res.Rows {
		if r.Outcome == "refused" && r.Message == "" {
			t.Errorf("row %d refused without a reason", r.Row)
		}
	}
	t.Run("a second import of the same list changes nothing", func(t *testing.T) {
		again, err := im.Import(context.Background(), file)
		if err != nil {
			t.Fatal(err)
		}
		if again.Imported != 0 || again.Known != 2 {
			t.Errorf("second import: %d imported, %d known; want 0 and 2", again.Imported, again.Known)
		}
		var n int
		var sum string
		st.Raw().QueryRow("SELECT count(*), CAST(sum(amount) AS VARCHAR) FROM imported_payouts").Scan(&n, &sum)
		if n != 2 || sum != "6234.50" {
			t.Errorf("stored %d payouts summing to %s, want 2 and 6234.50", n, sum)
		}
	})
	t.Run("a known reference with other figures is refused", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "x.csv")
		os.WriteFile(f, []byte("AGS,Date,Amount,Reference\n15083,2026-05-15,5001.00,KZ-2026-0815\n"), 0o644)
		res, err := im.Import(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		want := "reference KZ-2026-0815 was imported before as 15083, 2026-05-15, 5000.00; a reference stands for one payout"
		if res.Refused != 1 || res.Rows[0].Outcome != "refused" || res.Rows[0].Message != want {
			t.Errorf("%+v, want the message %q", res.Rows, want)
		}
	})
}

func TestImportAnXLSXExport(t *testing.T) {
	im, _ := importer(t)
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"District code", "Payout date", "Amount", "Reference"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"15001", 46143, 27500.0, "X-1"}) // 46143 = 2026-05-01
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellStyle("Sheet1", "B2", "B2", style)
	path := filepath.Join(t.TempDir(), "p.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	res, err := im.Import(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 1 || res.Rows[0].Date != "2026-05-01" || res.Rows[0].Amount != "27500.00" {
		t.Errorf("%+v", res.Rows)
	}
}

func TestAFileWithoutTheColumnsIsAnError(t *testing.T) {
	im, _ := importer(t)
	f := filepath.Join(t.TempDir(), "x.csv")
	os.WriteFile(f, []byte("Name;Wert\nA;1\n"), 0o644)
	_, err := im.Import(context.Background(), f)
	if want := "payouts: " + f + ": no header row"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v, want one beginning %q", err, want)
	}
}
