// Package report turns the stored submissions, findings and grant figures
// into the reports grant providers, the ministry and the districts hold in
// their hands: per district and state-wide, per quarter and per year, as PDF
// and as Excel. Load gathers everything a period's reports show into Data;
// the renderers only lay it out, so a PDF and a workbook of the same period
// always show the same figures.
package report

import (
	"fmt"
	"time"

	"grantpipe/pipeline/money"
)

// Period is a quarter of a budget year, or the whole year (Quarter 0).
type Period struct {
	Year    int
	Quarter int
}

// Slug names the period in file and folder names: "2026-Q2", "2026".
func (p Period) Slug() string {
	if p.Quarter == 0 {
		return fmt.Sprintf("%d", p.Year)
	}
	return fmt.Sprintf("%d-Q%d", p.Year, p.Quarter)
}

// Annual reports whether the period is the whole year.
func (p Period) Annual() bool { return p.Quarter == 0 }

// Last is the last quarter the period covers.
func (p Period) Last() int {
	if p.Quarter == 0 {
		return 4
	}
	return p.Quarter
}

// Category is a cost category in report order.
type Category struct {
	Code, NameDE, NameEN string
}

// Name is the category's name in lang.
func (c Category) Name(lang string) string {
	if lang == "en" {
		return c.NameEN
	}
	return c.NameDE
}

// IncomeType is a kind of income (Drittmittel, Teilnahmebeiträge …) in
// report order.
type IncomeType struct {
	Code, NameDE, NameEN string
}

// Name is the type's name in lang.
func (t IncomeType) Name(lang string) string {
	if lang == "en" {
		return t.NameEN
	}
	return t.NameDE
}

// ActivityType is an activity type in report order.
type ActivityType struct {
	Code, NameDE, NameEN string
}

// Name is the type's name in lang.
func (a ActivityType) Name(lang string) string {
	if lang == "en" {
		return a.NameEN
	}
	return a.NameDE
}

// Figures is the grant computation of one district (or the state) up to the
// end of the period: cumulative from 1 January. Grant = min(funding rate ×
// (Eligible − Income), approved, cap), never below 0 (FUNDING_RULES.md).
type Figures struct {
	Approved       money.Cents
	Eligible       money.Cents // eligible expenditure (zuwendungsfähige Ausgaben)
	Income         money.Cents // income received for the purpose (Einnahmen)
	PlannedIncome  money.Cents // income in the financing plan
	Grant          money.Cents // the grant (Zuwendung)
	Paid           money.Cents
	Balance        money.Cents // Paid − Grant: positive means more paid out than the grant
	InterestAtRisk money.Cents
	// Settled: the year is settled as of the run's day (its fourth quarter
	// is in, or the final report's deadline passed): the grant is fixed, a
	// positive balance is a repayment claim (Rückforderung), a negative one
	// an additional payment (Nachzahlung). Until then every figure is
	// provisional. The state's Figures are settled when every district's
	// are.
	Settled    bool
	ByCategory map[string]money.Cents // eligible, by category code
}

// Net is the net expenditure the grant is computed from: eligible
// expenditure less income.
func (f Figures) Net() money.Cents { return f.Eligible - f.Income }

// OwnShare is what the district pays itself (Eigenanteil): the net
// expenditure the grant does not cover, not below 0.
func (f Figures) OwnShare() money.Cents { return max(0, f.Net()-f.Grant) }

// UtilisationPct is the grant amount as a share of the approved grant,
// in hundredths of a percent (basis points), 0 when nothing was approved.
func (f Figures) UtilisationPct() int64 {
	if f.Approved <= 0 {
		return 0
	}
	return (int64(f.Grant)*10000 + int64(f.Approved)/2) / int64(f.Approved)
}

// QuarterFigures is one quarter of the trend.
type QuarterFigures struct {
	Quarter    int
	Status     string      // "accepted", "late", "missing", "open" (deadline not passed), "rejected"
	Eligible   money.Cents // eligible costs reported for this quarter
	Cumulative money.Cents // eligible costs from 1 January to the quarter's end
	Errors     int
	Warnings   int
}

// Finding is one finding shown in a report.
type Finding struct {
	Rule     string
	Severity string // "error", "warning", "info"
	District string
	Quarter  int
	File     string
	Sheet    string
	Cell     string
	Message  string // in the report's language
}

// Place is "Belegliste!G12", "Belegliste" or "" for the finding's place.
func (f Finding) Place() string {
	switch {
	case f.Sheet != "" && f.Cell != "":
		return f.Sheet + "!" + f.Cell
	default:
		return f.Sheet
	}
}

// Activity is the activities of one type in the period.
type Activity struct {
	Type         ActivityType
	Count        int
	Participants int64
}

// Receipt is one line of the Belegliste, with its provenance.
type Receipt struct {
	Quarter      int
	Category     string // code; empty when unknown
	CategoryRaw  string
	InvoiceDate  *time.Time
	PaymentDate  *time.Time
	Payee        string // as written: may begin with "=" and must stay text
	Purpose      string
	Amount       *money.Cents
	ReceiptNo    string
	Coordinator  string
	Eligible     bool
	File         string
	Sheet        string
	Cell         string // the amount's cell
	SubmissionID int64
}

// Source is one submission file a report draws on.
type Source struct {
	SubmissionID int64
	File         string
	SHA256       string
	Quarter      int
	Received     time.Time // Europe/Berlin wall clock
	Current      bool      // false: replaced by a later version
	ReaderVer    string
}

// District is everything a district's report shows.
type District struct {
	AGS, Name, Kind string
	Population      int
	FileNumber      string
	PlanTotal       money.Cents
	Plan            map[string]money.Cents // by category code
	Figures         Figures
	Trend           []QuarterFigures // quarters 1..Last
	Coordinators    int              // employed at the end of the period (latest submission)
	FTE             string           // their full-time equivalents, e.g. "2.75"
	Findings        []Finding
	Activities      []Activity
	Narrative       []string
	Receipts        []Receipt    // date order within category (annual report's Belegliste; every report's Excel)
	Income          []IncomeLine // the period's income lines, in order of date (loaded with the receipts)
	Payouts         []Payout     // the payout ledger: payouts made by the period's end (or the as-of day), by date
	Sources         []Source
	// DataTime is the latest arrival of a file of the district that its
	// documents draw on, else the run's day: their timestamp. Another
	// district's file leaves a district's documents as they are.
	DataTime    time.Time
	Sachbericht [4][]string // the narrative per quarter (index 0: Q1) for the final report; loaded with the receipts of a settled year
}

// IncomeLine is one line of a submission's Einnahmen sheet, with its
// provenance.
type IncomeLine struct {
	Quarter int
	Type    string // code; empty when unknown
	TypeRaw string
	Date    *time.Time
	Source  string // who paid (Geber)
	Purpose string
	Amount  *money.Cents
	Counted bool // lowers the grant: readable and without an error finding
	File    string
	Sheet   string
	Cell    string // the amount's cell
}

// Payout is one line of the payout ledger: a payout and how it was used.
// Its interest is the sum of its periods' and can be multiplied out from
// them.
type Payout struct {
	Date         time.Time
	Amount       money.Cents
	Reference    string
	Due          time.Time   // the last day of its spending window
	UnspentAtDue money.Cents // not covered by the grant's share of eligible payments by Due
	CoveredOn    *time.Time  // covered in full on this day; nil: not by the run's day
	OpenNow      money.Cents // still uncovered on the run's day
	Interest     money.Cents
	Periods      []InterestPeriod
}

// InterestPeriod is a stretch of days in which a payout's uncovered amount
// and the interest rate stayed the same: Interest = Open × rate × Days /
// 365, rounded to the cent.
type InterestPeriod struct {
	From, To time.Time // both included
	Open     money.Cents
	RatePPM  int64 // per year, in millionths: 62700 is 6.27 %
	Days     int
	Interest money.Cents
}

// Errors counts the district's error findings.
func (d *District) Errors() int { return d.count("error") }

// Warnings counts the district's warnings.
func (d *District) Warnings() int { return d.count("warning") }

func (d *District) count(sev string) int {
	n := 0
	for _, f := range d.Findings {
		if f.Severity == sev {
			n++
		}
	}
	return n
}

// PerThousand is the grant per 1,000 inhabitants.
func (d *District) PerThousand() money.Cents { return perThousand(d.Figures.Grant, d.Population) }

// perThousand is an amount per 1,000 inhabitants, rounded to the cent.
func perThousand(c money.Cents, population int) money.Cents {
	if population <= 0 {
		return 0
	}
	return money.Cents((int64(c)*1000 + int64(population)/2) / int64(population))
}

// DataInstant is DataTime as an instant: the wall clock read in Location.
func (d *Data) DataInstant() time.Time {
	if d.Location == nil {
		return d.DataTime.UTC()
	}
	t := d.DataTime
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), d.Location).UTC()
}

// YearOver tells whether the period's budget year was over on the as-of
// day. Then nothing is left to reallocate: the annual reports no longer
// project unspent money, and the year is settled district by district
// (Figures.Settled).
func (d *Data) YearOver() bool { return d.AsOf.Year() > d.Period.Year }

// Projection is a district's expected unspent grant at year end, at the pace
// of spending so far (for reallocation decisions).
type Projection struct {
	AGS       string
	Projected money.Cents // grant at year end at the current pace, capped at the grant
	Unspent   money.Cents // approved − projected, not below 0
}

// Data is everything the reports of one period show.
type Data struct {
	Period   Period
	Lang     string
	AsOf     time.Time // the day the checks looked from
	DataTime time.Time // the latest receipt of a file the period draws on: the reports' timestamp
	// Location is the programme's time zone, in which DataTime is a wall
	// clock; nil: UTC. Workbooks' document properties need the instant.
	Location *time.Location
	RunID    int64
	RuleSet  string

	StateBudget    money.Cents
	DistrictCap    money.Cents
	FundingRatePct int64 // basis points: 9000 = 90 %
	LineTolerance  int64 // basis points
	Population     int   // the state's
	Categories     []Category
	ActivityTypes  []ActivityType
	IncomeTypes    []IncomeType

	Districts   []District
	State       Figures           // sum over districts
	ByRule      map[string][3]int // findings per rule: errors, warnings, infos
	Projections []Projection      // annual outlook, per district
	Activities  []Activity        // state totals per type
}
