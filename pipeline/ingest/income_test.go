package ingest_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/form"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/money"
)

// TestIncomeLandsWithItsSubmission: the income lines of the Einnahmen sheet
// are stored in the transaction of their submission, so they count exactly
// when the submission does.
func TestIncomeLandsWithItsSubmission(t *testing.T) {
	received := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	income := func(_ *excelize.File, d *form.Data) {
		d.Income = []form.Row{
			incomeRow(1, "Drittmittel", day(2026, 2, 16), "Bundesamt für Migration und Flüchtlinge", "Zuschuss", money.Cents(300000)),
			incomeRow(2, "Teilnahmebeiträge", day(2026, 3, 5), "Teilnehmende", "Beiträge Fachtag", money.Cents(24000)),
			incomeRow(3, "Drittmittel", day(2026, 3, 20), "Bundesamt für Migration und Flüchtlinge", "Rückzahlung", money.Cents(-50000)),
		}
	}
	write := func(t *testing.T, e *env, name string, fx fixture) string {
		t.Helper()
		p := filepath.Join(e.dir.Inbox(), "15083", name)
		if err := os.WriteFile(p, workbookBytes(fx, t), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, received, received); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("a workbook with income lands its lines, 2,740.00 EUR net of a refund, with district, year and quarter", func(t *testing.T) {
		e := newEnv(t)
		write(t, e, "einnahmen.xlsx", fixture{edit: income})
		res := e.ingest(t)
		if got := res.Files[0]; got.Outcome != ingest.Accepted || got.Income != 3 {
			t.Fatalf("outcome %s with %d income lines, want accepted with 3", got.Outcome, got.Income)
		}
		var n int
		var sum, district, file string
		var year, quarter int
		err := e.st.Raw().QueryRow(`SELECT count(*), sum(amount)::VARCHAR, min(district), min(year), min(quarter), min(file_name) FROM current_income`).
			Scan(&n, &sum, &district, &year, &quarter, &file)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 || sum != "2740.00" || district != "15083" || year != 2026 || quarter != 1 || file != "einnahmen.xlsx" {
			t.Errorf("current_income: %d lines, %s EUR, %s %d Q%d %s; want 3 lines, 2740.00 EUR, 15083 2026 Q1 einnahmen.xlsx",
				n, sum, district, year, quarter, file)
		}
		if got := e.count(t, `SELECT count(*) FROM current_income WHERE row_no = 4 AND amount = -500 AND amount_cell = 'F4' AND income_type = 'DRITT'`); got != 1 {
			t.Errorf("the refund is not stored as -500.00 at F4")
		}
	})

	t.Run("a workbook rejected after its income was read lands no current income", func(t *testing.T) {
		e := newEnv(t)
		// The Aktivitäten sheet, read after the Einnahmen, has no header.
		write(t, e, "ohne_kopf.xlsx", fixture{edit: income, after: func(f *excelize.File) { f.SetCellStr("Aktivitäten", "B1", "Was") }})
		res := e.ingest(t)
		if got := res.Files[0].Outcome; got != ingest.Rejected {
			t.Fatalf("outcome %s, want rejected", got)
		}
		if got := e.count(t, `SELECT count(*) FROM current_income`); got != 0 {
			t.Errorf("%d income lines of a rejected workbook count", got)
		}
	})

	t.Run("a later submission for the quarter replaces the earlier one's income", func(t *testing.T) {
		e := newEnv(t)
		write(t, e, "erste.xlsx", fixture{edit: income})
		e.ingest(t)
		received = received.Add(time.Hour)
		write(t, e, "zweite.xlsx", fixture{edit: func(f *excelize.File, d *form.Data) {
			income(f, d)
			d.Income = d.Income[:1]
		}})
		e.ingest(t)
		var sum, file string
		if err := e.st.Raw().QueryRow(`SELECT sum(amount)::VARCHAR, min(file_name) FROM current_income`).Scan(&sum, &file); err != nil {
			t.Fatal(err)
		}
		if sum != "3000.00" || file != "zweite.xlsx" {
			t.Errorf("current income %s EUR from %s, want 3000.00 from zweite.xlsx", sum, file)
		}
	})
}
