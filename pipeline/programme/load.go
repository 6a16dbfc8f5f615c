package programme

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"grantpipe/pipeline/money"
)

// The raw* types mirror the file's layout. Every leaf is `any` so that a
// value of the wrong type becomes a Problem naming its key, instead of
// aborting the decoder at the first one; the tables are typed so that
// MetaData.Undecoded finds every key the layout does not know.
type rawFile struct {
	Schedule   *rawSchedule  `toml:"schedule"`
	BaseRate   []rawBaseRate `toml:"base_rate"`
	BudgetYear []rawYear     `toml:"budget_year"`
}

type rawBaseRate struct {
	ValidFrom any `toml:"valid_from"`
	RatePct   any `toml:"rate_pct"`
}

type rawYear struct {
	Year                    any `toml:"year"`
	StateBudget             any `toml:"state_budget_eur"`
	DistrictCap             any `toml:"district_cap_eur"`
	MaxCoordinators         any `toml:"max_coordinators"`
	FundingRatePct          any `toml:"funding_rate_pct"`
	PostCapPerFTE           any `toml:"post_cap_per_fte_eur"`
	LineTolerancePct        any `toml:"line_tolerance_pct"`
	SpendingWindowDays      any `toml:"spending_window_days"`
	InterestPointsAboveBase any `toml:"interest_points_above_base"`
	// BaseRatePct is the retired per-year base rate, decoded only to say
	// what replaced it.
	BaseRatePct      any           `toml:"base_rate_pct"`
	UnderspendingPct any           `toml:"underspending_pct"`
	Deadlines        rawDeadlines  `toml:"deadlines"`
	Category         []rawCategory `toml:"category"`
	ActivityType     []rawNamed    `toml:"activity_type"`
	IncomeType       []rawNamed    `toml:"income_type"`
	District         []rawDistrict `toml:"district"`
}

type rawDeadlines struct {
	Q1          any `toml:"q1"`
	Q2          any `toml:"q2"`
	Q3          any `toml:"q3"`
	Q4          any `toml:"q4"`
	FinalReport any `toml:"final_report"`
}

type rawNamed struct {
	Code   any `toml:"code"`
	NameDE any `toml:"name_de"`
	NameEN any `toml:"name_en"`
}

// rawCategory is a rawNamed with the staff mark; spelt out, not embedded, so
// that the key lookups of expectedShape and suggest see every field.
type rawCategory struct {
	Code   any `toml:"code"`
	NameDE any `toml:"name_de"`
	NameEN any `toml:"name_en"`
	Staff  any `toml:"staff"`
}

type rawDistrict struct {
	AGS        any            `toml:"ags"`
	Name       any            `toml:"name"`
	Kind       any            `toml:"kind"`
	Population any            `toml:"population"`
	FileNumber any            `toml:"file_number"`
	Approved   any            `toml:"approved_eur"`
	PlanTotal  any            `toml:"plan_total_eur"`
	Plan       map[string]any `toml:"plan_eur"`
	// PlannedIncome is optional: 0 when left out.
	PlannedIncome any         `toml:"planned_income_eur"`
	Payouts       []rawPayout `toml:"payouts"`
}

type rawPayout struct {
	Date      any `toml:"date"`
	Amount    any `toml:"amount_eur"`
	Reference any `toml:"reference"`
}

// Load parses and checks a configuration. source names the file in
// messages. If anything is wrong, Load returns a *ValidationError listing
// every problem found, one per key. A file above MaxFileSize, or nested
// deeper than MaxDepth, is refused before it is parsed.
func Load(data []byte, source string) (*Programme, error) {
	if p := checkLimits(data); p != nil {
		return nil, &ValidationError{Source: source, Problems: []Problem{*p}}
	}
	var raw rawFile
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		return nil, &ValidationError{Source: source, Problems: []Problem{decodeProblem(err)}}
	}
	var c checker
	c.unknownKeys(string(data), md)
	p := c.programme(&raw)
	if len(c.problems) > 0 {
		return nil, &ValidationError{Source: source, Problems: c.problems}
	}
	return p, nil
}

// decodeProblem turns an error of the TOML library into a Problem, keeping
// the line number it knows. A table where the layout expects a list of
// tables, or the reverse, gets a message in the file's terms instead of the
// library's Go types.
func decodeProblem(err error) Problem {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return Problem{Key: pe.LastKey, Line: pe.Position.Line, Message: pe.Message}
	}
	m := decodeErrPattern.FindStringSubmatch(err.Error())
	if m == nil {
		return Problem{Message: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	line, _ := strconv.Atoi(m[1])
	p := Problem{Key: m[2], Line: line, Message: m[3]}
	if want := expectedShape(strings.Split(m[2], ".")); want != "" {
		p.Message = "expected " + want
	}
	return p
}

var decodeErrPattern = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// expectedShape describes what the layout expects at key, in TOML terms.
func expectedShape(key []string) string {
	t := reflect.TypeFor[rawFile]()
	for _, part := range key {
		for t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return ""
		}
		f, ok := fieldByTag(t, part)
		if !ok {
			return ""
		}
		t = f.Type
	}
	name := strings.Join(key, ".")
	switch {
	case t.Kind() == reflect.Slice:
		return fmt.Sprintf("a list of tables: [[%s]] blocks or [ { … }, … ]", name)
	case t.Kind() == reflect.Struct:
		return fmt.Sprintf("a table [%s]", name)
	case t.Kind() == reflect.Map:
		return "a table { … }"
	}
	return ""
}

// checker collects problems while converting the raw file, so that one run
// reports all of them.
type checker struct {
	problems []Problem
}

func (c *checker) add(key, format string, args ...any) {
	c.problems = append(c.problems, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}

const missingKey = "missing required key"

func (c *checker) programme(raw *rawFile) *Programme {
	p := &Programme{Schedule: c.schedule(raw.Schedule)}
	if len(raw.BudgetYear) == 0 {
		c.add("budget_year", "%s: the file needs at least one [[budget_year]] block", missingKey)
		return p
	}
	seen := map[int]int{}
	for i := range raw.BudgetYear {
		y, ok := c.year(i, &raw.BudgetYear[i])
		if !ok {
			p.Years = append(p.Years, y)
			continue
		}
		if j, dup := seen[y.Year]; dup {
			c.add(fmt.Sprintf("budget_year[%d].year", i), "budget year %d is already configured in budget_year[%d]", y.Year, j)
			continue
		}
		seen[y.Year] = i
		p.Years = append(p.Years, y)
	}
	slices.SortStableFunc(p.Years, func(a, b *Year) int { return cmp.Compare(a.Year, b.Year) })
	p.BaseRates = c.baseRates(raw.BaseRate, p.Years)
	return p
}

// baseRates converts the [[base_rate]] list. It must be ascending, each day
// once, and begin on or before 1 January of the first budget year: interest
// is computed per day with the rate of that day, and a day without a rate
// could not be priced.
func (c *checker) baseRates(raws []rawBaseRate, years []*Year) []BaseRate {
	first := 0
	for _, y := range years {
		if y.Year != 0 && (first == 0 || y.Year < first) {
			first = y.Year
		}
	}
	if len(raws) == 0 {
		c.add("base_rate", "%s: the file needs [[base_rate]] blocks with valid_from and rate_pct, "+
			"the first on or before 1 January of the first budget year", missingKey)
		return nil
	}
	var out []BaseRate
	var index []int // of out's entries in the file
	datesOK := true
	for i, r := range raws {
		k := fmt.Sprintf("base_rate[%d]", i)
		from, fromOK := c.date(k+".valid_from", r.ValidFrom)
		// The base rate was negative from 2013 to 2022, so it may be.
		rate, _ := c.rate(k+".rate_pct", r.RatePct, -Percent(100))
		if !fromOK {
			datesOK = false
			continue
		}
		if n := len(out); n > 0 {
			prev := out[n-1].From
			switch {
			case from == prev:
				c.add(k+".valid_from", "a base rate from %s is already given in base_rate[%d]: each day at most once", from, index[n-1])
				datesOK = false
			case from.Before(prev):
				c.add(k+".valid_from", "%s is before %s of base_rate[%d]: list the base rates in ascending order of valid_from", from, prev, index[n-1])
				datesOK = false
			}
		}
		out = append(out, BaseRate{From: from, RatePct: rate})
		index = append(index, i)
	}
	if datesOK && first != 0 {
		if start := (Date{first, 1, 1}); out[0].From.After(start) {
			c.add("base_rate[0].valid_from", "the first base rate applies from %s, after the start of budget year %d (%s): "+
				"interest for the days before could not be computed; add the rate in force on %s", out[0].From, first, start, start)
		}
	}
	return out
}

// year converts one [[budget_year]] block; ok reports whether its year
// number is usable for the duplicate check.
func (c *checker) year(i int, r *rawYear) (y *Year, ok bool) {
	k := fmt.Sprintf("budget_year[%d]", i)
	y = &Year{}

	y.Year, ok = c.integer(k+".year", r.Year, 2000, 2100)
	budget, budgetOK := c.amount(k+".state_budget_eur", r.StateBudget)
	y.StateBudget = budget
	var capOK, rateOK bool
	y.DistrictCap, capOK = c.amount(k+".district_cap_eur", r.DistrictCap)
	y.MaxCoordinators, _ = c.integer(k+".max_coordinators", r.MaxCoordinators, 1, math.MaxInt32)
	y.FundingRatePct, rateOK = c.rate(k+".funding_rate_pct", r.FundingRatePct, 0)
	if r.PostCapPerFTE != nil {
		y.PostCapPerFTE, _ = c.amount(k+".post_cap_per_fte_eur", r.PostCapPerFTE)
	}
	y.LineTolerancePct, _ = c.rate(k+".line_tolerance_pct", r.LineTolerancePct, 0)
	y.SpendingWindowDays, _ = c.integer(k+".spending_window_days", r.SpendingWindowDays, 1, math.MaxInt32)
	y.InterestPointsAboveBase, _ = c.rate(k+".interest_points_above_base", r.InterestPointsAboveBase, 0)
	if r.BaseRatePct != nil {
		// Interest for a day uses the rate of that day, and one rate per
		// year cannot say which applies on each day.
		c.add(k+".base_rate_pct", "the base rate per budget year was replaced by the list [[base_rate]] at the top of the file: "+
			"one block per rate with valid_from (e.g. 2025-07-01) and rate_pct (e.g. 1.27); remove base_rate_pct")
	}
	y.UnderspendingPct, _ = c.rate(k+".underspending_pct", r.UnderspendingPct, 0)

	if ok {
		c.deadlines(k+".deadlines", &r.Deadlines, y)
	}
	y.Categories = c.categories(k, r.Category)
	y.ActivityTypes = c.activityTypes(k, r.ActivityType)
	y.IncomeTypes = c.incomeTypes(k, r.IncomeType)

	if len(r.District) == 0 {
		c.add(k+".district", "%s: the year needs at least one [[budget_year.district]] block", missingKey)
	}
	var approvedSum money.Cents
	seenAGS := map[string]int{}
	for j := range r.District {
		dk := fmt.Sprintf("%s.district[%d]", k, j)
		d := c.district(dk, &r.District[j], y, capOK, rateOK)
		if d.AGS != "" {
			if prev, dup := seenAGS[d.AGS]; dup {
				c.add(dk+".ags", "district %s is already configured in %s.district[%d]", d.AGS, k, prev)
			} else {
				seenAGS[d.AGS] = j
			}
		}
		approvedSum += d.Approved
		y.Districts = append(y.Districts, d)
	}
	if budgetOK && approvedSum > budget {
		c.add(k+".state_budget_eur", "approved grants of the districts add up to %s, above the state budget of %s", approvedSum, budget)
	}
	slices.SortStableFunc(y.Districts, func(a, b District) int { return cmp.Compare(a.AGS, b.AGS) })
	return y, ok
}

// deadlines fills the quarterly and final deadlines, defaulting each one
// left out to the rule of FUNDING_RULES.md: the 15th of the month after the
// quarter, and 30 June of the next year for the final report.
func (c *checker) deadlines(k string, r *rawDeadlines, y *Year) {
	raws := [4]any{r.Q1, r.Q2, r.Q3, r.Q4}
	for q := range 4 {
		key := fmt.Sprintf("%s.q%d", k, q+1)
		// time.Date carries month 13 over into January of the next year.
		d := DateOf(time.Date(y.Year, time.Month(3*q+4), 15, 0, 0, 0, 0, time.UTC))
		end := DateOf(time.Date(y.Year, time.Month(3*q+4), 0, 0, 0, 0, 0, time.UTC))
		if raws[q] != nil {
			var ok bool
			if d, ok = c.date(key, raws[q]); !ok {
				continue
			}
			if d.Before(end) {
				c.add(key, "deadline %s is before the end of quarter %d (%s)", d, q+1, end)
			}
		}
		y.QuarterDeadlines[q] = d
	}
	key := k + ".final_report"
	end := Date{y.Year, 12, 31}
	d := Date{y.Year + 1, 6, 30}
	if r.FinalReport != nil {
		var ok bool
		if d, ok = c.date(key, r.FinalReport); !ok {
			return
		}
		if d.Before(end) {
			c.add(key, "deadline %s is before the end of the budget year (%s)", d, end)
		}
	}
	y.FinalReportDeadline = d
}

// codePattern keeps codes usable as bare TOML keys in plan_eur and as
// unambiguous identifiers in SQL and reports.
var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// named is the shape Category and ActivityType share, so that one function
// checks both.
type named struct{ Code, NameDE, NameEN string }

// namedEntries converts category or activity type blocks. Besides duplicate codes
// it rejects a name shared by two entries, because lookups by name would
// then be ambiguous.
func (c *checker) namedEntries(k, table string, raws []rawNamed) []named {
	if len(raws) == 0 {
		c.add(k+"."+table, "%s: the year needs at least one [[budget_year.%s]] block", missingKey, table)
		return nil
	}
	var out []named
	owner := map[string]int{}
	for i, r := range raws {
		ek := fmt.Sprintf("%s.%s[%d]", k, table, i)
		var n named
		var ok bool
		if n.Code, ok = c.text(ek+".code", r.Code); ok && !codePattern.MatchString(n.Code) {
			c.add(ek+".code", "code %q must be upper-case letters, digits and _ like PERS", n.Code)
		}
		n.NameDE, _ = c.text(ek+".name_de", r.NameDE)
		n.NameEN, _ = c.text(ek+".name_en", r.NameEN)
		for _, f := range []struct{ key, val, what string }{
			{"code", n.Code, "code"},
			{"name_de", n.NameDE, "name"},
			{"name_en", n.NameEN, "name"},
		} {
			if f.val == "" {
				continue
			}
			if j, dup := owner[fold(f.val)]; dup && j != i {
				c.add(ek+"."+f.key, "duplicate %s %q, already used by %s.%s[%d]", f.what, f.val, k, table, j)
				continue
			}
			owner[fold(f.val)] = i
		}
		out = append(out, n)
	}
	return out
}

// categories converts the category blocks. Exactly one is marked staff =
// true: a file written before the mark existed is refused with a message
// saying what to add, rather than read as a programme without staff costs
// (which would make every salary line need a receipt number).
func (c *checker) categories(k string, raws []rawCategory) []Category {
	named := make([]rawNamed, len(raws))
	for i, r := range raws {
		named[i] = rawNamed{Code: r.Code, NameDE: r.NameDE, NameEN: r.NameEN}
	}
	var out []Category
	var staff []string
	for i, n := range c.namedEntries(k, "category", named) {
		cat := Category{Code: n.Code, NameDE: n.NameDE, NameEN: n.NameEN}
		if raws[i].Staff != nil {
			cat.Staff, _ = c.boolean(fmt.Sprintf("%s.category[%d].staff", k, i), raws[i].Staff)
		}
		if cat.Staff {
			staff = append(staff, cat.Code)
		}
		out = append(out, cat)
	}
	switch {
	case len(raws) == 0:
		// namedEntries has said so.
	case len(staff) == 0:
		c.add(k+".category", "%s: mark the category of staff costs with staff = true (exactly one category)", missingKey)
	case len(staff) > 1:
		c.add(k+".category", "staff = true on %s: exactly one category holds the staff costs", strings.Join(staff, ", "))
	}
	return out
}

func (c *checker) activityTypes(k string, raws []rawNamed) []ActivityType {
	var out []ActivityType
	for _, n := range c.namedEntries(k, "activity_type", raws) {
		out = append(out, ActivityType(n))
	}
	return out
}

// incomeTypes converts the income type blocks; a year without them gets
// DefaultIncomeTypes, so that files written before income existed load.
func (c *checker) incomeTypes(k string, raws []rawNamed) []IncomeType {
	if len(raws) == 0 {
		return DefaultIncomeTypes()
	}
	var out []IncomeType
	for _, n := range c.namedEntries(k, "income_type", raws) {
		out = append(out, IncomeType(n))
	}
	return out
}

// district converts one [[budget_year.district]] block and checks its grant
// against the year's cap and funding rate. capOK and rateOK say whether the
// year's figures are usable for those checks.
func (c *checker) district(k string, r *rawDistrict, y *Year, capOK, rateOK bool) District {
	d := District{}
	d.AGS, _ = c.ags(k+".ags", r.AGS)
	label := d.AGS
	if label == "" {
		label = k
	}
	d.Name, _ = c.text(k+".name", r.Name)
	if kind, ok := c.text(k+".kind", r.Kind); ok {
		if kind != KindLandkreis && kind != KindKreisfreieStadt {
			c.add(k+".kind", "kind %q must be %q or %q", kind, KindLandkreis, KindKreisfreieStadt)
		}
		d.Kind = kind
	}
	d.Population, _ = c.integer(k+".population", r.Population, 1, math.MaxInt32)
	d.FileNumber, _ = c.text(k+".file_number", r.FileNumber)
	approved, approvedOK := c.amount(k+".approved_eur", r.Approved)
	d.Approved = approved
	planTotal, planTotalOK := c.amount(k+".plan_total_eur", r.PlanTotal)
	d.PlanTotal = planTotal

	d.Plan = c.plan(k, label, r.Plan, y.Categories, planTotal, planTotalOK)
	if r.PlannedIncome != nil {
		d.PlannedIncome, _ = c.amount(k+".planned_income_eur", r.PlannedIncome)
	}

	if approvedOK && capOK && approved > y.DistrictCap {
		c.add(k+".approved_eur", "approved grant of %s is %s, above the district cap of %s", label, approved, y.DistrictCap)
	}
	if approvedOK && rateOK && planTotalOK {
		if most := y.FundingRatePct.Of(planTotal); approved > most {
			c.add(k+".approved_eur", "approved grant of %s is %s, above %s %% of the plan total %s (%s)", label, approved, y.FundingRatePct, planTotal, most)
		}
	}

	var paid money.Cents
	payoutsOK := true
	for i, rp := range r.Payouts {
		pk := fmt.Sprintf("%s.payouts[%d]", k, i)
		var p Payout
		var ok bool
		if p.Date, ok = c.date(pk+".date", rp.Date); !ok {
			payoutsOK = false
		}
		if p.Amount, ok = c.amount(pk+".amount_eur", rp.Amount); !ok {
			payoutsOK = false
		}
		if rp.Reference != nil {
			p.Reference, _ = c.optionalText(pk+".reference", rp.Reference)
		}
		paid += p.Amount
		d.Payouts = append(d.Payouts, p)
	}
	if payoutsOK && approvedOK && paid > approved {
		c.add(k+".payouts", "payouts of %s add up to %s, above the approved grant of %s", label, paid, approved)
	}
	slices.SortStableFunc(d.Payouts, func(a, b Payout) int { return a.Date.Compare(b.Date) })
	return d
}

// plan converts plan_eur. Every category of the year gets an entry, so that
// later stages can index the plan by any code without a presence check.
func (c *checker) plan(k, label string, raw map[string]any, cats []Category, total money.Cents, totalOK bool) map[string]money.Cents {
	plan := make(map[string]money.Cents, len(cats))
	for _, cat := range cats {
		plan[cat.Code] = 0
	}
	if raw == nil {
		c.add(k+".plan_eur", missingKey)
		return plan
	}
	codes := make([]string, 0, len(raw))
	for code := range raw {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	var known []string
	for _, cat := range cats {
		known = append(known, cat.Code)
	}
	var sum money.Cents
	sumOK := true
	for _, code := range codes {
		key := k + ".plan_eur." + toml.Key{code}.String()
		if _, ok := plan[code]; !ok {
			c.add(key, "unknown category code %q; the year's categories are %s", code, strings.Join(known, ", "))
			sumOK = false
			continue
		}
		a, ok := c.amount(key, raw[code])
		if !ok {
			sumOK = false
			continue
		}
		plan[code] = a
		sum += a
	}
	if sumOK && totalOK && sum != total {
		c.add(k+".plan_eur", "plan of %s adds up to %s, plan_total_eur says %s", label, sum, total)
	}
	return plan
}

// Converters for leaf values. Each records a Problem under key and reports
// ok=false when the value is missing or unusable.

func (c *checker) amount(key string, v any) (money.Cents, bool) {
	if v == nil {
		c.add(key, missingKey)
		return 0, false
	}
	a, err := amountFromTOML(v)
	if err != nil {
		c.add(key, "%v", err)
		return 0, false
	}
	if a < 0 {
		c.add(key, "negative amount %s", a)
		return 0, false
	}
	return a, true
}

// amountFromTOML converts a TOML integer, float or string to cents exactly:
// a float with more than two decimals is an error, never silently rounded.
func amountFromTOML(v any) (money.Cents, error) {
	switch x := v.(type) {
	case int64:
		if x > int64(money.Max/100) || x < -int64(money.Max/100) {
			return 0, fmt.Errorf("amount %d is out of range", x)
		}
		return money.FromEuros(x), nil
	case float64:
		a, err := centsFromFloat(x)
		if err != nil {
			return 0, fmt.Errorf("amount %w", err)
		}
		return a, nil
	case string:
		a, err := money.Parse(strings.TrimSpace(x))
		if err != nil {
			return 0, fmt.Errorf("amount %q is not a plain decimal with at most two decimals like \"110000.00\"", x)
		}
		return a, nil
	}
	return 0, fmt.Errorf("expected an amount in euros like 110000.00, found %s", describe(v))
}

// rate reads a percentage between min and 100 %.
func (c *checker) rate(key string, v any, min Rate) (Rate, bool) {
	if v == nil {
		c.add(key, missingKey)
		return 0, false
	}
	r, err := rateFromTOML(v)
	if err != nil {
		c.add(key, "%v", err)
		return 0, false
	}
	if r < min || r > Percent(100) {
		c.add(key, "must be between %d and 100 %%, found %s %%", min/100, r)
		return 0, false
	}
	return r, true
}

func (c *checker) integer(key string, v any, min, max int) (int, bool) {
	if v == nil {
		c.add(key, missingKey)
		return 0, false
	}
	n, isInt := v.(int64)
	if !isInt {
		c.add(key, "expected a whole number, found %s", describe(v))
		return 0, false
	}
	switch {
	case n < int64(min) && max == math.MaxInt32:
		c.add(key, "must be at least %d, found %d", min, n)
		return 0, false
	case n < int64(min) || n > int64(max):
		c.add(key, "must be between %d and %d, found %d", min, max, n)
		return 0, false
	}
	return int(n), true
}

// boolean reads true or false.
func (c *checker) boolean(key string, v any) (bool, bool) {
	b, ok := v.(bool)
	if !ok {
		c.add(key, "expected true or false, found %s", describe(v))
	}
	return b, ok
}

// text reads a required, non-empty string, trimmed of surrounding blanks.
func (c *checker) text(key string, v any) (string, bool) {
	if v == nil {
		c.add(key, missingKey)
		return "", false
	}
	s, ok := c.optionalText(key, v)
	if ok && s == "" {
		c.add(key, "must not be empty")
		return "", false
	}
	return s, ok
}

func (c *checker) optionalText(key string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		c.add(key, "expected a text in quotes, found %s", describe(v))
		return "", false
	}
	return strings.TrimSpace(s), true
}

func (c *checker) date(key string, v any) (Date, bool) {
	if v == nil {
		c.add(key, missingKey)
		return Date{}, false
	}
	d, err := dateFromTOML(v)
	if err != nil {
		c.add(key, "%v", err)
		return Date{}, false
	}
	return d, true
}

var agsPattern = regexp.MustCompile(`^[0-9]{5}$`)

// ags reads a district key. A bare TOML integer is accepted when it has five
// digits, since 15001 written without quotes is unambiguous.
func (c *checker) ags(key string, v any) (string, bool) {
	if n, isInt := v.(int64); isInt {
		v = fmt.Sprint(n)
	}
	s, ok := c.text(key, v)
	if !ok {
		return "", false
	}
	if !agsPattern.MatchString(s) {
		c.add(key, "district key %q must be 5 digits like \"15001\"", s)
		return "", false
	}
	return s, true
}

// centsFromFloat converts a TOML float to hundredths exactly. It works on
// the shortest decimal that reads back as x, which is the literal as
// written in the file, so 110000.001 is rejected rather than rounded.
func centsFromFloat(x float64) (money.Cents, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("%s is not a number", formatFloat(x))
	}
	s := formatFloat(x)
	if _, frac, ok := strings.Cut(s, "."); ok && len(frac) > 2 {
		return 0, fmt.Errorf("%s has more than two decimals", s)
	}
	c, err := money.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("%s is out of range", s)
	}
	return c, nil
}

// formatFloat prints x as written in a file, 1540000.001 rather than
// 1.540000001e+06.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// describe names the TOML type of v for messages.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("text %q", x)
	case int64:
		return fmt.Sprintf("number %d", x)
	case float64:
		return "number " + formatFloat(x)
	case bool:
		return fmt.Sprintf("%v", x)
	case map[string]any:
		return "a table"
	case []any, []map[string]any:
		return "a list"
	}
	return fmt.Sprintf("%v", v)
}

// unknownKeys reports every key of the file that the layout does not know.
// MetaData.Undecoded names keys without array indices, so each is located in
// the parsed tree to name the very element it occurs in.
func (c *checker) unknownKeys(data string, md toml.MetaData) {
	undecoded := md.Undecoded()
	if len(undecoded) == 0 {
		return
	}
	var tree map[string]any
	if _, err := toml.Decode(data, &tree); err != nil {
		// Cannot happen: the same data has just decoded without error.
		c.add("", "%v", err)
		return
	}
	unknown := map[string]bool{}
	for _, k := range undecoded {
		unknown[k.String()] = true
	}
	done := map[string]bool{}
next:
	for _, k := range undecoded {
		if done[k.String()] {
			continue
		}
		done[k.String()] = true
		// Below an unknown table, only the table itself is worth a message.
		for n := 1; n < len(k); n++ {
			if unknown[k[:n].String()] {
				continue next
			}
		}
		msg := "unknown key"
		if s := suggest(k); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		for _, path := range locate(tree, k, "") {
			c.add(path, "%s", msg)
		}
	}
}

// locate returns the indexed paths of every occurrence of k in node,
// budget_year[0].district[3].plan_eurr.
func locate(node any, k toml.Key, prefix string) []string {
	if len(k) == 0 {
		return []string{prefix}
	}
	var out []string
	switch n := node.(type) {
	case map[string]any:
		if v, ok := n[k[0]]; ok {
			p := toml.Key{k[0]}.String()
			if prefix != "" {
				p = prefix + "." + p
			}
			out = locate(v, k[1:], p)
		}
	case []map[string]any:
		for i, e := range n {
			out = append(out, locate(e, k, fmt.Sprintf("%s[%d]", prefix, i))...)
		}
	case []any:
		for i, e := range n {
			out = append(out, locate(e, k, fmt.Sprintf("%s[%d]", prefix, i))...)
		}
	}
	return out
}

// suggest returns the known key closest to the last part of k, if exactly
// one is within two typing mistakes.
func suggest(k toml.Key) string {
	t := reflect.TypeFor[rawFile]()
	for _, part := range k[:len(k)-1] {
		f, ok := fieldByTag(t, part)
		if !ok {
			return ""
		}
		t = f.Type
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return ""
		}
	}
	best, bestDist, ties := "", 3, 0 // more than two mistakes: no guess
	for i := range t.NumField() {
		name := tagName(t.Field(i))
		switch d := distance(k[len(k)-1], name); {
		case name == "" || d > bestDist:
		case d < bestDist:
			best, bestDist, ties = name, d, 1
		default:
			ties++
		}
	}
	if best == "" || ties != 1 {
		return ""
	}
	return best
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); strings.EqualFold(tagName(f), name) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
