package report_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/report"
)

// settledYear is 2026 as of 1 February 2027, written out by hand so that
// every figure a test asserts can be checked with a pencil.
//
// Börde (settled): eligible 85,000.00 staff + 2,000.00 material = 87,000.00
// (a material line of 500.00 is not eligible); income 1,000.00 + 234.56 =
// 1,234.56 counted (99.00 not); net 85,765.44; × 90 % = 77,188.896 →
// 77,188.90, below approval and cap: the grant. Own share 8,576.54. Paid
// 4 × 27,500.00 = 110,000.00: repayment claim 32,811.10. Interest on the
// fourth payout: 10,000.00 × 6.27 % × 31 / 365 = 53.252 → 53.25, and
// 10,000.00 × 7.27 % × 31 / 365 = 61.745 → 61.75; 115.00 in all.
//
// Mansfeld-Südharz (settled): eligible 100,000.00, grant 90,000.00, paid
// 82,500.00: additional payment 7,500.00.
//
// Dessau-Roßlau: not settled (its fourth quarter is missing).
func settledYear(lang string) *report.Data {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	day := func(y int, m time.Month, d int) *time.Time {
		t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return &t
	}
	cents := func(c money.Cents) *money.Cents { return &c }
	receipt := func(q int, cat string, paid *time.Time, payee, purpose string, amount money.Cents, no string, eligible bool, cell string) report.Receipt {
		return report.Receipt{Quarter: q, Category: cat, CategoryRaw: cat, PaymentDate: paid, Payee: payee, Purpose: purpose, Amount: cents(amount),
			ReceiptNo: no, Eligible: eligible, File: fmt.Sprintf("15083_2026_Q%d.xlsx", q), Sheet: "Belegliste", Cell: cell}
	}
	quarterly := func(amount money.Cents) []report.Payout {
		var ps []report.Payout
		for q := 1; q <= 4; q++ {
			d := time.Date(2026, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
			covered := d.AddDate(0, 1, 0)
			ps = append(ps, report.Payout{Date: d, Amount: amount, Reference: fmt.Sprintf("Abschlag %d/2026", q), Due: d.AddDate(0, 0, 60), CoveredOn: &covered})
		}
		return ps
	}
	boerde := report.District{
		AGS: "15083", Name: "Börde", Kind: "Landkreis", Population: 170_000, FileNumber: "MI-41-2026-083",
		PlanTotal: 12_222_222,
		Plan:      map[string]money.Cents{"PERS": 10_000_000, "SACH": 2_222_222},
		Figures: report.Figures{
			Approved: 11_000_000, Eligible: 8_700_000, Income: 123_456, PlannedIncome: 200_000, Grant: 7_718_890,
			Paid: 11_000_000, Balance: 3_281_110, InterestAtRisk: 11_500, Settled: true,
			ByCategory: map[string]money.Cents{"PERS": 8_500_000, "SACH": 200_000},
		},
		Findings: []report.Finding{
			{Rule: "FUNDING_RATE", Severity: "error", District: "15083", Message: "Ausgezahlt 110.000,00 € liegen über 90 % der Nettoausgaben."},
			{Rule: "INCOME_REDUCES_GRANT", Severity: "info", District: "15083", Message: "Einnahmen 1.234,56 € mindern die Zuwendung."},
			{Rule: "AMOUNT", Severity: "error", District: "15083", Quarter: 3, Sheet: "Belegliste", Cell: "G9", Message: "Betrag nicht lesbar."},
		},
		Receipts: []report.Receipt{
			receipt(1, "PERS", day(2026, 3, 31), "Kreiskasse Börde", "Entgelt Q1", 3_000_000, "", true, "G5"),
			receipt(2, "PERS", day(2026, 6, 30), "Kreiskasse Börde", "Entgelt Q2", 3_000_000, "", true, "G5"),
			receipt(4, "PERS", day(2026, 12, 30), "Kreiskasse Börde", "Entgelt Q4", 2_500_000, "", true, "G5"),
			receipt(1, "SACH", day(2026, 2, 10), "Müller Büroservice GmbH", "Büromaterial", 123_456, "R-1", true, "G6"),
			receipt(3, "SACH", day(2026, 8, 3), "=Hotel Fürstenhof", "Übernachtung Fachtag „Prävention“", 76_544, "R-2", true, "G6"),
			receipt(3, "SACH", day(2026, 8, 4), "Druckerei", "Flyer", 50_000, "R-3", false, "G9"),
		},
		Income: []report.IncomeLine{
			{Quarter: 2, Type: "DRITT", Date: day(2026, 5, 4), Source: "Stiftung Nord", Purpose: "Fachtag", Amount: cents(100_000), Counted: true, File: "15083_2026_Q2.xlsx", Sheet: "Einnahmen", Cell: "F5"},
			{Quarter: 3, Type: "TEILN", Date: day(2026, 8, 4), Source: "Teilnehmende", Purpose: "Beiträge Fachtag", Amount: cents(23_456), Counted: true, File: "15083_2026_Q3.xlsx", Sheet: "Einnahmen", Cell: "F5"},
			{Quarter: 3, Type: "", TypeRaw: "Spende", Date: day(2026, 8, 9), Source: "Verein", Purpose: "Spende", Amount: cents(9_900), Counted: false, File: "15083_2026_Q3.xlsx", Sheet: "Einnahmen", Cell: "F6"},
		},
		Payouts:     quarterly(2_750_000),
		Sachbericht: [4][]string{{"Im ersten Quartal lag der Schwerpunkt auf der Netzwerkarbeit.", "Ein Runder Tisch wurde eingerichtet."}, nil, {"Fachtag „Prävention“ in Haldensleben."}, {"Das Jahr schloss mit der Auswertung."}},
	}
	last := &boerde.Payouts[3]
	last.CoveredOn, last.OpenNow, last.Interest = nil, 1_000_000, 11_500
	last.Periods = []report.InterestPeriod{
		{From: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), Open: 1_000_000, RatePPM: 62_700, Days: 31, Interest: 5_325},
		{From: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), Open: 1_000_000, RatePPM: 72_700, Days: 31, Interest: 6_175},
	}
	msh := report.District{
		AGS: "15087", Name: "Mansfeld-Südharz", Kind: "Landkreis", Population: 130_000, FileNumber: "MI-41-2026-087",
		PlanTotal: 12_222_222, Plan: map[string]money.Cents{"PERS": 12_222_222},
		Figures: report.Figures{Approved: 11_000_000, Eligible: 10_000_000, Grant: 9_000_000, Paid: 8_250_000, Balance: -750_000, Settled: true,
			ByCategory: map[string]money.Cents{"PERS": 10_000_000}},
		Receipts: []report.Receipt{{Quarter: 4, Category: "PERS", PaymentDate: day(2026, 12, 1), Payee: "Kreiskasse", Purpose: "Entgelte", Amount: cents(10_000_000),
			Eligible: true, File: "15087_2026_Q4.xlsx", Sheet: "Belegliste", Cell: "G5"}},
		Payouts: quarterly(2_750_000)[:3],
	}
	dessau := report.District{
		AGS: "15001", Name: "Dessau-Roßlau", Kind: "kreisfreie Stadt", Population: 75_000, FileNumber: "MI-41-2026-001",
		PlanTotal: 12_222_222, Plan: map[string]money.Cents{"PERS": 12_222_222},
		Figures: report.Figures{Approved: 11_000_000, Eligible: 5_000_000, Grant: 4_500_000, Paid: 8_250_000, Balance: 3_750_000,
			ByCategory: map[string]money.Cents{"PERS": 5_000_000}},
	}
	return &report.Data{
		Period: report.Period{Year: 2026}, Lang: lang,
		AsOf:     time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC),
		DataTime: time.Date(2027, 1, 14, 10, 30, 0, 0, berlin),
		RunID:    42, RuleSet: "2026.4",
		StateBudget: 154_000_000, DistrictCap: 11_000_000, FundingRatePct: 9000, LineTolerance: 2000, Population: 375_000,
		Categories:  []report.Category{{Code: "PERS", NameDE: "Personalausgaben", NameEN: "Staff costs"}, {Code: "SACH", NameDE: "Sachausgaben", NameEN: "Material costs"}},
		IncomeTypes: []report.IncomeType{{Code: "DRITT", NameDE: "Drittmittel", NameEN: "Third-party funds"}, {Code: "TEILN", NameDE: "Teilnahmebeiträge", NameEN: "Participants' fees"}},
		Districts:   []report.District{boerde, msh, dessau},
		ByRule:      map[string][3]int{},
	}
}

func settlementCatalog(t testing.TB) *messages.Catalog {
	t.Helper()
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// pdfText is the text of a PDF as pdftotext lays it out, with the
// non-breaking spaces of amounts read as spaces.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (Debian package poppler-utils) is needed to read the PDFs")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.ReplaceAll(string(out), "\u00a0", " ")
}

func render(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func finalPDF(t *testing.T, d *report.Data, i int) []byte {
	return render(t, func(b *bytes.Buffer) error {
		return report.WriteFinalReportPDF(b, d, &d.Districts[i], settlementCatalog(t))
	})
}

func finalExcel(t *testing.T, d *report.Data, i int) []byte {
	return render(t, func(b *bytes.Buffer) error {
		return report.WriteFinalReportExcel(b, d, &d.Districts[i], settlementCatalog(t))
	})
}

func examPDF(t *testing.T, d *report.Data, i int) []byte {
	return render(t, func(b *bytes.Buffer) error {
		return report.WriteExaminationPDF(b, d, &d.Districts[i], settlementCatalog(t))
	})
}

// rawRows are a sheet's rows with numbers as stored, not as formatted.
func rawRows(t *testing.T, b []byte, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("sheet %s: %v (sheets: %v)", sheet, err, f.GetSheetList())
	}
	return rows
}

func cellCents(t *testing.T, s string) money.Cents {
	t.Helper()
	c, err := money.Parse(s)
	if err != nil {
		t.Fatalf("cell %q is no amount: %v", s, err)
	}
	return c
}

// sameAmount compares two amount cells as amounts ("32811.10" is
// "32811.1"); blank equals blank only.
func sameAmount(t *testing.T, a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	return cellCents(t, a) == cellCents(t, b)
}

func squashed(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestSettlementDocumentsAreWrittenOnceAYearIsSettled(t *testing.T) {
	names := func(t *testing.T, d *report.Data) []string {
		t.Helper()
		written, err := report.WriteAll(context.Background(), t.TempDir(), d, settlementCatalog(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, w := range written {
			if base := filepath.Base(w.Path); strings.HasPrefix(base, "Verwendungsnachweis") || strings.HasPrefix(base, "Pruefvermerk") || strings.HasPrefix(base, "Abrechnung") {
				out = append(out, base)
			}
		}
		slices.Sort(out)
		return out
	}
	t.Run("the annual reports of a settled year add each settled district's final report and examination note and the state's overview", func(t *testing.T) {
		want := []string{"Abrechnung_Sachsen-Anhalt_2026.pdf", "Abrechnung_Sachsen-Anhalt_2026.xlsx",
			"Pruefvermerk_15083_2026.pdf", "Pruefvermerk_15087_2026.pdf",
			"Verwendungsnachweis_15083_2026.pdf", "Verwendungsnachweis_15083_2026.xlsx",
			"Verwendungsnachweis_15087_2026.pdf", "Verwendungsnachweis_15087_2026.xlsx"}
		if got := names(t, settledYear("de")); !slices.Equal(got, want) {
			t.Errorf("settlement documents %v, want %v (none for Dessau-Roßlau, whose year is open)", got, want)
		}
	})
	t.Run("a year no district has settled has none", func(t *testing.T) {
		d := settledYear("de")
		for i := range d.Districts {
			d.Districts[i].Figures.Settled = false
		}
		if got := names(t, d); len(got) > 0 {
			t.Errorf("settlement documents %v for an open year", got)
		}
	})
	t.Run("a quarter's reports have none, even in a settled year", func(t *testing.T) {
		d := settledYear("de")
		d.Period = report.Period{Year: 2026, Quarter: 4}
		if got := names(t, d); len(got) > 0 {
			t.Errorf("settlement documents %v for the fourth quarter", got)
		}
	})
}

func TestTheFinalReportAddsUpToTheGrantToTheCent(t *testing.T) {
	d := settledYear("de")
	dist := &d.Districts[0]
	b := finalExcel(t, d, 0)

	t.Run("each category's receipts add up to its subtotal, its actual expenditure, and all to the eligible expenditure", func(t *testing.T) {
		rows := rawRows(t, b, "Belegliste")
		sums := map[string]money.Cents{}
		var total money.Cents
		subtotals := map[string]money.Cents{}
		for _, r := range rows[3:] {
			switch {
			case len(r) >= 6 && strings.HasPrefix(r[0], "Zwischensumme "):
				subtotals[strings.TrimPrefix(r[0], "Zwischensumme ")] = cellCents(t, r[5])
			case len(r) >= 6 && r[0] == "zuwendungsfähige Ausgaben insgesamt":
				total = cellCents(t, r[5])
			case len(r) >= 6:
				sums[r[0]] += cellCents(t, r[5])
			}
		}
		for code, name := range map[string]string{"PERS": "Personalausgaben", "SACH": "Sachausgaben"} {
			if sums[name] != dist.Figures.ByCategory[code] || subtotals[name] != dist.Figures.ByCategory[code] {
				t.Errorf("%s: lines add up to %s, subtotal %s, actual expenditure %s", name, sums[name], subtotals[name], dist.Figures.ByCategory[code])
			}
		}
		if total != 8_700_000 || total != dist.Figures.Eligible {
			t.Errorf("Belegliste total %s, eligible expenditure %s, want 87000.00", total, dist.Figures.Eligible)
		}
	})
	t.Run("the statement of figures shows income 1,234.56 against 2,000.00 planned and the categories against their plan", func(t *testing.T) {
		rows := rawRows(t, b, "Nachweis")
		want := map[string][]string{
			"Drittmittel":                         {"", "1000"},
			"Teilnahmebeiträge":                   {"", "234.56"},
			"Einnahmen insgesamt":                 {"2000", "1234.56", "-765.44"},
			"Personalausgaben":                    {"100000", "85000", "-15000"},
			"Sachausgaben":                        {"22222.22", "2000", "-20222.22"},
			"zuwendungsfähige Ausgaben insgesamt": {"122222.22", "87000", "-35222.22"},
		}
		seen := 0
		for _, r := range rows[3:] {
			w, ok := want[r[0]]
			if !ok {
				continue
			}
			seen++
			for i, v := range w {
				if v != "" && cellCents(t, r[i+1]) != cellCents(t, v) {
					t.Errorf("%s column %d: %s, want %s", r[0], i+2, r[i+1], v)
				}
			}
		}
		if seen != len(want) {
			t.Errorf("%d of %d lines found: %q", seen, len(want), rows)
		}
	})
	t.Run("the computation ends in the grant and the own share", func(t *testing.T) {
		got := map[string]string{}
		for _, r := range rawRows(t, b, "Übersicht")[3:] {
			if len(r) >= 2 {
				got[r[0]] = r[1]
			}
		}
		for label, want := range map[string]money.Cents{
			"zuwendungsfähige Ausgaben": 8_700_000, "− Einnahmen": 123_456, "= Nettoausgaben": 8_576_544,
			"× Fördersatz 90 % (auf den Cent gerundet)":                7_718_890,
			"Zuwendung (der kleinste der drei Beträge, nicht unter 0)": dist.Figures.Grant,
			"Eigenanteil (Nettoausgaben − Zuwendung)":                  857_654,
		} {
			if v, ok := got[label]; !ok || cellCents(t, v) != want {
				t.Errorf("%s: %q, want %s", label, v, want)
			}
		}
	})
	t.Run("a quarter without a narrative says keine Angaben", func(t *testing.T) {
		rows := rawRows(t, b, "Sachbericht")
		var q2 []string
		for _, r := range rows[3:] {
			if r[0] == "2" {
				q2 = append(q2, r[len(r)-1])
			}
		}
		if !slices.Equal(q2, []string{"keine Angaben"}) {
			t.Errorf("second quarter %q, want keine Angaben", q2)
		}
	})
	t.Run("the workbook prints on A4 with its header repeated and keeps amounts as numbers", func(t *testing.T) {
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, sheet := range f.GetSheetList() {
			pl, err := f.GetPageLayout(sheet)
			if err != nil || pl.Size == nil || *pl.Size != 9 {
				t.Errorf("%s: page size %v (%v), want A4 (9)", sheet, pl.Size, err)
			}
		}
		n := 0
		for _, dn := range f.GetDefinedName() {
			if dn.Name == "_xlnm.Print_Titles" {
				n++
			}
		}
		if n != len(f.GetSheetList()) {
			t.Errorf("%d print titles for %d sheets", n, len(f.GetSheetList()))
		}
		if typ, _ := f.GetCellType("Belegliste", "F4"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("Belegliste F4 is of type %v, want a number", typ)
		}
	})

	text := squashed(pdfText(t, finalPDF(t, d, 0)))
	for _, want := range []string{
		"Verwendungsnachweis 2026",
		"Aktenzeichen des Zuwendungsbescheids MI-41-2026-083",
		"Stand der Daten (letzte eingegangene Meldung) 14.01.2027 10:30",
		"Einnahmen insgesamt 2.000,00 € 1.234,56 € -765,44 € 61,73 %",
		"zuwendungsfähige Ausgaben insgesamt 122.222,22 € 87.000,00 € -35.222,22 € 71,18 %",
		"= Nettoausgaben 85.765,44 €",
		"× Fördersatz 90,00 % (auf den Cent gerundet) 77.188,90 €",
		"Zuwendung (der kleinste der drei Beträge, nicht unter 0) 77.188,90 €",
		"Eigenanteil (Nettoausgaben − Zuwendung) 8.576,54 €",
		"Zwischensumme Personalausgaben 85.000,00 €",
		"Zwischensumme Sachausgaben 2.000,00 €",
		"Summe zuwendungsfähige Ausgaben 87.000,00 €",
		"Summe Einnahmen 1.234,56 €",
		"2. Quartal keine Angaben",
		"Es wird bestätigt, dass die Ausgaben notwendig waren, dass wirtschaftlich und sparsam verfahren worden ist und die Angaben mit den Büchern und Belegen übereinstimmen.",
		"Ort, Datum", "Unterschrift", "Name in Druckbuchstaben", "Funktion",
	} {
		t.Run("the PDF says "+want, func(t *testing.T) {
			if !strings.Contains(text, want) {
				t.Errorf("not in the final report:\n%s", text)
			}
		})
	}
	t.Run("the PDF lists the counted income and leaves out the line that does not count", func(t *testing.T) {
		if !strings.Contains(text, "Stiftung Nord") || strings.Contains(text, "Verein") {
			t.Errorf("income lines wrong:\n%s", text)
		}
	})
}

func TestTheExaminationNoteStatesTheBalanceAsClaimOrAdditionalPayment(t *testing.T) {
	for _, c := range []struct {
		name     string
		district int
		edit     func(*report.Figures)
		want     []string
		not      []string
	}{
		{name: "more paid out than the grant fixed is a repayment claim", district: 0,
			want: []string{"Die Zuwendung für das Haushaltsjahr 2026 wird festgesetzt auf 77.188,90 €", "Summe 110.000,00 € 10.000,00 €", "ausgezahlt 110.000,00 €", "Rückforderung 32.811,10 €"},
			not:  []string{"Nachzahlung"}},
		{name: "less paid out than the grant fixed is an additional payment", district: 1,
			want: []string{"festgesetzt auf 90.000,00 €", "Nachzahlung 7.500,00 €"}, not: []string{"Rückforderung"}},
		{name: "paid out exactly the grant is settled in full", district: 1,
			edit: func(f *report.Figures) { f.Paid, f.Balance = f.Grant, 0 },
			want: []string{"ausgeglichen"}, not: []string{"Rückforderung", "Nachzahlung"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := settledYear("de")
			if c.edit != nil {
				c.edit(&d.Districts[c.district].Figures)
			}
			text := squashed(pdfText(t, examPDF(t, d, c.district)))
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q not in the examination note:\n%s", w, text)
				}
			}
			for _, w := range c.not {
				if strings.Contains(text, w) {
					t.Errorf("%q in the examination note:\n%s", w, text)
				}
			}
		})
	}
	t.Run("the findings about the money are listed, those about cells are not, and the lines not eligible are summed", func(t *testing.T) {
		text := squashed(pdfText(t, examPDF(t, settledYear("de"), 0)))
		for _, w := range []string{"FUNDING_RATE", "INCOME_REDUCES_GRANT", "Sachausgaben 1 500,00 €"} {
			if !strings.Contains(text, w) {
				t.Errorf("%q not in the examination note:\n%s", w, text)
			}
		}
		if strings.Contains(text, "Betrag nicht lesbar") {
			t.Errorf("a cell's finding is in the examination note:\n%s", text)
		}
	})
}

// Every interest line can be multiplied out: open × rate × days / 365,
// rounded to the cent; the lines add up to the interest the result states.
func TestTheInterestPeriodsMultiplyOutAndAddUpToTheInterestShown(t *testing.T) {
	text := pdfText(t, examPDF(t, settledYear("de"), 0))
	line := regexp.MustCompile(`(?m)^\s*\d\d\.\d\d\.\d{4}\s+\d\d\.\d\d\.\d{4}\s+\d\d\.\d\d\.\d{4}\s+([\d.]+,\d\d) €\s+(\d+)\s+(\d+),(\d+) %\s+([\d.]+,\d\d) €\s*$`)
	de := func(s string) money.Cents {
		return cellCents(t, strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", "."))
	}
	var sum money.Cents
	lines := line.FindAllStringSubmatch(text, -1)
	if len(lines) != 2 {
		t.Fatalf("%d interest periods shown, want 2:\n%s", len(lines), text)
	}
	for _, m := range lines {
		open, interest := de(m[1]), de(m[5])
		var days, whole, frac int64
		fmt.Sscan(m[2], &days)
		fmt.Sscan(m[3], &whole)
		fmt.Sscan(m[4], &frac)
		scale := int64(1)
		for range len(m[4]) {
			scale *= 10
		}
		// open (cents) × rate (whole + frac/scale percent) × days / 365 / 100
		num := int64(open) * (whole*scale + frac) * days
		den := int64(365 * 100 * scale)
		if want := money.Cents((num + den/2) / den); interest != want {
			t.Errorf("%s × %s,%s %% × %d / 365 = %s, the note shows %s", open, m[3], m[4], days, want, interest)
		}
		sum += interest
	}
	flat := squashed(text)
	if sum != 11_500 || !strings.Contains(flat, "Zinsen 115,00 €") {
		t.Errorf("periods add up to %s; the note:\n%s", sum, flat)
	}
}

func TestTheStateSettlementOverviewMarksOpenYearsProvisional(t *testing.T) {
	d := settledYear("de")
	b := render(t, func(b *bytes.Buffer) error { return report.WriteSettlementExcel(b, d, settlementCatalog(t)) })
	rows := rawRows(t, b, "Kreise")
	byAGS := map[string][]string{}
	for _, r := range rows[3:] {
		byAGS[r[0]] = r
		if len(r) > 1 && r[1] == "Sachsen-Anhalt insgesamt" {
			byAGS["total"] = r
		}
	}
	get := func(r []string, i int) string {
		if i < len(r) {
			return r[i]
		}
		return ""
	}
	for _, c := range []struct {
		name, ags, state, claim, additional string
	}{
		{"Börde is fixed with a repayment claim", "15083", "festgesetzt", "32811.1", "0"},
		{"Mansfeld-Südharz is fixed with an additional payment", "15087", "festgesetzt", "0", "7500"},
		{"Dessau-Roßlau is provisional, with neither", "15001", "vorläufig", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := byAGS[c.ags]
			if get(r, 6) != c.state || !sameAmount(t, get(r, 8), c.claim) || !sameAmount(t, get(r, 9), c.additional) {
				t.Errorf("row %q, want %s, claim %q, additional %q", r, c.state, c.claim, c.additional)
			}
		})
	}
	t.Run("the state's total adds up the grants of all and the claims of the settled", func(t *testing.T) {
		r := byAGS["total"]
		if cellCents(t, get(r, 5)) != 7_718_890+9_000_000+4_500_000 || cellCents(t, get(r, 8)) != 3_281_110 || cellCents(t, get(r, 9)) != 750_000 {
			t.Errorf("total row %q", r)
		}
	})
	text := squashed(pdfText(t, render(t, func(b *bytes.Buffer) error { return report.WriteSettlementPDF(b, d, settlementCatalog(t)) })))
	t.Run("the PDF shows the claim and the provisional district", func(t *testing.T) {
		for _, w := range []string{"Abrechnung Haushaltsjahr 2026", "32.811,10 €", "vorläufig", "Sachsen-Anhalt insgesamt"} {
			if !strings.Contains(text, w) {
				t.Errorf("%q not in the overview:\n%s", w, text)
			}
		}
	})
}

func TestSettlementDocumentsAreTheSameBytesForTheSameDataAndUseTheWordsOfTheRules(t *testing.T) {
	docs := map[string]func(*testing.T, *report.Data) []byte{
		"final report PDF":      func(t *testing.T, d *report.Data) []byte { return finalPDF(t, d, 0) },
		"final report workbook": func(t *testing.T, d *report.Data) []byte { return finalExcel(t, d, 0) },
		"examination note":      func(t *testing.T, d *report.Data) []byte { return examPDF(t, d, 0) },
		"state overview PDF": func(t *testing.T, d *report.Data) []byte {
			return render(t, func(b *bytes.Buffer) error { return report.WriteSettlementPDF(b, d, settlementCatalog(t)) })
		},
		"state overview workbook": func(t *testing.T, d *report.Data) []byte {
			return render(t, func(b *bytes.Buffer) error { return report.WriteSettlementExcel(b, d, settlementCatalog(t)) })
		},
	}
	for name, doc := range docs {
		t.Run("the "+name+" comes out byte for byte the same twice", func(t *testing.T) {
			if !bytes.Equal(doc(t, settledYear("de")), doc(t, settledYear("de"))) {
				t.Error("two renderings of the same data differ")
			}
		})
	}
	t.Run("no German settlement text says förderfähig", func(t *testing.T) {
		cat := settlementCatalog(t)
		for _, k := range cat.Keys() {
			if strings.HasPrefix(k, "settlement.") && strings.Contains(strings.ToLower(cat.Text("de", k, nil)), "förderfähig") {
				t.Errorf("%s says förderfähig", k)
			}
		}
		for _, name := range []string{"final report PDF", "examination note", "state overview PDF"} {
			if text := pdfText(t, docs[name](t, settledYear("de"))); strings.Contains(strings.ToLower(text), "förderfähig") {
				t.Errorf("the %s says förderfähig", name)
			}
		}
	})
	t.Run("the English documents name the German documents they are", func(t *testing.T) {
		d := settledYear("en")
		if text := squashed(pdfText(t, finalPDF(t, d, 0))); !strings.Contains(text, "Final report (Verwendungsnachweis) 2026") || !strings.Contains(text, "Repayment") && !strings.Contains(text, "Eligible expenditure") {
			t.Errorf("English final report:\n%s", text)
		}
		if text := squashed(pdfText(t, examPDF(t, d, 0))); !strings.Contains(text, "Examination note (Prüfvermerk)") || !strings.Contains(text, "Repayment claim EUR 32,811.10") {
			t.Errorf("English examination note:\n%s", text)
		}
	})
}

// Through the real pipeline: Börde sends its first, second and fourth
// quarters (no third), each with its own narrative; checked as of
// 1 February 2027 its year is over and its fourth quarter in: settled. Its
// final report shows the narratives per quarter and the eligible receipts
// adding up to the eligible expenditure; the districts that sent nothing
// are provisional in the state's overview.
func TestASettledDistrictGetsItsFinalReportFromTheRealPipeline(t *testing.T) {
	ctx := context.Background()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	cat := settlementCatalog(t)
	y, _ := p.Year(demo.Year)
	dist, _ := y.District("15083")
	dir := datadir.New(t.TempDir())
	if err := dir.Ensure(nil); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir.InboxOf(dist.AGS), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, q := range []int{1, 2, 4} {
		data := demo.Minimal(dist, q)
		data.Narrative = []string{fmt.Sprintf("Bericht zum %d. Quartal.", q)}
		b, err := demo.Workbook(y, cat, "de", form.Prefill{District: dist, Year: demo.Year, Quarter: q}, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir.InboxOf(dist.AGS), fmt.Sprintf("15083_2026_Q%d.xlsx", q))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		received := time.Date(demo.Year, time.Month(3*q+1), 8, 8, 0, 0, 0, time.UTC)
		if q == 4 {
			received = time.Date(demo.Year+1, 1, 8, 8, 0, 0, 0, time.UTC)
		}
		if err := os.Chtimes(path, received, received); err != nil {
			t.Fatal(err)
		}
	}
	st := ingestAndCheck(t, t, dir, p, cat, time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC))
	d, err := report.Load(ctx, st, p, report.Period{Year: demo.Year}, "de")
	if err != nil {
		t.Fatal(err)
	}
	var boerde *report.District
	for i := range d.Districts {
		if d.Districts[i].AGS == "15083" {
			boerde = &d.Districts[i]
		}
	}
	if boerde == nil || !boerde.Figures.Settled {
		t.Fatalf("Börde is not settled as of 1 February 2027: %+v", boerde)
	}
	out := t.TempDir()
	written, err := report.WriteAll(ctx, out, d, cat, func(dist *report.District) error { return report.LoadReceipts(ctx, st, d, dist) })
	if err != nil {
		t.Fatal(err)
	}
	var settlement []string
	for _, w := range written {
		base := filepath.Base(w.Path)
		if strings.HasPrefix(base, "Verwendungsnachweis") || strings.HasPrefix(base, "Pruefvermerk") || strings.HasPrefix(base, "Abrechnung") {
			settlement = append(settlement, base)
		}
	}
	slices.Sort(settlement)
	want := []string{"Abrechnung_Sachsen-Anhalt_2026.pdf", "Abrechnung_Sachsen-Anhalt_2026.xlsx", "Pruefvermerk_15083_2026.pdf",
		"Verwendungsnachweis_15083_2026.pdf", "Verwendungsnachweis_15083_2026.xlsx"}
	if !slices.Equal(settlement, want) {
		t.Fatalf("settlement documents %v, want %v", settlement, want)
	}
	b, err := os.ReadFile(filepath.Join(out, "2026", "Verwendungsnachweis_15083_2026.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the Sachbericht has each quarter's narrative under its quarter and keine Angaben for the third", func(t *testing.T) {
		var got []string
		for _, r := range rawRows(t, b, "Sachbericht")[3:] {
			got = append(got, r[0]+": "+r[len(r)-1])
		}
		want := []string{"1: Bericht zum 1. Quartal.", "2: Bericht zum 2. Quartal.", "3: keine Angaben", "4: Bericht zum 4. Quartal."}
		if !slices.Equal(got, want) {
			t.Errorf("Sachbericht %q, want %q", got, want)
		}
	})
	t.Run("the Belegliste adds up to the eligible expenditure the grant was computed from", func(t *testing.T) {
		var total money.Cents
		for _, r := range rawRows(t, b, "Belegliste")[3:] {
			if r[0] == "zuwendungsfähige Ausgaben insgesamt" {
				total = cellCents(t, r[5])
			}
		}
		if total == 0 || total != boerde.Figures.Eligible {
			t.Errorf("Belegliste total %s, eligible expenditure %s", total, boerde.Figures.Eligible)
		}
	})
	t.Run("the state's overview shows Börde fixed and the districts without a fourth quarter provisional", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(out, "2026", "Abrechnung_Sachsen-Anhalt_2026.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]int{}
		for _, r := range rawRows(t, b, "Kreise")[3:] {
			if len(r) > 6 && r[0] != "" {
				states[r[0]+" "+r[6]]++
			}
		}
		if states["15083 festgesetzt"] != 1 || states["15001 vorläufig"] != 1 {
			t.Errorf("states %v", states)
		}
	})
}
