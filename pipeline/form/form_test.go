package form_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
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

func TestBlankForm(t *testing.T) {
	_, y, cat := setup(t)
	d, _ := y.District("15087")
	f, err := form.Blank(y, cat, "de", form.Prefill{District: d, Year: 2026, Quarter: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("has the sheets of the format in order", func(t *testing.T) {
		want := []string{"Meldung", "Koordinatoren", "Belegliste", "Aktivitäten", "Sachbericht", "Hinweise"}
		if diff := cmp.Diff(want, f.GetSheetList()); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("is pre-filled with district, year and quarter", func(t *testing.T) {
		for cell, want := range map[string]string{"A4": "Kreisschlüssel", "B4": "15087", "B5": "Mansfeld-Südharz", "B6": "2026", "B7": "3", "B8": "LVwA 506.2-15087/2026"} {
			if got, _ := f.GetCellValue("Meldung", cell); got != want {
				t.Errorf("Meldung!%s = %q, want %q", cell, got, want)
			}
		}
	})
	t.Run("offers the cost categories and activity types as drop-down lists", func(t *testing.T) {
		dv, _ := f.GetDataValidations("Belegliste")
		if len(dv) != 1 || dv[0].Sqref != "B2:B5000" || dv[0].Formula1 == "" {
			t.Fatalf("Belegliste validations: %+v", dv)
		}
		if want := `"Personalkosten,Reisekosten,Fortbildung,Veranstaltungen,Sachkosten,Dolmetsch- und Übersetzungsleistungen"`; dv[0].Formula1 != want {
			t.Errorf("categories list %s, want %s", dv[0].Formula1, want)
		}
		dv, _ = f.GetDataValidations("Aktivitäten")
		if len(dv) != 1 || dv[0].Sqref != "B2:B5000" {
			t.Fatalf("Aktivitäten validations: %+v", dv)
		}
	})
	t.Run("freezes the header row of every table", func(t *testing.T) {
		for _, s := range []string{"Koordinatoren", "Belegliste", "Aktivitäten"} {
			p, err := f.GetPanes(s)
			if err != nil || !p.Freeze || p.YSplit != 1 {
				t.Errorf("%s panes: %+v %v", s, p, err)
			}
		}
	})
	t.Run("formats dates and euro amounts", func(t *testing.T) {
		for _, c := range []struct{ sheet, col, want string }{
			{"Belegliste", "C", "dd.mm.yyyy"}, {"Belegliste", "G", `#,##0.00 "€"`}, {"Koordinatoren", "E", "dd.mm.yyyy"},
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

// record is what a round trip compares: every value the reader keeps.
type record struct {
	Coordinators [][]string
	Receipts     [][]string
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
