package form_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/submission"
)

func setup(t *testing.T) (*programme.Programme, *programme.Year, *messages.Catalog) {
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
	return p, y, cat
}

func save(t *testing.T, f *excelize.File) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "form.xlsx")
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// describeChecks lists a sheet's data validations as "range type operator
// bounds-or-source error-style".
func describeChecks(t *testing.T, f *excelize.File, sheet string) []string {
	t.Helper()
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, dv := range dvs {
		out = append(out, describe(dv))
	}
	return out
}

func describe(dv *excelize.DataValidation) string {
	style := "(no error style)"
	if dv.ErrorStyle != nil {
		style = *dv.ErrorStyle
	}
	var parts []string
	for _, s := range []string{dv.Sqref, dv.Type, dv.Operator, dv.Formula1, dv.Formula2, style} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// locked reports for each of cells whether its style locks it.
func locked(t *testing.T, f *excelize.File, sheet string, cells map[string]bool) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for cell := range cells {
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		// A style without protection settings locks (Excel's default).
		out[cell] = st.Protection == nil || st.Protection.Locked
	}
	return out
}

func TestBlankForm(t *testing.T) {
	_, y, cat := setup(t)
	d, _ := y.District("15087")
	f, err := form.Blank(y, cat, "de", form.Prefill{District: d, Year: 2026, Quarter: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("has the sheets of the format, the instructions first and open", func(t *testing.T) {
		want := []string{"Hinweise", "Meldung", "Koordinatoren", "Belegliste", "Einnahmen", "Aktivitäten", "Sachbericht"}
		if diff := cmp.Diff(want, f.GetSheetList()); diff != "" {
			t.Error(diff)
		}
		if i := f.GetActiveSheetIndex(); i != 0 {
			t.Errorf("opens on sheet %d, want the instructions", i)
		}
	})
	t.Run("is pre-filled with district, year and quarter", func(t *testing.T) {
		for cell, want := range map[string]string{"A4": "Kreisschlüssel", "B4": "15087", "B5": "Mansfeld-Südharz", "B6": "2026", "B7": "3", "B8": "LVwA 506.2-15087/2026"} {
			if got, _ := f.GetCellValue("Meldung", cell); got != want {
				t.Errorf("Meldung!%s = %q, want %q", cell, got, want)
			}
		}
	})
	t.Run("checks every table column the reader checks", func(t *testing.T) {
		// 46023 is 1 January 2026, 46387 31 December 2026.
		want := map[string][]string{
			"Koordinatoren": {
				"C2:C5000 decimal between 0.0001 1 stop",
				"E2:E5000 date greaterThanOrEqual 1 stop",
				"F2:F5000 date greaterThanOrEqual 1 stop",
			},
			"Belegliste": {
				"A2:A5000 whole greaterThanOrEqual 1 stop",
				`B2:B5000 list "Personalkosten,Reisekosten,Fortbildung,Veranstaltungen,Sachkosten,Dolmetsch- und Übersetzungsleistungen" stop`,
				"C2:C5000 date between 46023 46387 warning",
				"D2:D5000 date between 46023 46387 stop",
				"G2:G5000 decimal notEqual 0 stop",
				"I2:I5000 list 'Koordinatoren'!$A$2:$A$5000 stop",
			},
			"Einnahmen": {
				"A2:A5000 whole greaterThanOrEqual 1 stop",
				`B2:B5000 list "Drittmittel,Teilnahmebeiträge,Sonstige" stop`,
				"C2:C5000 date between 46023 46387 stop",
				"F2:F5000 decimal notEqual 0 stop",
			},
			"Aktivitäten": {
				"A2:A5000 date between 46023 46387 stop",
				`B2:B5000 list "Netzwerktreffen,Schulung Migrant:innen,Schulung Verwaltung,Ehrenamt,Beratung,Projekt" stop`,
				"D2:D5000 whole greaterThanOrEqual 0 stop",
			},
			"Hinweise": nil, "Meldung": nil, "Sachbericht": nil,
		}
		for sheet, w := range want {
			if diff := cmp.Diff(w, describeChecks(t, f, sheet)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", sheet, diff)
			}
		}
	})
	t.Run("says on each check what is allowed, in German", func(t *testing.T) {
		dvs, _ := f.GetDataValidations("Belegliste")
		got := map[string][3]string{}
		for _, dv := range dvs {
			got[dv.Sqref] = [3]string{*dv.PromptTitle, *dv.Prompt, *dv.Error}
		}
		for sqref, want := range map[string][3]string{
			"D2:D5000": {"Zahlungsdatum", "Datum der Zahlung (TT.MM.JJJJ) im Haushaltsjahr 2026: 01.01.2026 bis 31.12.2026.",
				"Das Zahlungsdatum ist ein Datum im Haushaltsjahr 2026, vom 01.01.2026 bis zum 31.12.2026: Nur Zahlungen im Haushaltsjahr sind zuwendungsfähig."},
			"I2:I5000": {"Kennung Koordinator", "Bei Personalkosten: Kennung aus dem Blatt „Koordinatoren“ wählen. Sonst leer lassen.",
				"Nur Kennungen aus dem Blatt „Koordinatoren“ (Spalte „Kennung“) sind zulässig. Bitte die Koordinatorin oder den Koordinator zuerst dort eintragen."},
		} {
			if got[sqref] != want {
				t.Errorf("%s: %q, want %q", sqref, got[sqref], want)
			}
		}
	})
	t.Run("says on the income checks what is allowed, in German", func(t *testing.T) {
		dvs, _ := f.GetDataValidations("Einnahmen")
		got := map[string][3]string{}
		for _, dv := range dvs {
			got[dv.Sqref] = [3]string{*dv.PromptTitle, *dv.Prompt, *dv.Error}
		}
		for sqref, want := range map[string][3]string{
			"B2:B5000": {"Art", "Art der Einnahme aus der Liste wählen (Pfeil rechts neben der Zelle).",
				"Nur die Arten der Liste sind zulässig: Drittmittel, Teilnahmebeiträge oder Sonstige. Bitte aus der Liste wählen (Pfeil rechts neben der Zelle)."},
			"C2:C5000": {"Eingangsdatum", "Tag des Geldeingangs (TT.MM.JJJJ) im Haushaltsjahr 2026, in der Regel im Quartal dieser Meldung.",
				"Das Eingangsdatum ist ein Datum im Haushaltsjahr 2026, vom 01.01.2026 bis zum 31.12.2026."},
			"F2:F5000": {"Betrag", "Betrag in Euro mit zwei Nachkommastellen, z. B. 2500,00. Eine Rückzahlung früherer Einnahmen als negativer Betrag, z. B. -120,00.",
				"Der Betrag ist eine Zahl in Euro und nicht 0, z. B. 2500,00. Eine Rückzahlung wird als negativer Betrag eingetragen."},
		} {
			if got[sqref] != want {
				t.Errorf("%s: %q, want %q", sqref, got[sqref], want)
			}
		}
	})
	t.Run("explains the income sheet in the instructions", func(t *testing.T) {
		rows, err := f.GetRows("Hinweise")
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, r := range rows {
			found = found || (len(r) > 0 && strings.HasPrefix(r[0], "9. Blatt „Einnahmen“"))
		}
		if !found {
			t.Errorf("no instruction on the Einnahmen sheet in %q", rows)
		}
	})
	t.Run("locks the pre-filled values of the header sheet, without a password", func(t *testing.T) {
		p := readPackage(t, save(t, f))
		for _, sheet := range f.GetSheetList() {
			on, password := p.protection(t, sheet)
			if on != (sheet == "Meldung") || password {
				t.Errorf("%s: protected %v, with a password %v", sheet, on, password)
			}
		}
		want := map[string]bool{"A1": true, "A4": true, "B4": true, "B5": true, "B6": true, "B7": true, "B8": true, "B9": false, "B10": false}
		if diff := cmp.Diff(want, locked(t, f, "Meldung", want)); diff != "" {
			t.Errorf("locked cells (-want +got):\n%s", diff)
		}
	})
	t.Run("leaves open what the ministry has not filled in", func(t *testing.T) {
		g, err := form.Blank(y, cat, "de", form.Prefill{Year: 2026, Quarter: 3})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{"B4": false, "B5": false, "B6": true, "B7": true, "B8": false, "B9": false}
		if diff := cmp.Diff(want, locked(t, g, "Meldung", want)); diff != "" {
			t.Errorf("locked cells (-want +got):\n%s", diff)
		}
	})
	t.Run("is a package without dangling parts", func(t *testing.T) {
		if p := readPackage(t, save(t, f)).problems(); len(p) != 0 {
			t.Errorf("package problems:\n%s", strings.Join(p, "\n"))
		}
	})
	t.Run("freezes the header row of every table", func(t *testing.T) {
		for _, s := range []string{"Koordinatoren", "Belegliste", "Einnahmen", "Aktivitäten"} {
			p, err := f.GetPanes(s)
			if err != nil || !p.Freeze || p.YSplit != 1 {
				t.Errorf("%s panes: %+v %v", s, p, err)
			}
		}
	})
	t.Run("formats dates and euro amounts", func(t *testing.T) {
		for _, c := range []struct{ sheet, col, want string }{
			{"Belegliste", "C", "dd.mm.yyyy"}, {"Belegliste", "G", `#,##0.00 "€"`}, {"Koordinatoren", "E", "dd.mm.yyyy"},
			{"Einnahmen", "C", "dd.mm.yyyy"}, {"Einnahmen", "F", `#,##0.00 "€"`},
		} {
			id, err := f.GetColStyle(c.sheet, c.col)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.GetStyle(id)
			if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != c.want {
				t.Errorf("%s column %s number format %v, want %s", c.sheet, c.col, st.CustomNumFmt, c.want)
			}
		}
	})
	t.Run("sizes columns so the headers fit", func(t *testing.T) {
		if w, _ := f.GetColWidth("Belegliste", "F"); w < 30 {
			t.Errorf("Zweck column width %v", w)
		}
	})
	t.Run("reads back as an empty quarter that lacks only the contact", func(t *testing.T) {
		p, _, _ := setup(t)
		sub, err := submission.Read(save(t, f), submission.Options{Programme: p, InboxDistrict: "15087"})
		if err != nil {
			t.Fatal(err)
		}
		if sub.Rejected || sub.District != "15087" || sub.Year != 2026 || sub.Quarter != 3 || len(sub.Receipts) != 0 {
			t.Errorf("blank form read as %+v", sub)
		}
		if len(sub.Findings) != 1 || sub.Findings[0].Cell != "B9" || sub.Findings[0].Key != "value.required" {
			t.Errorf("findings %+v, want only the missing contact at B9", sub.Findings)
		}
	})
}

func TestBlankFormInEnglish(t *testing.T) {
	_, y, cat := setup(t)
	d, _ := y.District("15087")
	f, err := form.Blank(y, cat, "en", form.Prefill{District: d, Year: 2026, Quarter: 3})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Instructions", "Submission", "Coordinators", "Expenditures", "Income", "Activities", "Narrative"}, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	dvs, _ := f.GetDataValidations("Expenditures")
	var got []string
	for _, dv := range dvs {
		if dv.Sqref == "D2:D5000" || dv.Sqref == "I2:I5000" {
			got = append(got, describe(dv), *dv.ErrorTitle, *dv.Error)
		}
	}
	want := []string{
		"D2:D5000 date between 46023 46387 stop", "Payment date",
		"The payment date is a date within the budget year 2026, from 2026-01-01 to 2026-12-31: only payments within the budget year are eligible.",
		"I2:I5000 list 'Coordinators'!$A$2:$A$5000 stop", "Coordinator ID",
		"Only IDs from the sheet “Coordinators” (column “Coordinator ID”) are allowed. Please enter the coordinator there first.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	income := describeChecks(t, f, "Income")
	if want := `B2:B5000 list "Third-party funds,Participants' fees,Other" stop`; len(income) != 4 || income[1] != want {
		t.Errorf("Income checks %q, want 4 with the English income types %s", income, want)
	}
}

// TestBlankRefusesWhatExcelCannotShow: a drop-down list item with a comma
// would come out as two items, and Excel offers to repair a workbook whose
// hint or message is longer than 255 characters.
func TestBlankRefusesWhatExcelCannotShow(t *testing.T) {
	_, y, cat := setup(t)
	t.Run("a cost category with a comma", func(t *testing.T) {
		comma := *y
		comma.Categories = slices.Clone(y.Categories)
		comma.Categories[4].NameDE = "Sachkosten, Miete"
		_, err := form.Blank(&comma, cat, "de", form.Prefill{Year: 2026, Quarter: 1})
		if err == nil || !strings.Contains(err.Error(), `"Sachkosten, Miete" contains a comma`) {
			t.Errorf("error %v, want one naming the category", err)
		}
	})
	t.Run("a hint longer than 255 characters", func(t *testing.T) {
		long := fstest.MapFS{"m.toml": {Data: []byte(fmt.Sprintf("[form.hint_fte]\nde = %q\nen = %q\n", strings.Repeat("ä", 256), "x"))}}
		c, err := messages.Load(long, "m.toml")
		if err != nil {
			t.Fatal(err)
		}
		_, err = form.Blank(y, c, "de", form.Prefill{Year: 2026, Quarter: 1})
		if err == nil || !strings.Contains(err.Error(), "256 characters long, Excel takes at most 255") {
			t.Errorf("error %v, want one saying the hint is too long", err)
		}
	})
}

// record is what a round trip compares: every value the reader keeps.
type record struct {
	Coordinators [][]string
	Receipts     [][]string
	Income       [][]string
	Activities   [][]string
	Narrative    []string
}

func ds(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2006-01-02")
}

// TestFilledFormReadsBackExactly fills the form by program with many
// values, in German and in English, and reads it back.
func TestFilledFormReadsBackExactly(t *testing.T) {
	p, y, cat := setup(t)
	payees := []string{"Müller & Söhne GmbH", "=Hotel Fürstenhof", "Bäckerei „Schäfer“ – Filiale Nord", "Dolmetscherdienst Özdemir", "+49 Telefon", "Łukasz Nowak", "'apostrophe"}
	for _, lang := range []string{"de", "en"} {
		t.Run("in "+lang, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(1, 2))
			d, _ := y.District("15002")
			f, err := form.Blank(y, cat, lang, form.Prefill{District: d, Year: 2026, Quarter: 2})
			if err != nil {
				t.Fatal(err)
			}
			var data form.Data
			var want record
			data.Contact, data.Email = "Jörg Weiß", "integration@halle.example"
			ftes := []float64{1, 0.75, 0.5, 0.8}
			for i := range 4 {
				start := time.Date(2020+i, time.Month(1+i), 1+i, 0, 0, 0, 0, time.UTC)
				row := form.Row{form.FCoordinatorID: fmt.Sprintf("HAL-%d", i+1), form.FPost: fmt.Sprintf("Stelle %d", i+1),
					form.FFTE: ftes[i], form.FPayGrade: "E 1" + fmt.Sprint(i), form.FStart: start}
				end := ""
				if i == 3 {
					e := time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC)
					row[form.FEnd] = e
					end = "2026-05-14"
				}
				data.Coordinators = append(data.Coordinators, row)
				want.Coordinators = append(want.Coordinators, []string{fmt.Sprintf("HAL-%d", i+1), fmt.Sprintf("Stelle %d", i+1),
					fmt.Sprint(ftes[i]), "E 1" + fmt.Sprint(i), start.Format("2006-01-02"), end})
			}
			for i := range 300 {
				cat := y.Categories[rnd.IntN(len(y.Categories))]
				name := cat.NameDE
				if lang == "en" {
					name = cat.NameEN
				}
				amount := money.Cents(rnd.Int64N(10_000_000_000) - 100_000)
				if i == 0 {
					amount = 472393 // 4723.93, the value a float append would break
				}
				inv := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rnd.IntN(91))
				paid := inv.AddDate(0, 0, rnd.IntN(20))
				payee := payees[i%len(payees)]
				purpose := fmt.Sprintf("Zweck Nr. %d – Übersetzung", i)
				receipt := fmt.Sprintf("B-%04d", i)
				data.Receipts = append(data.Receipts, form.Row{form.FLineNo: i + 1, form.FCategory: name, form.FInvoiceDate: inv,
					form.FPaymentDate: paid, form.FPayee: payee, form.FPurpose: purpose, form.FAmount: amount, form.FReceiptNo: receipt})
				want.Receipts = append(want.Receipts, []string{fmt.Sprint(i + 1), cat.Code, inv.Format("2006-01-02"), paid.Format("2006-01-02"),
					payee, purpose, amount.String(), receipt, ""})
			}
			for i, it := range y.IncomeTypes {
				name := pick(lang, it.NameDE, it.NameEN)
				received := time.Date(2026, 4, 20+i, 0, 0, 0, 0, time.UTC)
				amount := money.Cents(123456 * (i + 1))
				if i == 2 {
					amount = -4500 // a refund
				}
				data.Income = append(data.Income, form.Row{form.FIncomeLineNo: i + 1, form.FIncomeType: name, form.FReceivedDate: received,
					form.FSource: payees[i], form.FIncomePurpose: "Einnahme " + it.NameDE, form.FIncomeAmount: amount})
				want.Income = append(want.Income, []string{fmt.Sprint(i + 1), it.Code, received.Format("2006-01-02"), payees[i], "Einnahme " + it.NameDE, amount.String()})
			}
			for i, at := range y.ActivityTypes {
				name := at.NameDE
				if lang == "en" {
					name = at.NameEN
				}
				day := time.Date(2026, 4, 10+i, 0, 0, 0, 0, time.UTC)
				data.Activities = append(data.Activities, form.Row{form.FDate: day, form.FType: name, form.FTitle: "Treffen " + at.NameDE,
					form.FParticipants: i * 7, form.FPartners: "Caritas"})
				want.Activities = append(want.Activities, []string{day.Format("2006-01-02"), at.Code, "Treffen " + at.NameDE, fmt.Sprint(i * 7), "Caritas"})
			}
			data.Narrative = []string{"Erster Absatz mit Umlauten: äöüß.", "=1+1 bleibt Text.", "Dritter Absatz."}
			want.Narrative = data.Narrative
			if err := form.Fill(f, lang, data); err != nil {
				t.Fatal(err)
			}
			sub, err := submission.Read(save(t, f), submission.Options{Programme: p, InboxDistrict: "15002"})
			if err != nil {
				t.Fatal(err)
			}
			if len(sub.Findings) != 0 || sub.Rejected {
				t.Fatalf("findings: %+v", sub.Findings)
			}
			if sub.Contact != data.Contact || sub.Email != data.Email || sub.District != "15002" || sub.Quarter != 2 {
				t.Errorf("header read as %q %q %s Q%d", sub.Contact, sub.Email, sub.District, sub.Quarter)
			}
			var got record
			for _, c := range sub.Coordinators {
				fte := ""
				if c.FTEValue != nil {
					fte = fmt.Sprint(c.FTEValue.Float())
				}
				got.Coordinators = append(got.Coordinators, []string{c.ID.Raw, c.Post.Raw, fte, c.Grade, ds(c.StartAt), ds(c.EndAt)})
			}
			for _, r := range sub.Receipts {
				amount := ""
				if r.Cents != nil {
					amount = r.Cents.String()
				}
				got.Receipts = append(got.Receipts, []string{fmt.Sprint(*r.Line), r.CategoryCod, ds(r.InvoiceAt), ds(r.PaymentAt),
					r.Payee.Raw, r.Purpose.Raw, amount, r.ReceiptNo.Raw, r.Coordinator.Raw})
			}
			for _, in := range sub.Income {
				got.Income = append(got.Income, []string{fmt.Sprint(*in.LineNo), in.Type, ds(in.Date), in.Source, in.Purpose, in.Amount.String()})
			}
			for _, a := range sub.Activities {
				got.Activities = append(got.Activities, []string{ds(a.At), a.TypeCode, a.Title.Raw, fmt.Sprint(*a.Count), a.Partners.Raw})
			}
			for _, p := range sub.Narrative {
				got.Narrative = append(got.Narrative, p.Text)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("read back (-written +read):\n%s", diff)
			}
		})
	}
}

func pick(lang, de, en string) string {
	if lang == "en" {
		return en
	}
	return de
}

// Every font of the blank form names its family: LibreOffice shows a font
// without one in a serif font of its own, wider than Calibri.
func TestEveryFontOfTheFormNamesItsFamily(t *testing.T) {
	_, y, cat := setup(t)
	d, _ := y.District("15087")
	f, err := form.Blank(y, cat, "de", form.Prefill{District: d, Year: 2026, Quarter: 3})
	if err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	if fonts := fontsWithoutName(t, buf.Bytes()); len(fonts) > 0 {
		t.Errorf("fonts without a family: %q", fonts)
	}
}

// fontsWithoutName are the <font> elements of a workbook's styles that name
// no family.
func fontsWithoutName(t *testing.T, workbook []byte) []string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(workbook), int64(len(workbook)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := z.Open("xl/styles.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	styles, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`<font>.*?</font>`).FindAll(styles, -1) {
		if !bytes.Contains(m, []byte("<name ")) {
			out = append(out, string(m))
		}
	}
	return out
}
