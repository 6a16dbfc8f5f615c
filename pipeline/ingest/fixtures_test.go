package ingest_test

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
)

// The end-to-end cases under testdata/ingest are workbooks as districts send
// them. They are committed files, so each case can be opened and looked at;
// this generator documents how each was made and rewrites them with
//
//	go test ./pipeline/ingest -run TestWriteFixtures -write-fixtures
var (
	writeFixtures = flag.Bool("write-fixtures", false, "rewrite the workbooks under testdata/ingest")
	onlyFixtures  = flag.String("fixtures", "", "with -write-fixtures: only the cases whose name starts with this")
)

const casesDir = "../../testdata/ingest"

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// baseData is a small, correct quarter of the Börde district.
func baseData() form.Data {
	return form.Data{
		Contact: "Anna Schröder", Email: "integration@boerde.example",
		Coordinators: []form.Row{
			{form.FCoordinatorID: "BOE-1", form.FPost: "Stelle 1", form.FFTE: 1.0, form.FPayGrade: "E 11", form.FStart: day(2024, 3, 1)},
			{form.FCoordinatorID: "BOE-2", form.FPost: "Stelle 2", form.FFTE: 0.75, form.FPayGrade: "E 9b", form.FStart: day(2025, 1, 15)},
		},
		Receipts: []form.Row{
			{form.FLineNo: 1, form.FCategory: "Personalkosten", form.FInvoiceDate: day(2026, 1, 30), form.FPaymentDate: day(2026, 1, 30), form.FPayee: "Kreiskasse Börde (Bezügestelle)", form.FPurpose: "Entgelt 01/2026 BOE-1", form.FAmount: money.Cents(472393), form.FCoordinator: "BOE-1"},
			{form.FLineNo: 2, form.FCategory: "Personalkosten", form.FInvoiceDate: day(2026, 1, 30), form.FPaymentDate: day(2026, 1, 30), form.FPayee: "Kreiskasse Börde (Bezügestelle)", form.FPurpose: "Entgelt 01/2026 BOE-2", form.FAmount: money.Cents(318750), form.FCoordinator: "BOE-2"},
			{form.FLineNo: 3, form.FCategory: "Reisekosten", form.FInvoiceDate: day(2026, 2, 3), form.FPaymentDate: day(2026, 2, 10), form.FPayee: "Deutsche Bahn AG", form.FPurpose: "Fahrt zum Landesnetzwerktreffen Halle", form.FAmount: money.Cents(8940), form.FReceiptNo: "R-2026-0007"},
			{form.FLineNo: 4, form.FCategory: "Dolmetsch- und Übersetzungsleistungen", form.FInvoiceDate: day(2026, 2, 20), form.FPaymentDate: day(2026, 3, 2), form.FPayee: "Dolmetscherdienst Özdemir", form.FPurpose: "Dolmetschen Arabisch – Elternabend", form.FAmount: money.Cents(24000), form.FReceiptNo: "R-2026-0012"},
			{form.FLineNo: 5, form.FCategory: "SACH", form.FInvoiceDate: day(2026, 3, 11), form.FPaymentDate: day(2026, 3, 18), form.FPayee: "Müller Büroservice GmbH", form.FPurpose: "Büromaterial", form.FAmount: money.Cents(-1250), form.FReceiptNo: "R-2026-0015"},
		},
		Activities: []form.Row{
			{form.FDate: day(2026, 2, 12), form.FType: "Netzwerktreffen", form.FTitle: "Runder Tisch Migration Börde", form.FParticipants: 23, form.FPartners: "Caritas, Jobcenter"},
			{form.FDate: day(2026, 3, 5), form.FType: "Schulung Verwaltung", form.FTitle: "Interkulturelle Öffnung – Workshop", form.FParticipants: 14},
		},
		Narrative: []string{"Im ersten Quartal lag der Schwerpunkt auf der Netzwerkarbeit.", "Für das zweite Quartal ist ein Fachtag geplant."},
	}
}

// incomeRow is one line of the Einnahmen sheet.
func incomeRow(line int, typ string, received any, source, purpose string, amount any) form.Row {
	return form.Row{form.FIncomeLineNo: line, form.FIncomeType: typ, form.FReceivedDate: received,
		form.FSource: source, form.FIncomePurpose: purpose, form.FIncomeAmount: amount}
}

type fixture struct {
	name  string
	file  string
	inbox string // district folder the file arrives in; "" for the inbox itself
	lang  string
	ags   string
	year  int
	q     int
	edit  func(f *excelize.File, d *form.Data) // before Fill: change d; after: change f
	after func(f *excelize.File)
	raw   func() []byte // the file's bytes, for files that are no workbook
}

func fixtures() []fixture {
	set := func(sheet, cell string, v any) func(*excelize.File) {
		return func(f *excelize.File) { form.WriteCell(f, sheet, cell, v) }
	}
	_ = set
	return []fixture{
		{name: "accepted_plain", file: "Meldung_Boerde_Q1.xlsx", inbox: "15083"},
		{name: "title_row_above_header", file: "Boerde Q1 mit Titelzeilen.xlsx", inbox: "15083", after: func(f *excelize.File) {
			for _, s := range []string{"Koordinatoren", "Belegliste", "Aktivitäten"} {
				f.InsertRows(s, 1, 3)
				f.SetCellStr(s, "A1", "Landkreis Börde – Integrationskoordination")
				f.SetCellStr(s, "A2", "Quartalsmeldung 1/2026, Stand 08.04.2026")
			}
		}},
		{name: "moved_columns", file: "moved.xlsx", inbox: "15083", after: func(f *excelize.File) {
			// A district rebuilt the Belegliste in its own column order, with
			// its own extra column and headers written its own way.
			f.DeleteSheet("Belegliste")
			f.NewSheet("Belegliste")
			header := []string{"Bemerkung", "BETRAG (EUR)", "Kennung\nKoordinator", "Empfaenger", "Zweck", "lfd. Nr.", "Kostenart", "Zahlungsdatum ", "Belegdatum", "Belegnummer"}
			for i, h := range header {
				c, _ := excelize.CoordinatesToCellName(i+1, 1)
				f.SetCellStr("Belegliste", c, h)
			}
			rows := [][]any{
				{"", money.Cents(472393), "BOE-1", "Kreiskasse Börde", "Entgelt 01/2026", 1, "Personalkosten", day(2026, 1, 30), day(2026, 1, 30), nil},
				{"geprüft", money.Cents(8940), nil, "Deutsche Bahn AG", "Fahrt Halle", 2, "Reisekosten", day(2026, 2, 10), day(2026, 2, 3), "R-7"},
			}
			for r, row := range rows {
				for c, v := range row {
					cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
					form.WriteCell(f, "Belegliste", cell, v)
				}
			}
		}},
		{name: "english_headers", file: "Boerde_Q2_english.xlsx", inbox: "15083", lang: "en", q: 2, edit: func(_ *excelize.File, d *form.Data) {
			d.Receipts[2][form.FCategory] = "Travel"
			d.Receipts[2][form.FAmount] = "1,234.56"
			d.Receipts[3][form.FCategory] = "Interpreting and translation"
			d.Receipts[3][form.FAmount] = "EUR 240.00"
			d.Receipts[3][form.FPaymentDate] = "2026-05-04"
			d.Receipts[4][form.FAmount] = "-12.50"
			d.Activities[0][form.FType] = "Netzwerktreffen"
			d.Activities[1][form.FType] = "Beratung"
			for _, r := range d.Receipts {
				r[form.FInvoiceDate], r[form.FPaymentDate] = day(2026, 5, 4), day(2026, 5, 4)
			}
		}, after: func(f *excelize.File) {
			f.SetCellStr("Submission", "B7", "Q2")
		}},
		{name: "totals_row", file: "mit_summe.xlsx", inbox: "15083", after: func(f *excelize.File) {
			// Blank rows, a hidden row, a totals row and a grand total, and
			// styled empty rows far below, as LibreOffice leaves them.
			f.SetCellStr("Belegliste", "A9", "Summe")
			f.SetCellFormula("Belegliste", "G9", "SUM(G2:G6)")
			f.SetCellStr("Belegliste", "E10", "Gesamt Quartal")
			f.SetCellStr("Belegliste", "A11", "Zwischensumme:")
			f.SetCellFloat("Belegliste", "G11", 99999.99, 2, 64)
			f.SetRowVisible("Belegliste", 4, false)
			style, _ := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}}})
			f.SetCellStyle("Belegliste", "A20", "I3000", style)
		}},
		{name: "date1904", file: "mac_1904.xlsx", inbox: "15083", after: nil},
		{name: "german_number_text", file: "zahlen_als_text.xlsx", inbox: "15083", edit: func(_ *excelize.File, d *form.Data) {
			d.Receipts[0][form.FAmount] = "4.723,93 €"
			d.Receipts[1][form.FAmount] = "3187,5"
			d.Receipts[2][form.FAmount] = "89,40"
			d.Receipts[3][form.FAmount] = "EUR 240,00"
			d.Receipts[4][form.FAmount] = "-12,50"
			d.Receipts[2][form.FInvoiceDate] = "3.2.2026"
			d.Receipts[2][form.FPaymentDate] = "10.02.2026"
			d.Coordinators[1][form.FFTE] = "0,75"
			d.Activities[0][form.FParticipants] = "23"
		}},
		{name: "formula_without_cached_value", file: "formeln.xlsx", inbox: "15083", edit: func(_ *excelize.File, d *form.Data) {
			delete(d.Receipts[2], form.FAmount)
		}, after: func(f *excelize.File) {
			// G3 holds a formula Excel has computed (the value is cached);
			// G4 one that no program has computed yet.
			f.SetCellFormula("Belegliste", "G3", "3000+187.5")
			f.SetCellFormula("Belegliste", "G4", "80+9.4")
		}},
		{name: "float_noise_formula", file: "formel_rundung.xlsx", inbox: "15083", raw: func() []byte {
			// =80.50+15.29 as Excel stores its result: 95.78999999999999. The
			// office suite shows 95,79, and so does grantpipe, without a word.
			// (excelize writes 15 digits itself, so the noise goes in raw.)
			b := workbookBytes(fixture{after: func(f *excelize.File) {
				f.SetCellFloat("Belegliste", "G4", 95.79, -1, 64)
				f.SetCellFormula("Belegliste", "G4", "80.50+15.29")
			}}, nil)
			// A number result, as Excel writes it (excelize marks it a string).
			return replaceInParts(b, ` t="str"><f>80.50+15.29</f><v>95.79</v>`, `><f>80.50+15.29</f><v>95.78999999999999</v>`)
		}},
		{name: "float_noise_e_notation", file: "e_notation.xlsx", inbox: "15083", raw: func() []byte {
			// Some writers store numbers in E notation with binary noise:
			// 2.4999999999999996E2 is 250,00.
			b := workbookBytes(fixture{after: func(f *excelize.File) {
				f.SetCellFloat("Belegliste", "G5", 250, -1, 64)
			}}, nil)
			return replaceInParts(b, "<v>250</v>", "<v>2.4999999999999996E2</v>")
		}},
		{name: "ambiguous_values", file: "unklar.xlsx", inbox: "15083", edit: func(_ *excelize.File, d *form.Data) {
			d.Receipts[2][form.FAmount] = "1.234"
			d.Receipts[3][form.FAmount] = "1,234"
			d.Receipts[4][form.FAmount] = "zwölf Euro"
			d.Receipts[2][form.FPaymentDate] = "10.02.26"
			d.Receipts[3][form.FPaymentDate] = "März 2026"
			d.Receipts[4][form.FPaymentDate] = "30.02.2026"
			delete(d.Receipts[3], form.FPayee)
			d.Receipts[1][form.FAmount] = 3187.505
			d.Coordinators[1][form.FFTE] = "1.000"
			d.Coordinators[1][form.FCoordinatorID] = "boe-1"
			d.Coordinators[1][form.FPayGrade] = "TV-L 11"
			d.Activities[1][form.FType] = "Sommerfest"
			d.Activities[1][form.FParticipants] = "12,5"
		}, after: func(f *excelize.File) {
			f.SetCellStr("Meldung", "B5", "Landkreis Harz")
		}},
		// The optional Einnahmen sheet (issue 13).
		{name: "income_no_sheet", file: "ohne_einnahmen.xlsx", inbox: "15083", after: func(f *excelize.File) {
			f.DeleteSheet("Einnahmen")
		}},
		{name: "income_empty_sheet", file: "einnahmen_leer.xlsx", inbox: "15083", after: func(f *excelize.File) {
			// The district cleared the whole sheet, headers and all.
			f.DeleteSheet("Einnahmen")
			f.NewSheet("Einnahmen")
		}},
		{name: "income_with_refund", file: "einnahmen.xlsx", inbox: "15083", edit: func(_ *excelize.File, d *form.Data) {
			d.Income = []form.Row{
				incomeRow(1, "Drittmittel", day(2026, 2, 16), "Bundesamt für Migration und Flüchtlinge", "Bundesprogramm Integrationskurse – Zuschuss", money.Cents(300000)),
				incomeRow(2, "Teilnahmebeiträge", day(2026, 3, 5), "Teilnehmende Fachtag", "Beiträge Fachtag Interkulturelle Öffnung", money.Cents(24000)),
				incomeRow(3, "DRITT", day(2026, 3, 20), "Bundesamt für Migration und Flüchtlinge", "Rückzahlung: zu viel erhaltener Zuschuss", money.Cents(-50000)),
			}
		}},
		{name: "income_german_number_text", file: "einnahmen_als_text.xlsx", inbox: "15083", edit: func(_ *excelize.File, d *form.Data) {
			d.Income = []form.Row{
				incomeRow(1, "drittmittel", "16.2.2026", "Landkreis-Stiftung Börde", "Zuschuss Sprachmittlerpool", "2.500,00 €"),
				incomeRow(2, "Teilnahmebeiträge", "05.03.2026", "Teilnehmende Fachtag", "Beiträge Fachtag", "120,5"),
				incomeRow(3, "Sonstige", "2026-03-20", "Caritas", "Rückerstattung Kaution Tagungsraum", "-45,00"),
			}
		}},
		{name: "income_english", file: "Boerde_Q2_income.xlsx", inbox: "15083", lang: "en", q: 2, edit: func(_ *excelize.File, d *form.Data) {
			for _, r := range d.Receipts {
				r[form.FInvoiceDate], r[form.FPaymentDate] = day(2026, 5, 4), day(2026, 5, 4)
			}
			d.Income = []form.Row{
				incomeRow(1, "Third-party funds", "2026-05-04", "European Social Fund Plus", "ESF+ project grant", "1,234.56"),
				incomeRow(2, "Participants' fees", day(2026, 5, 12), "Participants", "Fees for the summer school", "EUR 250.00"),
			}
		}, after: func(f *excelize.File) {
			f.SetCellStr("Submission", "B7", "Q2")
		}},
		{name: "income_unknown_type", file: "einnahmen_spende.xlsx", inbox: "15083", edit: func(_ *excelize.File, d *form.Data) {
			// Not a reading problem: the rule CATEGORY reports it at B2.
			d.Income = []form.Row{incomeRow(1, "Spende", day(2026, 2, 16), "Rotary Club Haldensleben", "Spende für das Elterncafé", money.Cents(50000))}
		}},
		{name: "income_unreadable_amount", file: "einnahmen_unklar.xlsx", inbox: "15083", edit: func(_ *excelize.File, d *form.Data) {
			d.Income = []form.Row{
				incomeRow(1, "Drittmittel", day(2026, 2, 16), "Bundesamt für Migration und Flüchtlinge", "Zuschuss", "ca. 100"),
				incomeRow(2, "Teilnahmebeiträge", day(2026, 3, 5), "Teilnehmende", "Beiträge", "1.234"),
				incomeRow(3, "Sonstige", "5.3.26", "Caritas", "Erstattung", money.Cents(4500)),
			}
		}},
		{name: "income_reject_header_not_found", file: "einnahmen_ohne_geber.xlsx", inbox: "15083", edit: func(_ *excelize.File, d *form.Data) {
			d.Income = []form.Row{incomeRow(1, "Drittmittel", day(2026, 2, 16), "Bundesamt für Migration und Flüchtlinge", "Zuschuss", money.Cents(300000))}
		}, after: func(f *excelize.File) {
			// Rows below a header without its Geber column cannot be read
			// with certainty, even on an optional sheet.
			f.SetCellStr("Einnahmen", "D1", "Bemerkung")
		}},
		{name: "reject_wrong_inbox", file: "Boerde_Q1.xlsx", inbox: "15085"},
		{name: "reject_unknown_district", file: "Q1.xlsx", inbox: "", ags: "15099"},
		{name: "reject_missing_period", file: "ohne_zeitraum.xlsx", inbox: "15083", after: func(f *excelize.File) {
			f.SetCellStr("Meldung", "B6", "")
			f.SetCellStr("Meldung", "B7", "")
		}},
		{name: "reject_year_not_in_programme", file: "2019.xlsx", inbox: "15083", year: 2019},
		{name: "reject_missing_sheet", file: "ohne_belegliste.xlsx", inbox: "15083", after: func(f *excelize.File) {
			f.DeleteSheet("Belegliste")
		}},
		{name: "reject_header_not_found", file: "kopfzeile_fehlt.xlsx", inbox: "15083", after: func(f *excelize.File) {
			f.SetCellStr("Belegliste", "G1", "Summe netto")
		}},
		{name: "reject_corrupt", file: "kaputt.xlsx", inbox: "15083", raw: func() []byte {
			b := workbookBytes(fixture{}, nil)
			return b[:len(b)/2]
		}},
		{name: "reject_xls", file: "Meldung.xls", inbox: "15083", raw: func() []byte {
			return ole2(nil)
		}},
		{name: "reject_password_protected", file: "geschuetzt.xlsx", inbox: "15083", raw: func() []byte {
			return ole2([]string{"EncryptionInfo", "EncryptedPackage"})
		}},
		{name: "reject_ods", file: "Meldung.ods", inbox: "15083", raw: func() []byte {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
			w.Write([]byte("application/vnd.oasis.opendocument.spreadsheet"))
			w, _ = zw.Create("content.xml")
			w.Write([]byte(`<?xml version="1.0"?><office:document-content/>`))
			zw.Close()
			return buf.Bytes()
		}},
		{name: "reject_csv", file: "Belegliste.csv", inbox: "15083", raw: func() []byte {
			return []byte("Lfd. Nr.;Kostenart;Betrag\n1;Reisekosten;89,40\n")
		}},
		{name: "reject_zip_bomb", file: "bombe.xlsx", inbox: "15083", raw: zipBomb},
	}
}

// ole2 is the start of an OLE2 compound file (the container of .xls and of
// password-protected .xlsx), with the given stream names in its directory.
func ole2(streams []string) []byte {
	b := make([]byte, 4096)
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	off := 1024
	for _, s := range append([]string{"Root Entry"}, streams...) {
		for i, r := range s {
			b[off+2*i] = byte(r)
		}
		off += 128
	}
	return b
}

// zipBomb is a small file whose worksheet says it unpacks to 5 GiB.
func zipBomb() []byte {
	good := workbookBytes(fixture{}, nil)
	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet3.xml" {
			hdr := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, UncompressedSize64: 5 << 30, CompressedSize64: 0}
			w, _ := zw.CreateRaw(hdr)
			w.Write([]byte{0x03, 0x00}) // an empty final deflate block
			continue
		}
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		r, _ := f.Open()
		var part bytes.Buffer
		part.ReadFrom(r)
		r.Close()
		w.Write(part.Bytes())
	}
	zw.Close()
	return buf.Bytes()
}

func defaultYear(t testing.TB) (*programme.Year, *messages.Catalog) {
	t.Helper()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	y, _ := p.Year(2026)
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	return y, cat
}

// replaceInParts replaces old by new in every part of a workbook (the raw
// XML), keeping the rest of the package as it is.
func replaceInParts(b []byte, old, new string) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		panic(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			panic(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(data, []byte(old)) {
			data, found = bytes.ReplaceAll(data, []byte(old), []byte(new)), true
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	if err := zw.Close(); err != nil || !found {
		panic(fmt.Sprintf("replaceInParts: %q found %v, %v", old, found, err))
	}
	return out.Bytes()
}

// workbookBytes builds a fixture's workbook from the blank form.
func workbookBytes(fx fixture, t testing.TB) []byte {
	p, _ := programme.Default()
	y, _ := p.Year(2026)
	cat, _ := messages.Default()
	lang := fx.lang
	if lang == "" {
		lang = "de"
	}
	ags := fx.ags
	if ags == "" {
		ags = "15083"
	}
	d, ok := y.District(ags)
	if !ok {
		d = &programme.District{AGS: ags, Name: "Unbekannt"}
	}
	year, q := fx.year, fx.q
	if year == 0 {
		year = 2026
	}
	if q == 0 {
		q = 1
	}
	f, err := form.Blank(y, cat, lang, form.Prefill{District: d, Year: year, Quarter: q})
	if err != nil {
		panic(err)
	}
	if fx.name == "date1904" {
		yes := true
		f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes})
	}
	data := baseData()
	if fx.edit != nil {
		fx.edit(f, &data)
	}
	if err := form.Fill(f, lang, data); err != nil {
		panic(err)
	}
	if fx.after != nil {
		fx.after(f)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func TestWriteFixtures(t *testing.T) {
	if !*writeFixtures {
		t.Skip("run with -write-fixtures to rewrite testdata/ingest")
	}
	for _, fx := range fixtures() {
		if !strings.HasPrefix(fx.name, *onlyFixtures) {
			continue
		}
		dir := filepath.Join(casesDir, fx.name)
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var b []byte
		if fx.raw != nil {
			b = fx.raw()
		} else {
			b = workbookBytes(fx, t)
		}
		if err := os.WriteFile(filepath.Join(dir, fx.file), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "inbox"), []byte(fx.inbox+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
