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
// end of the period: cumulative from 1 January.
type Figures struct {
	Approved       money.Cents
	Eligible       money.Cents
	Fundable       money.Cents
	Paid           money.Cents
	Balance        money.Cents // Paid − Fundable: positive means to be repaid
	InterestAtRisk money.Cents
	ByCategory     map[string]money.Cents // eligible, by category code
}

// UtilisationPct is the fundable amount as a share of the approved grant,
// in hundredths of a percent (basis points), 0 when nothing was approved.
func (f Figures) UtilisationPct() int64 {
	if f.Approved <= 0 {
		return 0
	}
	return (int64(f.Fundable)*10000 + int64(f.Approved)/2) / int64(f.Approved)
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
	Receipts        []Receipt // date order within category (annual report's Belegliste; every report's Excel)
	Sources         []Source
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

// PerThousand is the fundable amount per 1,000 inhabitants.
func (d *District) PerThousand() money.Cents { return perThousand(d.Figures.Fundable, d.Population) }

// perThousand is an amount per 1,000 inhabitants, rounded to the cent.
func perThousand(c money.Cents, population int) money.Cents {
	if population <= 0 {
		return 0
	}
	return money.Cents((int64(c)*1000 + int64(population)/2) / int64(population))
}

// Projection is a district's expected unspent grant at year end, at the pace
// of spending so far (for reallocation decisions).
type Projection struct {
	AGS       string
	Projected money.Cents // fundable at year end at the current pace, capped at the grant
	Unspent   money.Cents // approved − projected, not below 0
}

// Data is everything the reports of one period show.
type Data struct {
	Period   Period
	Lang     string
	AsOf     time.Time // the day the checks looked from
	DataTime time.Time // the latest receipt of a file the period draws on: the reports' timestamp
	RunID    int64
	RuleSet  string

	StateBudget    money.Cents
	DistrictCap    money.Cents
	FundingRatePct int64 // basis points: 9000 = 90 %
	LineTolerance  int64 // basis points
	Population     int   // the state's
	Categories     []Category
	ActivityTypes  []ActivityType

	Districts   []District
	State       Figures           // sum over districts
	ByRule      map[string][3]int // findings per rule: errors, warnings, infos
	Projections []Projection      // annual outlook, per district
	Activities  []Activity        // state totals per type
}
