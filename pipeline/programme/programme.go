// Package programme holds the configuration of the integration coordination
// programme: every parameter of the funding rules per budget year, the cost
// categories and activity types the districts' submissions use, and per
// district the approved grant, its financing plan and the payouts made.
//
// Ministry staff keep it in a TOML file and edit it without touching code.
// Load checks that file strictly and reports every problem at once, each
// naming its key, because a typo in a grant figure must stop the pipeline at
// start-up rather than produce a wrong grant decision later.
package programme

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"grantpipe/pipeline/money"
	"grantpipe/templates"
)

// DefaultFile is the name of the embedded default configuration in
// templates.FS, and the source named in its messages.
const DefaultFile = "programme.toml"

// The two kinds of district in Saxony-Anhalt; District.Kind is one of them.
const (
	KindLandkreis       = "Landkreis"
	KindKreisfreieStadt = "kreisfreie Stadt"
)

// Programme is the whole configuration: one Year per budget year.
type Programme struct {
	// Schedule is when the unattended jobs run.
	Schedule Schedule
	// BaseRates are the Basiszinssatz (§ 247 BGB) and the day from which
	// each applies, ascending, each day at most once. Interest for a day
	// uses the rate in force that day (BaseRateOn); the first entry is on
	// or before 1 January of the first budget year, so every day of a
	// budget year has a rate.
	BaseRates []BaseRate
	// Years holds one entry per budget year, ascending by year, each year
	// at most once.
	Years []*Year
}

// Year holds the parameters of one budget year (FUNDING_RULES.md) and what
// the ministry supplies for it: the districts' grants, plans and payouts.
type Year struct {
	// Year is the budget year (Haushaltsjahr), 1 January to 31 December.
	Year int
	// StateBudget is what the state spends on the programme in this year;
	// the districts' approved grants may not add up to more.
	StateBudget money.Cents
	// DistrictCap is the most one district may receive in the year.
	DistrictCap money.Cents
	// MaxCoordinators is how many coordinators a district may employ at the
	// same time.
	MaxCoordinators int
	// FundingRatePct is the largest share of eligible costs the grant may
	// cover; the district carries the rest.
	FundingRatePct Rate
	// PostCapPerFTE caps eligible costs per full-time post; 0 switches the
	// check off, because the sources disagree on whether it applies.
	PostCapPerFTE money.Cents
	// LineTolerancePct is how far a cost category may exceed its planned
	// amount (ANBest no. 1.2) if other categories save as much.
	LineTolerancePct Rate
	// SpendingWindowDays is how long a district has to spend a payout
	// before interest is due on the unspent part.
	SpendingWindowDays int
	// InterestPointsAboveBase is the interest on late-spent payouts in
	// percentage points above the base rate of the day
	// (Programme.BaseRateOn, § 49a VwVfG).
	InterestPointsAboveBase Rate
	// UnderspendingPct is the share of the pro-rata plan below which
	// cumulative spending at a quarter's end draws a warning.
	UnderspendingPct Rate
	// QuarterDeadlines are the deadlines of the quarterly submissions for
	// Q1 to Q4; none lies before the end of its quarter.
	QuarterDeadlines [4]Date
	// FinalReportDeadline is the deadline of the Verwendungsnachweis.
	FinalReportDeadline Date
	// Categories are the cost categories (Kostenarten) in the order reports
	// list them.
	Categories []Category
	// ActivityTypes are the activity types in the order reports list them.
	ActivityTypes []ActivityType
	// IncomeTypes are the kinds of income (Einnahmen: third-party funds,
	// participants' fees, other) in the order reports list them. A file
	// without [[budget_year.income_type]] blocks gets DefaultIncomeTypes.
	IncomeTypes []IncomeType
	// Districts are the funded districts, ascending by AGS.
	Districts []District
}

// Category is a cost category (Kostenart) of the financing plan and of the
// submissions' expenditure lines.
type Category struct {
	// Code is the short, stable key used in plans and in the database,
	// e.g. "PERS".
	Code string
	// NameDE and NameEN are the names on forms and in reports; submissions
	// may give either instead of the code.
	NameDE, NameEN string
	// Staff marks the category of staff costs (salaries of the
	// coordinators): exactly one category of a year has it. Its lines need
	// no receipt number but must name a coordinator employed when paid
	// (rules RECEIPT_MISSING and STAFF_WITHOUT_COORDINATOR).
	Staff bool
}

// ActivityType is a kind of activity the districts report (Netzwerktreffen,
// Beratung …).
type ActivityType struct {
	// Code is the short, stable key used in the database, e.g. "NETZWERK".
	Code string
	// NameDE and NameEN are the names on forms and in reports; submissions
	// may give either instead of the code.
	NameDE, NameEN string
}

// IncomeType is a kind of income for the funded purpose that a district
// reports on the Einnahmen sheet (Drittmittel, Teilnahmebeiträge …).
type IncomeType struct {
	// Code is the short, stable key used in the database, e.g. "DRITT".
	Code string
	// NameDE and NameEN are the names on forms and in reports; submissions
	// may give either instead of the code.
	NameDE, NameEN string
}

// DefaultIncomeTypes are the income types of SUBMISSION_FORMAT.md, which a
// year without [[budget_year.income_type]] blocks gets, so that a
// configuration written before income existed keeps loading.
func DefaultIncomeTypes() []IncomeType {
	return []IncomeType{
		{Code: "DRITT", NameDE: "Drittmittel", NameEN: "Third-party funds"},
		{Code: "TEILN", NameDE: "Teilnahmebeiträge", NameEN: "Participants' fees"},
		{Code: "SONST", NameDE: "Sonstige", NameEN: "Other"},
	}
}

// BaseRate is the Basiszinssatz from a day on, until the next entry.
type BaseRate struct {
	// From is the first day the rate applies (1 January or 1 July).
	From Date
	// RatePct is the rate in percent; it may be negative, as it was from
	// 2013 to 2022.
	RatePct Rate
}

// District is a funded Landkreis or kreisfreie Stadt with its grant for the
// year.
type District struct {
	// AGS is the official 5-digit district key (Amtlicher
	// Gemeindeschlüssel), e.g. "15083".
	AGS string
	// Name is the official name, e.g. "Börde".
	Name string
	// Kind is KindLandkreis or KindKreisfreieStadt.
	Kind string
	// Population is the number of inhabitants, for per-capita figures.
	Population int
	// Approved is the grant approved in the grant decision (Bewilligung).
	Approved money.Cents
	// FileNumber is the grant decision's file number (Aktenzeichen).
	FileNumber string
	// Plan is the approved financing plan by category code; every category
	// of the year has an entry, zero if the file leaves it out.
	Plan map[string]money.Cents
	// PlanTotal is the plan's total as stated in the file; Load checks
	// that it equals the sum of Plan, which catches a mistyped line.
	PlanTotal money.Cents
	// PlannedIncome is the income (Einnahmen) the financing plan expects
	// for the year, never negative; 0 when the file leaves it out. Reports
	// set the income received against it.
	PlannedIncome money.Cents
	// Payouts are the payments made to the district, ascending by date.
	Payouts []Payout
}

// Payout is one payment of grant money to a district.
type Payout struct {
	Date   Date
	Amount money.Cents
	// Reference is the payment's reference (Verwendungszweck), may be empty.
	Reference string
}

// Default returns the embedded default configuration,
// templates/programme.toml. Each call returns a fresh copy that the caller
// may change.
func Default() (*Programme, error) {
	data, err := fs.ReadFile(templates.FS, DefaultFile)
	if err != nil {
		return nil, fmt.Errorf("programme: read embedded %s: %w", DefaultFile, err)
	}
	return Load(data, DefaultFile)
}

// LoadFile reads and checks the configuration file at path. Problems in the
// file are reported as a *ValidationError naming path.
func LoadFile(path string) (*Programme, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("programme: %w", err)
	}
	defer f.Close()
	// One byte more than Load accepts is enough for it to refuse the file,
	// however large it is.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("programme: %w", err)
	}
	return Load(data, path)
}

// Year returns the configuration of budget year y.
func (p *Programme) Year(y int) (*Year, bool) {
	for _, yr := range p.Years {
		if yr.Year == y {
			return yr, true
		}
	}
	return nil, false
}

// District returns the district with the given AGS.
func (y *Year) District(ags string) (*District, bool) {
	ags = strings.TrimSpace(ags)
	for i := range y.Districts {
		if y.Districts[i].AGS == ags {
			return &y.Districts[i], true
		}
	}
	return nil, false
}

// Category finds a cost category by code, German or English name, ignoring
// case and surrounding or repeated blanks, as districts type them.
func (y *Year) Category(codeOrName string) (*Category, bool) {
	key := fold(codeOrName)
	for i, c := range y.Categories {
		if fold(c.Code) == key || fold(c.NameDE) == key || fold(c.NameEN) == key {
			return &y.Categories[i], true
		}
	}
	return nil, false
}

// ActivityType finds an activity type by code, German or English name,
// ignoring case and surrounding or repeated blanks.
func (y *Year) ActivityType(codeOrName string) (*ActivityType, bool) {
	key := fold(codeOrName)
	for i, a := range y.ActivityTypes {
		if fold(a.Code) == key || fold(a.NameDE) == key || fold(a.NameEN) == key {
			return &y.ActivityTypes[i], true
		}
	}
	return nil, false
}

// IncomeType finds an income type by code, German or English name,
// ignoring case and surrounding or repeated blanks.
func (y *Year) IncomeType(codeOrName string) (*IncomeType, bool) {
	key := fold(codeOrName)
	for i, t := range y.IncomeTypes {
		if fold(t.Code) == key || fold(t.NameDE) == key || fold(t.NameEN) == key {
			return &y.IncomeTypes[i], true
		}
	}
	return nil, false
}

// BaseRateOn returns the base rate in force on day (its calendar day in its
// own location): the rate of the last entry of BaseRates from on or before
// that day. A day before the first entry gets the first entry's rate; Load
// makes sure that no day of a budget year is one.
func (p *Programme) BaseRateOn(day time.Time) Rate {
	d := DateOf(day)
	if len(p.BaseRates) == 0 {
		return 0
	}
	r := p.BaseRates[0].RatePct
	for _, b := range p.BaseRates {
		if b.From.After(d) {
			break
		}
		r = b.RatePct
	}
	return r
}

// fold normalises a code or name for lookups: lower case, blanks trimmed and
// runs of blanks collapsed, so "  schulung  Migrant:innen" finds
// "Schulung Migrant:innen".
func fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
