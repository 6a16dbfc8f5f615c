// Package form defines the quarterly submission workbook (Quartalsmeldung) of
// SUBMISSION_FORMAT.md: its sheets, labels and column headers in German and
// English, how names are matched when reading, and how the blank form is
// written. The reader (package submission) and the writer (Blank, Fill) share
// these definitions so a form written by grantpipe always reads back.
package form

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Kind is what a field holds; the reader parses each kind its own way.
type Kind int

// Field kinds.
const (
	Text Kind = iota
	Amount
	Date
	Integer
	Decimal
	Category
	ActivityType
	PayGrade
	IncomeType
)

// Field is one labelled value (Meldung) or one column (table sheets).
type Field struct {
	Key      string // stable identifier, used in code and the database
	DE, EN   string // label or header as printed on the form
	Kind     Kind
	Required bool     // must be present as a column (table sheets) or label (Meldung)
	Aliases  []string // further accepted spellings seen in practice
	Width    float64  // column width in the blank form
}

// Sheet is one sheet of the form.
type Sheet struct {
	Key    string
	DE, EN string
	Fields []Field
	Table  bool // a header row and one row per record; otherwise label/value pairs
}

// Field keys of the header sheet.
const (
	FDistrictCode = "district_code"
	FDistrictName = "district_name"
	FYear         = "year"
	FQuarter      = "quarter"
	FFileNumber   = "file_number"
	FContact      = "contact"
	FEmail        = "email"
)

// Field keys of the table sheets.
const (
	FCoordinatorID = "coordinator_id"
	FPost          = "post"
	FFTE           = "fte"
	FPayGrade      = "pay_grade"
	FStart         = "start"
	FEnd           = "end"

	FLineNo      = "line_no"
	FCategory    = "category"
	FInvoiceDate = "invoice_date"
	FPaymentDate = "payment_date"
	FPayee       = "payee"
	FPurpose     = "purpose"
	FAmount      = "amount"
	FReceiptNo   = "receipt_no"
	FCoordinator = "coordinator"

	FDate         = "date"
	FType         = "type"
	FTitle        = "title"
	FParticipants = "participants"
	FPartners     = "partners"

	FParagraph = "paragraph"
)

// Field keys of the Einnahmen sheet. They differ from the Belegliste's
// (line_no, purpose, amount) although the headers are alike, because a
// field key also names the hint and check texts of its column
// (form.hint_<key>), and an income's amount is not a receipt's.
const (
	FIncomeLineNo  = "income_line_no"
	FIncomeType    = "income_type"
	FReceivedDate  = "received_date"
	FSource        = "source"
	FIncomePurpose = "income_purpose"
	FIncomeAmount  = "income_amount"
)

// The sheets of the form. The blank form has them in this order, with the
// instructions first.
var (
	Header = Sheet{Key: "header", DE: "Meldung", EN: "Submission", Fields: []Field{
		{Key: FDistrictCode, DE: "Kreisschlüssel", EN: "District code", Kind: Text, Required: true, Aliases: []string{"AGS", "Kreisschluessel (AGS)"}},
		{Key: FDistrictName, DE: "Gebietskörperschaft", EN: "District", Kind: Text, Aliases: []string{"Landkreis", "Kreis"}},
		{Key: FYear, DE: "Haushaltsjahr", EN: "Year", Kind: Integer, Required: true, Aliases: []string{"Jahr", "Budget year"}},
		{Key: FQuarter, DE: "Quartal", EN: "Quarter", Kind: Text, Required: true},
		{Key: FFileNumber, DE: "Aktenzeichen", EN: "File number", Kind: Text},
		{Key: FContact, DE: "Ansprechperson", EN: "Contact person", Kind: Text, Required: true, Aliases: []string{"Ansprechpartner", "Ansprechpartnerin", "Kontakt", "Contact"}},
		{Key: FEmail, DE: "E-Mail", EN: "Email", Kind: Text},
	}}
	Coordinators = Sheet{Key: "coordinators", DE: "Koordinatoren", EN: "Coordinators", Table: true, Fields: []Field{
		{Key: FCoordinatorID, DE: "Kennung", EN: "Coordinator ID", Kind: Text, Required: true, Width: 14},
		{Key: FPost, DE: "Stelle", EN: "Post", Kind: Text, Width: 14},
		{Key: FFTE, DE: "VZÄ", EN: "FTE", Kind: Decimal, Required: true, Width: 8},
		{Key: FPayGrade, DE: "Entgeltgruppe", EN: "Pay grade", Kind: PayGrade, Required: true, Width: 14},
		{Key: FStart, DE: "Beginn", EN: "Start", Kind: Date, Required: true, Width: 12},
		{Key: FEnd, DE: "Ende", EN: "End", Kind: Date, Width: 12},
	}}
	Receipts = Sheet{Key: "receipts", DE: "Belegliste", EN: "Expenditures", Table: true, Fields: []Field{
		{Key: FLineNo, DE: "Lfd. Nr.", EN: "Line", Kind: Integer, Required: true, Aliases: []string{"Nr.", "Laufende Nummer", "No."}, Width: 8},
		{Key: FCategory, DE: "Kostenart", EN: "Cost category", Kind: Category, Required: true, Width: 30},
		{Key: FInvoiceDate, DE: "Belegdatum", EN: "Invoice date", Kind: Date, Required: true, Aliases: []string{"Rechnungsdatum"}, Width: 12},
		{Key: FPaymentDate, DE: "Zahlungsdatum", EN: "Payment date", Kind: Date, Required: true, Aliases: []string{"Zahldatum", "Bezahlt am"}, Width: 15},
		{Key: FPayee, DE: "Empfänger", EN: "Payee", Kind: Text, Required: true, Aliases: []string{"Zahlungsempfänger"}, Width: 28},
		{Key: FPurpose, DE: "Zweck", EN: "Purpose", Kind: Text, Required: true, Aliases: []string{"Verwendungszweck"}, Width: 40},
		{Key: FAmount, DE: "Betrag", EN: "Amount", Kind: Amount, Required: true, Width: 14},
		{Key: FReceiptNo, DE: "Belegnummer", EN: "Receipt no.", Kind: Text, Required: true, Aliases: []string{"Beleg-Nr.", "Receipt number"}, Width: 14},
		{Key: FCoordinator, DE: "Kennung Koordinator", EN: "Coordinator ID", Kind: Text, Required: true, Width: 14},
	}}
	// Income is optional: a workbook without it, or with no rows in it,
	// reports no income.
	Income = Sheet{Key: "income", DE: "Einnahmen", EN: "Income", Table: true, Fields: []Field{
		{Key: FIncomeLineNo, DE: "Lfd. Nr.", EN: "Line", Kind: Integer, Required: true, Aliases: []string{"Nr.", "Laufende Nummer", "No."}, Width: 8},
		{Key: FIncomeType, DE: "Art", EN: "Type", Kind: IncomeType, Required: true, Aliases: []string{"Art der Einnahme", "Einnahmeart", "Income type"}, Width: 22},
		{Key: FReceivedDate, DE: "Eingangsdatum", EN: "Date received", Kind: Date, Required: true, Aliases: []string{"Eingegangen am", "Zahlungseingang", "Received on"}, Width: 15},
		{Key: FSource, DE: "Geber", EN: "Source", Kind: Text, Required: true, Aliases: []string{"Mittelgeber", "Zuwendungsgeber", "Payer"}, Width: 30},
		{Key: FIncomePurpose, DE: "Zweck", EN: "Purpose", Kind: Text, Required: true, Aliases: []string{"Verwendungszweck"}, Width: 40},
		{Key: FIncomeAmount, DE: "Betrag", EN: "Amount", Kind: Amount, Required: true, Width: 14},
	}}
	Activities = Sheet{Key: "activities", DE: "Aktivitäten", EN: "Activities", Table: true, Fields: []Field{
		{Key: FDate, DE: "Datum", EN: "Date", Kind: Date, Required: true, Width: 12},
		{Key: FType, DE: "Art", EN: "Type", Kind: ActivityType, Required: true, Width: 24},
		{Key: FTitle, DE: "Titel", EN: "Title", Kind: Text, Required: true, Width: 40},
		{Key: FParticipants, DE: "Teilnehmende", EN: "Participants", Kind: Integer, Aliases: []string{"Teilnehmer", "Teilnehmerzahl", "Anzahl Teilnehmende"}, Width: 13},
		{Key: FPartners, DE: "Partner", EN: "Partners", Kind: Text, Width: 30},
	}}
	Narrative = Sheet{Key: "narrative", DE: "Sachbericht", EN: "Narrative", Fields: []Field{
		{Key: FParagraph, DE: "Sachbericht", EN: "Narrative", Kind: Text},
	}}
	// Instructions is the blank form's first sheet, open when the form is
	// opened; the reader ignores it.
	Instructions = Sheet{Key: "instructions", DE: "Hinweise", EN: "Instructions"}
)

// Sheets lists the sheets the reader looks for, header sheet first, in the
// order of the blank form.
var Sheets = []*Sheet{&Header, &Coordinators, &Receipts, &Income, &Activities, &Narrative}

// Required lists the sheets a submission must have; the others (Income,
// Narrative) may be left out.
var Required = []*Sheet{&Header, &Coordinators, &Receipts, &Activities}

// Name returns the sheet's name in lang ("de" or "en").
func (s *Sheet) Name(lang string) string {
	if lang == "en" {
		return s.EN
	}
	return s.DE
}

// Label returns the field's label or header in lang.
func (f *Field) Label(lang string) string {
	if lang == "en" {
		return f.EN
	}
	return f.DE
}

// Field returns the field with key, or nil.
func (s *Sheet) Field(key string) *Field {
	for i := range s.Fields {
		if s.Fields[i].Key == key {
			return &s.Fields[i]
		}
	}
	return nil
}

// Matches reports whether name (a sheet name found in a workbook) names s.
func (s *Sheet) Matches(name string) bool {
	n := Normalize(name)
	return n == Normalize(s.DE) || n == Normalize(s.EN)
}

// Matches reports whether text (a label or header cell) names f.
func (f *Field) Matches(text string) bool {
	n := NormalizeHeader(text)
	if n == "" {
		return false
	}
	if n == NormalizeHeader(f.DE) || n == NormalizeHeader(f.EN) {
		return true
	}
	for _, a := range f.Aliases {
		if n == NormalizeHeader(a) {
			return true
		}
	}
	return false
}

// Normalize folds a name for matching: case, accents, umlauts written as
// ae/oe/ue, ß as ss, and all whitespace and punctuation do not matter, so
// "Aktivitäten", "AKTIVITAETEN" and "Aktivitaten" are the same sheet and
// "Lfd. Nr." matches "lfd nr".
func Normalize(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case r == 'ß':
			b.WriteString("ss")
		case unicode.Is(unicode.Mn, r):
			// combining accent: dropped, so ä matches a
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	out := b.String()
	// German umlauts typed without the keyboard: "ae" for "ä". After dropping
	// accents ä is "a", so fold the two-letter forms the same way.
	return umlautPairs.Replace(out)
}

var umlautPairs = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u")

// unitSuffixes are trailing units a header may carry ("Betrag (EUR)",
// "Betrag in €"); they do not change which column it is.
var unitSuffixes = []string{"(eur)", "(€)", "[eur]", "[€]", "in eur", "in €", "in euro", "eur", "€", "(euro)"}

// NormalizeHeader is Normalize after dropping a trailing unit and colon.
func NormalizeHeader(s string) string {
	t := strings.ToLower(strings.Join(strings.Fields(s), " "))
	t = strings.TrimSuffix(t, ":")
	for changed := true; changed; {
		changed = false
		for _, u := range unitSuffixes {
			if strings.HasSuffix(t, u) && len(t) > len(u) {
				t = strings.TrimSpace(strings.TrimSuffix(t, u))
				changed = true
			}
		}
	}
	return Normalize(t)
}

// totalWords start a totals row ("Summe", "Gesamt", "Total", "Zwischensumme").
var totalWords = map[string]bool{"summe": true, "gesamt": true, "total": true, "zwischensumme": true, "gesamtsumme": true, "insgesamt": true, "summen": true}

// IsTotalLabel reports whether text, the first non-empty cell of a row,
// marks a totals row rather than data.
func IsTotalLabel(text string) bool {
	f := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) })
	return len(f) > 0 && totalWords[f[0]]
}
