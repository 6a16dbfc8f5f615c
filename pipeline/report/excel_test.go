package report

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// excelTestData is a state of three districts in the second quarter of
// 2026, written out by hand so that every figure a test asserts can be
// checked with a pencil. State = sum of the districts:
//
//	                approved     eligible      grant        paid      balance
//	Börde         180,000.00    61,234.56     55,111.10   60,000.00     4,888.90
//	Mansfeld-S.   150,000.00    40,000.00     36,000.00   30,000.00    −6,000.00
//	Dessau-R.      90,000.00    12,345.67     11,111.10   11,111.10         0.00
//	state         420,000.00   113,580.23    102,222.20  101,111.10    −1,111.10
func excelTestData(lang string) *Data {
	berlin, err := time.LoadLocation("Europe/Berlin") // time/tzdata: found everywhere
	if err != nil {
		panic(err)
	}
	day := func(m time.Month, d int) *time.Time {
		t := time.Date(2026, m, d, 0, 0, 0, 0, time.UTC)
		return &t
	}
	cents := func(c money.Cents) *money.Cents { return &c }
	types := []ActivityType{
		{Code: "BER", NameDE: "Beratung", NameEN: "Counselling"},
		{Code: "FORT", NameDE: "Fortbildung für Fachkräfte", NameEN: "Training for professionals"},
	}
	boerde := District{
		AGS: "15083", Name: "Börde", Kind: "Landkreis", Population: 170_000, FileNumber: "FK-2026-083",
		PlanTotal: 16_000_000,
		Plan:      map[string]money.Cents{"PERS": 14_000_000, "SACH": 800_000, "FORT": 1_200_000},
		Figures: Figures{
			Approved: 18_000_000, Eligible: 6_123_456, Grant: 5_511_110, Paid: 6_000_000,
			Balance: 488_890, InterestAtRisk: 1_234,
			ByCategory: map[string]money.Cents{"PERS": 5_000_000, "SACH": 1_000_000, "FORT": 123_456},
		},
		Trend: []QuarterFigures{
			{Quarter: 1, Status: "accepted", Eligible: 3_000_000, Cumulative: 3_000_000, Warnings: 1},
			{Quarter: 2, Status: "late", Eligible: 3_123_456, Cumulative: 6_123_456, Errors: 2, Warnings: 1},
		},
		Coordinators: 3, FTE: "2.75",
		Findings: []Finding{
			{Rule: "R07_receipt_after_period", Severity: "error", District: "15083", Quarter: 2,
				File: "15083_2026_Q2 (korrigiert).xlsx", Sheet: "Belegliste", Cell: "C12",
				Message: "Das Rechnungsdatum liegt nach dem Ende des Quartals (Prüfung: „Übernachtung“)."},
			{Rule: "R11_category_over_plan", Severity: "error", District: "15083", Quarter: 2,
				File: "15083_2026_Q2 (korrigiert).xlsx", Sheet: "Finanzplan",
				Message: "Sachausgaben überschreiten den Plan um mehr als 20 %."},
			{Rule: "R03_late", Severity: "warning", District: "15083", Quarter: 2,
				File: "15083_2026_Q2 (korrigiert).xlsx", Message: "Die Meldung ging nach der Frist ein."},
			{Rule: "R21_note", Severity: "info", District: "15083", Quarter: 1,
				File: "15083_2026_Q1.xlsx", Sheet: "Stammdaten", Cell: "B4", Message: "Hinweis zur Größe."},
		},
		Activities: []Activity{{Type: types[0], Count: 42, Participants: 130}, {Type: types[1], Count: 3, Participants: 57}},
		Narrative: []string{
			"Im zweiten Quartal wurden drei Fachtage in Haldensleben und Oschersleben durchgeführt.",
			"=HYPERLINK(\"http://example.invalid\") bleibt Text.",
		},
		Receipts: []Receipt{
			{Quarter: 1, Category: "PERS", CategoryRaw: "Personal", InvoiceDate: day(1, 31), PaymentDate: day(2, 2),
				Payee: "Landkreis Börde, Personalamt", Purpose: "Entgelt Januar Koordinierungskraft", Amount: cents(450_000),
				ReceiptNo: "B-001", Coordinator: "K-01", Eligible: true,
				File: "15083_2026_Q1.xlsx", Sheet: "Belegliste", Cell: "G5", SubmissionID: 11},
			{Quarter: 2, Category: "SACH", CategoryRaw: "Sachausgaben", InvoiceDate: day(4, 17), PaymentDate: day(4, 30),
				Payee: "=Hotel Fürstenhof", Purpose: "Übernachtung Fachtag „Prävention“", Amount: cents(23_450),
				ReceiptNo: "B-017", Coordinator: "K-02", Eligible: false,
				File: "15083_2026_Q2 (korrigiert).xlsx", Sheet: "Belegliste", Cell: "G12", SubmissionID: 14},
			{Quarter: 2, Category: "", CategoryRaw: "Sonstiges", PaymentDate: day(5, 6),
				Payee: "+49 Druckerei Müller & Söhne", Purpose: "@SUMME(A1:A9)", Amount: nil,
				ReceiptNo: "-17", Coordinator: "K-01", Eligible: false,
				File: "15083_2026_Q2 (korrigiert).xlsx", Sheet: "Belegliste", Cell: "G13", SubmissionID: 14},
		},
		Sources: []Source{
			{SubmissionID: 11, File: "15083_2026_Q1.xlsx", SHA256: strings.Repeat("ab", 32), Quarter: 1,
				Received: time.Date(2026, 4, 10, 9, 15, 0, 0, berlin), Current: true, ReaderVer: "1.4.0"},
			{SubmissionID: 13, File: "15083_2026_Q2.xlsx", SHA256: strings.Repeat("cd", 32), Quarter: 2,
				Received: time.Date(2026, 7, 14, 16, 2, 0, 0, berlin), Current: false, ReaderVer: "1.4.0"},
			{SubmissionID: 14, File: "15083_2026_Q2 (korrigiert).xlsx", SHA256: strings.Repeat("ef", 32), Quarter: 2,
				Received: time.Date(2026, 7, 16, 11, 40, 0, 0, berlin), Current: true, ReaderVer: "1.4.1"},
		},
	}
	msh := District{
		AGS: "15087", Name: "Mansfeld-Südharz", Kind: "Landkreis", Population: 130_000, FileNumber: "FK-2026-087",
		PlanTotal: 15_000_000,
		Plan:      map[string]money.Cents{"PERS": 13_000_000, "SACH": 1_000_000, "FORT": 1_000_000},
		Figures: Figures{
			Approved: 15_000_000, Eligible: 4_000_000, Grant: 3_600_000, Paid: 3_000_000, Balance: -600_000,
			ByCategory: map[string]money.Cents{"PERS": 3_500_000, "SACH": 500_000},
		},
		Trend: []QuarterFigures{
			{Quarter: 1, Status: "accepted", Eligible: 1_800_000, Cumulative: 1_800_000},
			{Quarter: 2, Status: "accepted", Eligible: 2_200_000, Cumulative: 4_000_000},
		},
		Coordinators: 2, FTE: "1.5",
		Findings: []Finding{{Rule: "R03_late", Severity: "warning", District: "15087", Quarter: 1,
			File: "15087_2026_Q1.xlsx", Message: "Die Meldung ging zwei Tage nach der Frist ein."}},
	}
	dessau := District{
		AGS: "15001", Name: "Dessau-Roßlau", Kind: "kreisfreie Stadt", Population: 75_000, FileNumber: "FK-2026-001",
		PlanTotal: 9_000_000,
		Plan:      map[string]money.Cents{"PERS": 9_000_000},
		Figures: Figures{
			Approved: 9_000_000, Eligible: 1_234_567, Grant: 1_111_110, Paid: 1_111_110,
			ByCategory: map[string]money.Cents{"PERS": 1_234_567},
		},
		Trend: []QuarterFigures{
			{Quarter: 1, Status: "missing"},
			{Quarter: 2, Status: "open", Eligible: 1_234_567, Cumulative: 1_234_567},
		},
		Coordinators: 1, FTE: "0.875",
	}
	return &Data{
		Period:         Period{Year: 2026, Quarter: 2},
		Lang:           lang,
		AsOf:           time.Date(2026, 7, 20, 0, 0, 0, 0, time.UTC),
		DataTime:       time.Date(2026, 7, 16, 11, 40, 0, 0, berlin),
		RunID:          1207,
		RuleSet:        "2026.2",
		StateBudget:    60_000_000,
		DistrictCap:    20_000_000,
		FundingRatePct: 9000,
		LineTolerance:  2000,
		Population:     375_000,
		Categories: []Category{
			{Code: "PERS", NameDE: "Personalausgaben", NameEN: "Staff costs"},
			{Code: "SACH", NameDE: "Sachausgaben", NameEN: "Material costs"},
			{Code: "FORT", NameDE: "Fortbildung", NameEN: "Training"},
		},
		ActivityTypes: types,
		Districts:     []District{boerde, msh, dessau},
		State: Figures{
			Approved: 42_000_000, Eligible: 11_358_023, Grant: 10_222_220, Paid: 10_111_110,
			Balance: -111_110, InterestAtRisk: 1_234,
		},
		ByRule: map[string][3]int{
			"R07_receipt_after_period": {1, 0, 0},
			"R11_category_over_plan":   {1, 0, 0},
			"R03_late":                 {0, 2, 0},
			"R21_note":                 {0, 0, 1},
		},
		Projections: []Projection{
			{AGS: "15083", Projected: 11_022_220, Unspent: 6_977_780},
			{AGS: "15087", Projected: 7_200_000, Unspent: 7_800_000},
			{AGS: "15001", Projected: 2_222_220, Unspent: 6_777_780},
		},
		Activities: []Activity{{Type: types[0], Count: 80, Participants: 260}, {Type: types[1], Count: 5, Participants: 91}},
	}
}

func excelCatalog(t *testing.T) *messages.Catalog {
	t.Helper()
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func excelDistrictBytes(t *testing.T, d *Data, i int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteDistrictExcel(&buf, d, &d.Districts[i], excelCatalog(t)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func excelStateBytes(t *testing.T, d *Data) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteStateExcel(&buf, d, excelCatalog(t)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func excelOpen(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// excelFixture is the test data's workbooks in one language, read back.
type excelFixture struct {
	d        *Data
	cat      *messages.Catalog
	district *excelize.File // Börde's
	state    *excelize.File
}

func newExcelFixture(t *testing.T, lang string) *excelFixture {
	t.Helper()
	d := excelTestData(lang)
	return &excelFixture{d: d, cat: excelCatalog(t),
		district: excelOpen(t, excelDistrictBytes(t, d, 0)), state: excelOpen(t, excelStateBytes(t, d))}
}

// col is a column header's text.
func (x *excelFixture) col(key string) string { return x.cat.Text(x.d.Lang, "excel.col."+key, nil) }

// label is an overview label's text.
func (x *excelFixture) label(key string) string { return x.cat.Text(x.d.Lang, "excel.label."+key, nil) }

// excelTable finds the table on sheet: the header row (where column A reads
// firstHeader) and the rows below it, read raw.
type excelTable struct {
	f      *excelize.File
	sheet  string
	header int // 1-based row of the header
	cols   []string
	rows   [][]string
}

func excelReadTable(t *testing.T, f *excelize.File, sheet, firstHeader string) *excelTable {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == firstHeader {
			return &excelTable{f: f, sheet: sheet, header: i + 1, cols: r, rows: rows[i+1:]}
		}
	}
	t.Fatalf("sheet %q has no header starting with %q", sheet, firstHeader)
	return nil
}

// cell is the reference of column header's cell in data row i (0-based).
func (tb *excelTable) cell(t *testing.T, header string, i int) string {
	t.Helper()
	c := slices.Index(tb.cols, header)
	if c < 0 {
		t.Fatalf("sheet %q has no column %q (%q)", tb.sheet, header, tb.cols)
	}
	ref, err := excelize.CoordinatesToCellName(c+1, tb.header+1+i)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// row finds the data row whose column A reads first.
func (tb *excelTable) row(t *testing.T, first string) int {
	t.Helper()
	for i, r := range tb.rows {
		if len(r) > 0 && r[0] == first {
			return i
		}
	}
	t.Fatalf("sheet %q has no row %q", tb.sheet, first)
	return -1
}

// amount reads a cell that must be a number cell holding a euro amount.
func (tb *excelTable) amount(t *testing.T, header string, i int) money.Cents {
	t.Helper()
	ref := tb.cell(t, header, i)
	excelAssertNumber(t, tb.f, tb.sheet, ref)
	raw, err := tb.f.GetCellValue(tb.sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := money.Parse(raw)
	if err != nil {
		t.Fatalf("%s!%s: %v", tb.sheet, ref, err)
	}
	return c
}

func (tb *excelTable) text(t *testing.T, header string, i int) string {
	t.Helper()
	v, err := tb.f.GetCellValue(tb.sheet, tb.cell(t, header, i), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// excelAssertNumber fails unless ref holds a number: a cell without a type
// attribute (the default, "n") or with t="n", never a string.
func excelAssertNumber(t *testing.T, f *excelize.File, sheet, ref string) {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || raw == "" {
		t.Fatalf("%s!%s is %q of type %v, want a number cell", sheet, ref, raw, typ)
	}
	if _, err := strconv.ParseFloat(raw, 64); err != nil {
		t.Fatalf("%s!%s: %q is not a number", sheet, ref, raw)
	}
}

func TestDistrictWorkbookOverviewShowsTheGrantFiguresToTheCent(t *testing.T) {
	x := newExcelFixture(t, "de")
	d, f := x.d, x.district
	tb := excelReadTable(t, f, "Übersicht", x.col("label"))
	value := x.col("value")
	fig := d.Districts[0].Figures
	for key, want := range map[string]money.Cents{
		"approved": fig.Approved, "eligible": fig.Eligible, "grant": fig.Grant, "paid": fig.Paid,
		"balance": fig.Balance, "interest": fig.InterestAtRisk, "per_thousand": d.Districts[0].PerThousand(),
		"plan_total": d.Districts[0].PlanTotal,
	} {
		i := tb.row(t, x.label(key))
		if got := tb.amount(t, value, i); got != want {
			t.Errorf("%s: %s, want %s", key, got, want)
		}
	}
	i := tb.row(t, x.label("balance"))
	// The fixture's year is open: the balance is provisional, not a claim
	// (never "zurückzufordern" while districts' fourth quarters are out).
	if got, want := tb.text(t, x.col("note"), i), "bisher mehr ausgezahlt als die Zuwendung (vorläufig)"; got != want {
		t.Errorf("balance note %q, want %q", got, want)
	}
	i = tb.row(t, x.label("utilisation"))
	excelAssertNumber(t, f, tb.sheet, tb.cell(t, value, i))
	if got, want := tb.text(t, value, i), "0.3062"; got != want { // 55,111.10 / 180,000.00
		t.Errorf("utilisation %s, want %s", got, want)
	}
	formatted, _ := f.GetCellValue(tb.sheet, tb.cell(t, value, i))
	if formatted != "30.62%" {
		t.Errorf("utilisation shows %q, want a percentage", formatted)
	}
	for key, want := range map[string]string{"coordinators": "3", "fte": "2.75", "district": "Börde", "ags": "15083"} {
		if got := tb.text(t, value, tb.row(t, x.label(key))); got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
	i = tb.row(t, x.label("as_of"))
	if got, _ := f.GetCellValue(tb.sheet, tb.cell(t, value, i)); got != "20.07.2026" {
		t.Errorf("as-of shows %q, want 20.07.2026", got)
	}
	i = tb.row(t, x.label("data_time"))
	if got, _ := f.GetCellValue(tb.sheet, tb.cell(t, value, i)); got != "16.07.2026 11:40" {
		t.Errorf("data time shows %q, want the Berlin wall clock 16.07.2026 11:40", got)
	}
	title, _ := f.GetCellValue(tb.sheet, "A1")
	if !strings.Contains(title, "Börde") || !strings.Contains(title, "2. Quartal 2026") {
		t.Errorf("title %q names neither the district nor the period", title)
	}
}

func TestDistrictWorkbookReceiptsKeepProvenanceAndSubmittedTextStaysText(t *testing.T) {
	x := newExcelFixture(t, "de")
	d, f, col := x.d, x.district, x.col
	tb := excelReadTable(t, f, "Belegliste", col("quarter"))
	receipts := d.Districts[0].Receipts
	if len(tb.rows) != len(receipts)+1 || tb.rows[len(receipts)][1] != "Summe" {
		t.Fatalf("%d rows below the header, want %d receipts and a totals row: %q", len(tb.rows), len(receipts), tb.rows)
	}
	for i, r := range receipts {
		for header, want := range map[string]string{
			"file": r.File, "sheet": r.Sheet, "cell": r.Cell, "payee": r.Payee, "purpose": r.Purpose,
			"receipt_no": r.ReceiptNo, "coordinator": r.Coordinator,
		} {
			if got := tb.text(t, col(header), i); got != want {
				t.Errorf("receipt %d %s: %q, want %q", i+1, header, got, want)
			}
		}
		if r.Amount == nil {
			if got := tb.text(t, col("amount"), i); got != "" {
				t.Errorf("receipt %d without an amount shows %q", i+1, got)
			}
			continue
		}
		if got := tb.amount(t, col("amount"), i); got != *r.Amount {
			t.Errorf("receipt %d amount %s, want %s", i+1, got, *r.Amount)
		}
	}

	t.Run("a payee beginning with = is text, not a formula", func(t *testing.T) {
		ref := tb.cell(t, col("payee"), 1)
		if formula, _ := f.GetCellFormula(tb.sheet, ref); formula != "" {
			t.Errorf("%s has the formula %q", ref, formula)
		}
		// The long sheets are streamed, their text inline: a string either way.
		if typ, _ := f.GetCellType(tb.sheet, ref); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
			t.Errorf("%s has type %v, want a string", ref, typ)
		}
		if got, _ := f.GetCellValue(tb.sheet, ref); got != "=Hotel Fürstenhof" {
			t.Errorf("%s reads %q", ref, got)
		}
		for _, ref := range []string{tb.cell(t, col("payee"), 2), tb.cell(t, col("purpose"), 2), tb.cell(t, col("receipt_no"), 2)} {
			if formula, _ := f.GetCellFormula(tb.sheet, ref); formula != "" {
				t.Errorf("%s has the formula %q", ref, formula)
			}
		}
	})
	t.Run("categories are named, an unknown one as written", func(t *testing.T) {
		for i, want := range []string{"Personalausgaben", "Sachausgaben", "Sonstiges"} {
			if got := tb.text(t, col("category"), i); got != want {
				t.Errorf("receipt %d category %q, want %q", i+1, got, want)
			}
		}
	})
	t.Run("dates are date cells in German order", func(t *testing.T) {
		ref := tb.cell(t, col("invoice_date"), 0)
		excelAssertNumber(t, f, tb.sheet, ref)
		if got, _ := f.GetCellValue(tb.sheet, ref); got != "31.01.2026" {
			t.Errorf("invoice date shows %q, want 31.01.2026", got)
		}
		if got := tb.text(t, col("invoice_date"), 2); got != "" {
			t.Errorf("a receipt without an invoice date shows %q", got)
		}
	})
	t.Run("eligibility reads ja or nein", func(t *testing.T) {
		for i, want := range []string{"ja", "nein", "nein"} {
			if got := tb.text(t, col("eligible"), i); got != want {
				t.Errorf("receipt %d eligible %q, want %q", i+1, got, want)
			}
		}
	})
}

func TestDistrictWorkbookListsItsSourcesAndNarrative(t *testing.T) {
	x := newExcelFixture(t, "de")
	d, f, col := x.d, x.district, x.col
	tb := excelReadTable(t, f, "Quellen", col("submission"))
	sources := d.Districts[0].Sources
	if len(tb.rows) != len(sources) {
		t.Fatalf("%d sources, want %d", len(tb.rows), len(sources))
	}
	for i, src := range sources {
		if got := tb.text(t, col("sha256"), i); got != src.SHA256 {
			t.Errorf("source %d hash %q, want %q", i+1, got, src.SHA256)
		}
	}
	if got := tb.text(t, col("current"), 1); got != "nein" {
		t.Errorf("the replaced Q2 file is current: %q", got)
	}
	if got, _ := f.GetCellValue(tb.sheet, tb.cell(t, col("received"), 2)); got != "16.07.2026 11:40" {
		t.Errorf("received shows %q, want the Berlin wall clock 16.07.2026 11:40", got)
	}

	nb := excelReadTable(t, f, "Sachbericht", col("number"))
	ref := nb.cell(t, col("paragraph"), 1)
	if formula, _ := f.GetCellFormula(nb.sheet, ref); formula != "" {
		t.Errorf("narrative %s has the formula %q", ref, formula)
	}
	if got := nb.text(t, col("paragraph"), 1); got != d.Districts[0].Narrative[1] {
		t.Errorf("narrative paragraph 2 reads %q", got)
	}
}

func TestDistrictWorkbookFlagsCategoriesOverThe120PercentLimit(t *testing.T) {
	x := newExcelFixture(t, "de")
	d, f, col := x.d, x.district, x.col
	tb := excelReadTable(t, f, "Plan-Ist", col("category"))
	limit := "Obergrenze (120 % des Plans)"
	if !slices.Contains(tb.cols, limit) {
		t.Fatalf("no column %q: %q", limit, tb.cols)
	}
	cases := []struct {
		category           string
		plan, actual, cap_ money.Cents
		over               string
	}{
		{"Personalausgaben", 14_000_000, 5_000_000, 16_800_000, "nein"},
		{"Sachausgaben", 800_000, 1_000_000, 960_000, "ja"},
		{"Fortbildung", 1_200_000, 123_456, 1_440_000, "nein"},
	}
	for _, c := range cases {
		i := tb.row(t, c.category)
		if got := tb.amount(t, col("plan"), i); got != c.plan {
			t.Errorf("%s plan %s, want %s", c.category, got, c.plan)
		}
		if got := tb.amount(t, col("actual"), i); got != c.actual {
			t.Errorf("%s actual %s, want %s", c.category, got, c.actual)
		}
		if got := tb.amount(t, limit, i); got != c.cap_ {
			t.Errorf("%s limit %s, want %s", c.category, got, c.cap_)
		}
		if got := tb.text(t, col("over_limit"), i); got != c.over {
			t.Errorf("%s over the limit %q, want %q", c.category, got, c.over)
		}
	}
	i := tb.row(t, "Sachausgaben")
	if got := tb.text(t, col("actual_pct"), i); got != "1.25" {
		t.Errorf("Sachausgaben actual in %% of plan %s, want 1.25", got)
	}
	if got := tb.amount(t, col("actual"), tb.row(t, "Summe")); got != d.Districts[0].Figures.Eligible {
		t.Errorf("total actual %s, want the eligible costs %s", got, d.Districts[0].Figures.Eligible)
	}
}

func TestStateWorkbookTotalsEqualTheStateFigures(t *testing.T) {
	x := newExcelFixture(t, "de")
	d, f, col, cat := x.d, x.state, x.col, x.cat

	tb := excelReadTable(t, f, "Kreise", col("ags"))
	if len(tb.rows) < len(d.Districts)+1 {
		t.Fatalf("%d rows, want %d districts and a totals row", len(tb.rows), len(d.Districts))
	}
	for i, dist := range d.Districts {
		if got := tb.text(t, col("district"), i); got != dist.Name {
			t.Errorf("row %d is %q, want %q", i+1, got, dist.Name)
		}
		if got := tb.amount(t, col("grant"), i); got != dist.Figures.Grant {
			t.Errorf("%s grant %s, want %s", dist.Name, got, dist.Figures.Grant)
		}
		if got := tb.amount(t, col("per_thousand"), i); got != dist.PerThousand() {
			t.Errorf("%s per 1,000 inhabitants %s, want %s", dist.Name, got, dist.PerThousand())
		}
	}
	total := tb.row(t, "Summe")
	for header, want := range map[string]money.Cents{
		"approved": d.State.Approved, "eligible_costs": d.State.Eligible, "grant": d.State.Grant,
		"paid": d.State.Paid, "balance": d.State.Balance,
	} {
		if got := tb.amount(t, col(header), total); got != want {
			t.Errorf("total %s %s, want d.State's %s", header, got, want)
		}
	}
	if got := tb.text(t, col("utilisation"), total); got != "0.2434" { // 102,222.20 / 420,000.00
		t.Errorf("total utilisation %s, want 0.2434", got)
	}
	status := cat.Text("de", "excel.col.quarter_status", messages.Args{"quarter": "1"})
	if got := tb.text(t, status, tb.row(t, "15001")); got != "fehlt" {
		t.Errorf("Dessau-Roßlau Q1 status %q, want fehlt", got)
	}
	if got := tb.text(t, cat.Text("de", "excel.col.quarter_status", messages.Args{"quarter": "3"}), 0); got != "" {
		t.Errorf("a quarter after the period shows %q", got)
	}

	ov := excelReadTable(t, f, "Übersicht", col("label"))
	for key, want := range map[string]money.Cents{
		"grant": d.State.Grant, "state_budget": d.StateBudget, "paid": d.State.Paid,
		"budget_remaining": d.StateBudget - d.State.Grant,
	} {
		if got := ov.amount(t, col("value"), ov.row(t, x.label(key))); got != want {
			t.Errorf("overview %s %s, want %s", key, got, want)
		}
	}

	findings := excelReadTable(t, f, "Alle Feststellungen", col("ags"))
	n := 0
	for _, dist := range d.Districts {
		n += len(dist.Findings)
	}
	if len(findings.rows) != n {
		t.Errorf("%d findings, want %d", len(findings.rows), n)
	}
	if got := findings.text(t, col("district"), n-1); got != "Mansfeld-Südharz" {
		t.Errorf("last finding is of %q, want Mansfeld-Südharz", got)
	}

	rules := excelReadTable(t, f, "Feststellungen je Regel", col("rule"))
	if got := rules.text(t, col("warnings"), rules.row(t, "R03_late")); got != "2" {
		t.Errorf("R03_late warnings %s, want 2", got)
	}
	proj := excelReadTable(t, f, "Prognose", col("ags"))
	if got := proj.amount(t, col("unspent"), proj.row(t, "Summe")); got != 21_555_560 {
		t.Errorf("total unspent %s, want 215,555.60", got)
	}
}

func TestEveryTableHasABoldHeaderFrozenPanesAndAFilter(t *testing.T) {
	for _, lang := range []string{"de", "en"} {
		d := excelTestData(lang)
		for name, b := range map[string][]byte{"district": excelDistrictBytes(t, d, 0), "state": excelStateBytes(t, d)} {
			f := excelOpen(t, b)
			filters := map[string]string{}
			for _, dn := range f.GetDefinedName() {
				if dn.Name == "_xlnm._FilterDatabase" {
					filters[dn.Scope] = dn.RefersTo
				}
			}
			for _, sheet := range f.GetSheetList() {
				t.Run(lang+" "+name+" "+sheet, func(t *testing.T) {
					panes, err := f.GetPanes(sheet)
					if err != nil {
						t.Fatal(err)
					}
					if !panes.Freeze || panes.YSplit != 3 || panes.TopLeftCell != "A4" {
						t.Errorf("panes %+v, want frozen below the header in row 3", panes)
					}
					if !strings.Contains(filters[sheet], "!$A$3:") {
						t.Errorf("filter %q, want one from the header in row 3", filters[sheet])
					}
					id, err := f.GetCellStyle(sheet, "A3")
					if err != nil {
						t.Fatal(err)
					}
					st, err := f.GetStyle(id)
					if err != nil {
						t.Fatal(err)
					}
					if st.Font == nil || !st.Font.Bold || st.Fill.Pattern != 1 {
						t.Errorf("header style %+v %+v, want bold with a fill", st.Font, st.Fill)
					}
					if w, _ := f.GetColWidth(sheet, "A"); w < 6 {
						t.Errorf("column A is %v wide", w)
					}
				})
			}
		}
	}
}

func TestWorkbooksCarryNativeCharts(t *testing.T) {
	d := excelTestData("de")
	for name, c := range map[string]struct {
		b    []byte
		want []string
	}{
		"district": {excelDistrictBytes(t, d, 0), []string{`<barDir val="col">`, "<lineChart>"}},
		"state":    {excelStateBytes(t, d), []string{`<barDir val="bar">`}},
	} {
		t.Run(name, func(t *testing.T) {
			charts := excelZipParts(t, c.b, regexp.MustCompile(`^xl/charts/chart\d+\.xml$`))
			if len(charts) == 0 {
				t.Fatal("no xl/charts/chart*.xml")
			}
			all := strings.Join(charts, "")
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("the charts have no %s", w)
				}
			}
		})
	}
}

func TestTheSameDataGivesTheSameBytes(t *testing.T) {
	for _, lang := range []string{"de", "en"} {
		a, b := excelTestData(lang), excelTestData(lang)
		first := excelDistrictBytes(t, a, 0)
		for range 3 {
			if !bytes.Equal(first, excelDistrictBytes(t, b, 0)) {
				t.Fatalf("%s: two district workbooks of the same data differ", lang)
			}
		}
		state := excelStateBytes(t, a)
		for range 3 {
			if !bytes.Equal(state, excelStateBytes(t, b)) {
				t.Fatalf("%s: two state workbooks of the same data differ", lang)
			}
		}
		core := strings.Join(excelZipParts(t, state, regexp.MustCompile(`^docProps/core\.xml$`)), "")
		if !strings.Contains(core, "2026-07-16T09:40:00Z") {
			t.Errorf("%s: core properties %s do not carry the data's timestamp", lang, core)
		}
	}
}

func TestEnglishWorkbooksUseEnglishNamesAndFormats(t *testing.T) {
	x := newExcelFixture(t, "en")
	d, f, s := x.d, x.district, x.state
	want := []string{"Overview", "Plan vs actual", "Financing", "Quarters", "Payouts", "Interest", "Findings", "Activities", "Receipts", "Income", "Sources", "Narrative"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("district sheets %q, want %q", got, want)
	}
	tb := excelReadTable(t, f, "Receipts", "Quarter")
	if got, _ := f.GetCellValue("Receipts", tb.cell(t, "Invoice date", 0)); got != "2026-01-31" {
		t.Errorf("invoice date shows %q, want 2026-01-31", got)
	}
	if got := tb.text(t, "Cost category", 0); got != "Staff costs" {
		t.Errorf("category %q, want the English name", got)
	}
	if got, _ := f.GetCellValue("Receipts", tb.cell(t, "Amount", 0)); !strings.Contains(got, "EUR") {
		t.Errorf("amount shows %q, want a EUR format", got)
	}
	want = []string{"Overview", "Districts", "Findings by rule", "Activities", "Projection", "All findings"}
	if got := s.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("state sheets %q, want %q", got, want)
	}
	ov := excelReadTable(t, s, "Overview", "Figure")
	if got := ov.amount(t, "Value", ov.row(t, x.label("grant"))); got != d.State.Grant {
		t.Errorf("state grant %s, want %s", got, d.State.Grant)
	}
}

// Every text shown comes from the catalogue: a missing key would show as
// the key itself, so no part of any workbook may contain one.
func TestNoWorkbookShowsACatalogueKey(t *testing.T) {
	key := regexp.MustCompile(`>excel\.[a-z_.]+<`)
	for _, lang := range []string{"de", "en"} {
		d := excelTestData(lang)
		for i := range d.Districts {
			excelAssertNoKey(t, lang+" "+d.Districts[i].Name, excelDistrictBytes(t, d, i), key)
		}
		excelAssertNoKey(t, lang+" state", excelStateBytes(t, d), key)
	}
}

func excelAssertNoKey(t *testing.T, name string, b []byte, key *regexp.Regexp) {
	t.Helper()
	for _, part := range excelZipParts(t, b, regexp.MustCompile(`\.xml$`)) {
		if k := key.FindString(part); k != "" {
			t.Errorf("%s shows the catalogue key %s", name, k)
		}
	}
}

func TestUmlautsSurviveTheRoundTrip(t *testing.T) {
	x := newExcelFixture(t, "de")
	tb := excelReadTable(t, x.state, "Kreise", "AGS")
	for i, want := range []string{"Börde", "Mansfeld-Südharz", "Dessau-Roßlau"} {
		if got := tb.rows[i][1]; got != want {
			t.Errorf("row %d: %q, want %q", i+1, got, want)
		}
	}
	if !slices.Contains(x.district.GetSheetList(), "Aktivitäten") {
		t.Errorf("sheets %q, want one named Aktivitäten", x.district.GetSheetList())
	}
}

func excelZipParts(t *testing.T, b []byte, name *regexp.Regexp) []string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range z.File {
		if !name.MatchString(f.Name) {
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(data))
	}
	return out
}

// TestTheWorkbookStampIsTheInstantOfTheDataTime: the database keeps when a
// file arrived as the programme's wall clock; the workbook's document
// properties need the instant (UTC, "Z"), not that wall clock labelled Z.
func TestTheWorkbookStampIsTheInstantOfTheDataTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		wall time.Time
		want string
	}{
		{time.Date(2026, 7, 16, 11, 40, 0, 0, time.UTC), "2026-07-16T09:40:00Z"}, // summer time, UTC+2
		{time.Date(2027, 1, 14, 11, 29, 0, 0, time.UTC), "2027-01-14T10:29:00Z"}, // winter time, UTC+1
	} {
		d := excelTestData("de")
		d.DataTime, d.Location = c.wall, berlin
		core := strings.Join(excelZipParts(t, excelStateBytes(t, d), regexp.MustCompile(`^docProps/core\.xml$`)), "")
		if !strings.Contains(core, c.want) {
			t.Errorf("wall clock %s in Berlin: core properties %s, want %s", c.wall.Format("2006-01-02 15:04"), core, c.want)
		}
	}
}

// TestRawRowsAreTheStreamWritersBytes: the data rows of the streamed sheet,
// written by rawRow, give the workbook excelize's StreamWriter gave, byte
// for byte, whatever the text: blanks at either end, line feeds, markup,
// what reads as an escaped character, more than a cell holds.
func TestRawRowsAreTheStreamWritersBytes(t *testing.T) {
	for _, lang := range []string{"de", "en"} {
		d := excelTestData(lang)
		rs := d.Districts[0].Receipts
		texts := []string{" vorn", "hinten\t", "zwei\nZeilen\r\nund", "<b>&amp;</b> \"'", "_x0041_ und _x005F_x0042_ und _x005F_", "=SUM(A1)", strings.Repeat("ä", 40_000), "\x01\ufffe"}
		for i, s := range texts {
			r := rs[i%len(rs)]
			r.Payee, r.Purpose = s, texts[(i+1)%len(texts)]
			rs = append(rs, r)
		}
		d.Districts[0].Receipts = rs
		raw := excelDistrictBytes(t, d, 0)
		rawRows = false
		streamed := excelDistrictBytes(t, d, 0)
		rawRows = true
		if state, stateStreamed := excelStateBytes(t, d), func() []byte {
			rawRows = false
			defer func() { rawRows = true }()
			return excelStateBytes(t, d)
		}(); !bytes.Equal(state, stateStreamed) {
			t.Errorf("%s: the state workbooks differ", lang)
		}
		if !bytes.Equal(raw, streamed) {
			a := strings.Join(excelZipParts(t, raw, regexp.MustCompile(`^xl/worksheets/`)), "\n")
			b := strings.Join(excelZipParts(t, streamed, regexp.MustCompile(`^xl/worksheets/`)), "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("%s: the workbooks differ; sheets at byte %d:\nraw      %q\nstreamed %q", lang, i, a[max(0, i-200):min(len(a), i+200)], b[max(0, i-200):min(len(b), i+200)])
				}
			}
			t.Fatalf("%s: the workbooks differ (sheets %d and %d bytes)", lang, len(a), len(b))
		}
	}
}

// A row whose wrapped text needs more than one line says how high it is:
// LibreOffice keeps the height a row states (one line when it states none)
// and drew the second line of a long payee or file name over the next row.
// Rows whose texts fit keep the default height; so does a header whose
// titles fit.
func TestRowsOfWrappedTextAreAsHighAsTheirLines(t *testing.T) {
	d := excelTestData("de")
	rs := d.Districts[0].Receipts
	long := rs[0]
	long.Payee = "Nahverkehrsservice Sachsen-Anhalt GmbH, Regionalbereich Magdeburg, Abteilung Fahrausweise"
	short := rs[0]
	short.Payee = "Stadtwerke"
	d.Districts[0].Receipts = []Receipt{short, long}
	f, err := excelize.OpenReader(bytes.NewReader(excelDistrictBytes(t, d, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := excelCatalog(t).Text("de", "excel.sheet.receipts", nil)
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	height := map[string]float64{}
	for i, r := range rows {
		for _, c := range r {
			if c == short.Payee || c == long.Payee {
				if height[c], err = f.GetRowHeight(sheet, i+1); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// 28 characters a line: the long payee takes four lines of 15 points.
	if h := height[long.Payee]; h < 4*15 {
		t.Errorf("the row of a payee of %d characters is %v points high, want at least 60", len(long.Payee), h)
	}
	if h := height[short.Payee]; h != 15 {
		t.Errorf("the row of a short payee is %v points high, want the default 15", h)
	}
	if h, _ := f.GetRowHeight(sheet, 3); h < 2*15 {
		t.Errorf("the header row (Rechnungsdatum in 13 characters) is %v points high, want at least 30", h)
	}
}

func TestWrappedLines(t *testing.T) {
	for _, c := range []struct {
		text  string
		width float64
		want  int
	}{
		{"", 10, 1},
		{"kurz", 10, 1},
		{"genau zehn", 11, 1},
		{"zwei Wörter", 8, 2},
		{"eins\nzwei", 30, 2},
		{"Quartalsmeldung_2026-Q1_15083_Boerde.xlsx", 30, 2},
		{strings.Repeat("x", 100_000), 10, maxWrappedLines},
	} {
		if got := wrappedLines(c.text, c.width); got != c.want {
			t.Errorf("wrappedLines(%.20q, %v) = %d, want %d", c.text, c.width, got, c.want)
		}
	}
}

// Every font of the district's and the state's workbooks names its family:
// LibreOffice showed the body cells, whose fonts named none, in a serif
// font of its own, wider than Calibri, so that texts wrapped that fit.
func TestEveryFontOfTheWorkbooksNamesItsFamily(t *testing.T) {
	d := excelTestData("de")
	for name, b := range map[string][]byte{"district": excelDistrictBytes(t, d, 0), "state": excelStateBytes(t, d)} {
		styles := strings.Join(excelZipParts(t, b, regexp.MustCompile(`^xl/styles\.xml$`)), "")
		fonts := regexp.MustCompile(`<font>.*?</font>`).FindAllString(styles, -1)
		if len(fonts) == 0 {
			t.Fatalf("%s: no fonts in the styles", name)
		}
		for _, f := range fonts {
			if !strings.Contains(f, "<name ") {
				t.Errorf("%s: a font without a family: %s", name, f)
			}
		}
	}
}
