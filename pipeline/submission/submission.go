// Package submission reads one district's quarterly workbook into typed
// records. Every value keeps the cell it came from; every value that cannot be
// read with certainty becomes a finding at its cell instead of a guess.
package submission

import (
	"time"

	"grantpipe/pipeline/finding"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// Severities of findings (finding.Severity).
const (
	Error   = finding.Error
	Warning = finding.Warning
	Info    = finding.Info
)

// Rule ids the reader produces; the rule engine adds the others.
const (
	RuleFormat          = "FORMAT"
	RuleDistrictUnknown = "DISTRICT_UNKNOWN"
	RulePeriod          = "PERIOD"
)

// Finding is one problem at one place. The message is kept as a catalogue key
// and its arguments, so it can be shown in either language.
type Finding struct {
	Rule     string
	Severity finding.Severity
	Sheet    string // as named in the workbook; empty for the file as a whole
	Cell     string // A1 reference; empty when the finding is about a sheet or the file
	Row      int    // Excel row, 0 when none
	Key      string // message key in templates/messages.toml
	Args     messages.Args
}

// Value is a text as read, with its place.
type Value struct {
	Raw  string // the cell's text as stored (numbers as Excel stores them)
	Cell string // A1 reference, empty when the value is absent
}

// HeaderValue is one label/value pair of the header sheet, kept for provenance.
type HeaderValue struct {
	Field string // form field key
	Sheet string
	Cell  string
	Raw   string
}

// Submission is what a workbook holds.
type Submission struct {
	File     string // base name of the file
	Date1904 bool

	// Rejected is set when the workbook cannot be taken at all (unreadable
	// file, unknown district, no period); Findings then say why.
	Rejected bool

	District     string // AGS, when known
	DistrictName string // as written on the form
	Year         int
	Quarter      int
	FileNumber   string
	Contact      string
	Email        string
	Header       []HeaderValue

	Coordinators []Coordinator
	Receipts     []Receipt
	Income       []IncomeLine
	Activities   []Activity
	Narrative    []Paragraph
	Findings     []Finding

	errors int // error findings so far, against Options.MaxErrors
}

// Place is where a record came from.
type Place struct {
	Sheet string
	Row   int
}

// Coordinator is one row of the Koordinatoren sheet.
type Coordinator struct {
	Place
	ID       Value
	Post     Value
	FTE      Value
	FTEValue *Number
	PayGrade Value
	Grade    string // normalised, e.g. "E 11"; empty when unreadable
	Start    Value
	StartAt  *time.Time
	End      Value
	EndAt    *time.Time
}

// Receipt is one row of the Belegliste sheet.
type Receipt struct {
	Place
	LineNo      Value
	Line        *int64
	Category    Value
	CategoryCod string // programme category code; empty when unknown
	InvoiceDate Value
	InvoiceAt   *time.Time
	PaymentDate Value
	PaymentAt   *time.Time
	Payee       Value
	Purpose     Value
	Amount      Value
	Cents       *money.Cents
	ReceiptNo   Value
	Coordinator Value
}

// IncomeLine is one row of the optional Einnahmen sheet: income received
// for the funded purpose, which lowers the grant. Each value keeps its cell
// so that a rule's finding can point at it.
type IncomeLine struct {
	Place
	// LineNo is the Lfd. Nr.; nil when missing or unreadable.
	LineNo     *int64
	LineNoRaw  string
	LineNoCell string
	// Type is the programme's income type code (DRITT …); empty when the
	// text TypeRaw names no income type of the year, which the rule
	// CATEGORY reports.
	Type     string
	TypeRaw  string
	TypeCell string
	// Date is the day the income was received; nil when missing or
	// unreadable (a FORMAT finding at DateCell says why).
	Date     *time.Time
	DateRaw  string
	DateCell string
	// Source is who paid, Purpose what for.
	Source, SourceCell   string
	Purpose, PurposeCell string
	// Amount is the income in cents, negative for a refund of earlier
	// income; nil when missing or unreadable.
	Amount     *money.Cents
	AmountRaw  string
	AmountCell string
}

// Activity is one row of the Aktivitäten sheet.
type Activity struct {
	Place
	Date         Value
	At           *time.Time
	Type         Value
	TypeCode     string
	Title        Value
	Participants Value
	Count        *int64
	Partners     Value
}

// Paragraph is one row of the Sachbericht sheet.
type Paragraph struct {
	Place
	Cell string
	Text string
}
