package programme

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"grantpipe/pipeline/money"
	"grantpipe/templates"
)

var update = flag.Bool("update", false, "rewrite templates/programme.toml from WriteTOML(Default())")

// templatePath is the embedded default's file, relative to this package.
var templatePath = filepath.Join("..", "..", "templates", DefaultFile)

func mustDefault(t *testing.T) *Programme {
	t.Helper()
	p, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return p
}

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func eur(t *testing.T, s string) money.Cents {
	t.Helper()
	c, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDefaultHoldsTheFiguresOfTheFundingRules(t *testing.T) {
	p := mustDefault(t)
	y, ok := p.Year(2026)
	if !ok {
		t.Fatalf("Default has no budget year 2026; years: %v", len(p.Years))
	}

	var approved, planTotals money.Cents
	var population int
	var ags []string
	plansAddUp := true
	rateCoversGrant := true
	staffShareOK := true
	splits := map[string]bool{}
	for _, d := range y.Districts {
		ags = append(ags, d.AGS)
		approved += d.Approved
		planTotals += d.PlanTotal
		population += d.Population
		var sum money.Cents
		for _, a := range d.Plan {
			sum += a
		}
		plansAddUp = plansAddUp && sum == d.PlanTotal
		rateCoversGrant = rateCoversGrant && y.FundingRatePct.Of(d.PlanTotal) >= d.Approved
		share := float64(d.Plan["PERS"]) / float64(d.PlanTotal)
		staffShareOK = staffShareOK && share > 0.78 && share < 0.82
		splits[d.Plan["PERS"].String()+"/"+d.Plan["SACH"].String()] = true
	}
	var baseRateDays, incomeTypes []string
	for _, b := range p.BaseRates {
		baseRateDays = append(baseRateDays, b.From.String())
	}
	for _, it := range y.IncomeTypes {
		incomeTypes = append(incomeTypes, it.Code)
	}
	var plannedIncome money.Cents
	for _, d := range y.Districts {
		plannedIncome += d.PlannedIncome
	}
	borde, _ := y.District("15083")
	dessau, _ := y.District("15001")
	var paid money.Cents
	var payoutDates []string
	for _, po := range dessau.Payouts {
		paid += po.Amount
		payoutDates = append(payoutDates, po.Date.String())
	}

	tests := []struct {
		name      string
		got, want any
	}{
		{"the default configures only budget year 2026", len(p.Years), 1},
		{"the state budget is 1,540,000.00 EUR", y.StateBudget, eur(t, "1540000.00")},
		{"the district cap is 110,000.00 EUR", y.DistrictCap, eur(t, "110000.00")},
		{"the funding rate is 90.00 %", y.FundingRatePct.String(), "90.00"},
		{"a district employs at most 4 coordinators", y.MaxCoordinators, 4},
		{"the cap per full-time post is off", y.PostCapPerFTE, money.Cents(0)},
		{"a cost category may exceed its plan by 20.00 %", y.LineTolerancePct.String(), "20.00"},
		{"payouts are to be spent within 60 days", y.SpendingWindowDays, 60},
		{"interest is 5.00 points above the base rate", y.InterestPointsAboveBase.String(), "5.00"},
		{"the base rate on 1 January 2026 is 1.27 %", p.BaseRateOn(day(2026, 1, 1)).String(), "1.27"},
		{"the base rate on 30 June 2025 is 2.27 %", p.BaseRateOn(day(2025, 6, 30)).String(), "2.27"},
		{"the base rate list starts on 1 January 2025 and changes every half year", baseRateDays,
			[]string{"2025-01-01", "2025-07-01", "2026-01-01", "2026-07-01"}},
		{"there are three income types", incomeTypes, []string{"DRITT", "TEILN", "SONST"}},
		{"three districts (the demo's) plan 5,000.00 EUR of income each", plannedIncome, 3 * eur(t, "5000.00")},
		{"underspending is below 50.00 % of the pro-rata plan", y.UnderspendingPct.String(), "50.00"},
		{"the quarterly deadlines are the 15th after each quarter", y.QuarterDeadlines,
			[4]Date{{2026, 4, 15}, {2026, 7, 15}, {2026, 10, 15}, {2027, 1, 15}}},
		{"the Q1 deadline is 2026-04-15", y.QuarterDeadlines[0].String(), "2026-04-15"},
		{"the final report is due 2027-06-30", y.FinalReportDeadline.String(), "2027-06-30"},
		{"there are 14 districts ascending by AGS", ags, []string{
			"15001", "15002", "15003", "15081", "15082", "15083", "15084",
			"15085", "15086", "15087", "15088", "15089", "15090", "15091"}},
		{"the approved grants add up to 1,540,000.00 EUR", approved, eur(t, "1540000.00")},
		{"the plan totals add up to 14 × 122,222.23 EUR and the 3 × 5,000.00 EUR of planned income", planTotals, 14*eur(t, "122222.23") + 3*eur(t, "5000.00")},
		{"every plan adds up to its plan total", plansAddUp, true},
		{"90 % of every plan covers the approved grant", rateCoversGrant, true},
		{"staff costs are about 80 % of every plan", staffShareOK, true},
		{"the plans are not all split alike", len(splits) > 7, true},
		{"Börde is called Börde", borde.Name, "Börde"},
		{"Börde has 170,984 inhabitants", borde.Population, 170984},
		{"Börde is a Landkreis", borde.Kind, KindLandkreis},
		{"the populations add up to the state total of 2,180,448", population, 2180448},
		{"Dessau-Roßlau is a kreisfreie Stadt", dessau.Kind, KindKreisfreieStadt},
		{"Dessau-Roßlau's file number follows the LVwA pattern", dessau.FileNumber, "LVwA 506.2-15001/2026"},
		{"the payouts of 15001 add up to 110,000.00 EUR", paid, eur(t, "110000.00")},
		{"the payouts of 15001 fall on the first working day of each quarter", payoutDates,
			[]string{"2026-01-02", "2026-04-01", "2026-07-01", "2026-10-01"}},
		{"the first payout of 15001 has its reference", dessau.Payouts[0].Reference, "AZ-2026-15001-Q1"},
		{"there are six cost categories", len(y.Categories), 6},
		{"there are six activity types", len(y.ActivityTypes), 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestLookups(t *testing.T) {
	p := mustDefault(t)
	y, _ := p.Year(2026)
	category := func(s string) string {
		if c, ok := y.Category(s); ok {
			return c.Code
		}
		return ""
	}
	activity := func(s string) string {
		if a, ok := y.ActivityType(s); ok {
			return a.Code
		}
		return ""
	}
	district := func(s string) string {
		if d, ok := y.District(s); ok {
			return d.Name
		}
		return ""
	}
	year := func(n int) bool { _, ok := p.Year(n); return ok }
	income := func(s string) string {
		if it, ok := y.IncomeType(s); ok {
			return it.Code
		}
		return ""
	}

	tests := []struct {
		name      string
		got, want any
	}{
		{"a category is found by its code", category("PERS"), "PERS"},
		{"a category is found by its German name whatever the case and blanks", category("  personalkosten "), "PERS"},
		{"a category is found by its English name", category("Staff costs"), "PERS"},
		{"a category with an umlaut is found in lower case", category("dolmetsch- und übersetzungsleistungen"), "DOLM"},
		{"an unknown category is not found", category("Bewirtung"), ""},
		{"an empty category is not found", category(" "), ""},
		{"an activity type is found by its German name", activity("Schulung Migrant:innen"), "SCHULUNG_MIG"},
		{"an activity type is found despite repeated blanks", activity("schulung  verwaltung"), "SCHULUNG_VERW"},
		{"an activity type is found by its English name", activity("counselling and bridge to offices"), "BERATUNG"},
		{"an activity type is found by its code", activity("netzwerk"), "NETZWERK"},
		{"a district is found by its AGS", district("15083"), "Börde"},
		{"a district's AGS may carry blanks", district(" 15087 "), "Mansfeld-Südharz"},
		{"an unknown AGS is not found", district("15000"), ""},
		{"an income type is found by its code", income("DRITT"), "DRITT"},
		{"an income type is found by its German name whatever the case and blanks", income("  teilnahmebeiträge "), "TEILN"},
		{"an income type is found by its English name", income("third-party  funds"), "DRITT"},
		{"an income type is found by its code in lower case", income("sonst"), "SONST"},
		{"an unknown income type is not found", income("Spende"), ""},
		{"an empty income type is not found", income(""), ""},
		{"budget year 2026 is configured", year(2026), true},
		{"budget year 2027 is not configured", year(2027), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestWriteTOMLThenLoadGivesTheSameProgramme(t *testing.T) {
	want := mustDefault(t)
	var buf bytes.Buffer
	if err := want.WriteTOML(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Load(buf.Bytes(), "config.toml")
	if err != nil {
		t.Fatalf("Load(WriteTOML(Default())): %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip changed the programme (-want +got)\n%s", diff)
	}
}

func TestWriteTOMLKeepsUnusualValues(t *testing.T) {
	want := mustDefault(t)
	y := want.Years[0]
	y.StateBudget = money.Max // too large for a float64 to hold every cent
	y.PostCapPerFTE = eur(t, "56340.00")
	want.BaseRates = append(want.BaseRates, BaseRate{From: Date{2027, 1, 1}, RatePct: -88})
	y.Districts[0].PlannedIncome = eur(t, "5000.00")
	y.IncomeTypes = y.IncomeTypes[:2]
	y.Districts[1].Name = `Halle "Saale" \ Test`
	y.Districts[1].Payouts = nil
	y.Districts[2].Payouts[0].Reference = "Überweisung\tQ1 – Magdeburg"
	var buf bytes.Buffer
	if err := want.WriteTOML(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Load(buf.Bytes(), "config.toml")
	if err != nil {
		t.Fatalf("Load(WriteTOML(p)): %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip changed the programme (-want +got)\n%s", diff)
	}
}

func TestTheEmbeddedTemplateIsWhatWriteTOMLPrints(t *testing.T) {
	var buf bytes.Buffer
	if err := mustDefault(t).WriteTOML(&buf); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(templatePath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := fs.ReadFile(templates.FS, DefaultFile)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		// templates.FS was embedded before the rewrite.
		if want, err = os.ReadFile(templatePath); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("templates/programme.toml differs from WriteTOML(Default()); run go test -update (-file +printed)\n%s", diff)
	}
}

func TestLoadFileNamesThePathInMessages(t *testing.T) {
	t.Run("a valid file loads", func(t *testing.T) {
		p, err := LoadFile(filepath.Join("testdata", "minimal.toml"))
		if err != nil {
			t.Fatal(err)
		}
		y, _ := p.Year(2027)
		if got, want := len(y.Districts), 1; got != want {
			t.Errorf("districts = %d, want %d", got, want)
		}
	})
	t.Run("a broken file is reported under its path", func(t *testing.T) {
		path := filepath.Join("testdata", "two_problems.toml")
		_, err := LoadFile(path)
		want := path + ": budget_year[0].district[0].population: must be at least 1, found 0\n" +
			path + ": budget_year[0].district[0].payouts: payouts of 15083 add up to 50000.00, above the approved grant of 40000.00"
		if err == nil || err.Error() != want {
			t.Errorf("got error\n%v\nwant\n%s", err, want)
		}
	})
	t.Run("a missing file is an I/O error", func(t *testing.T) {
		if _, err := LoadFile(filepath.Join("testdata", "absent.toml")); err == nil {
			t.Error("no error")
		}
	})
}

func TestBaseRateOnIsTheRateInForceThatDay(t *testing.T) {
	p := &Programme{BaseRates: []BaseRate{
		{From: Date{2025, 1, 1}, RatePct: 227},
		{From: Date{2025, 7, 1}, RatePct: 127},
		{From: Date{2026, 7, 1}, RatePct: -88},
	}}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		day  time.Time
		want string
	}{
		{"the first day of the list has the first rate", day(2025, 1, 1), "2.27"},
		{"the day before a change has the old rate", day(2025, 6, 30), "2.27"},
		{"the day of a change has the new rate", day(2025, 7, 1), "1.27"},
		{"a rate holds until the next entry, across a year's end", day(2026, 6, 30), "1.27"},
		{"a negative rate applies from its day", day(2026, 7, 1), "-0.88"},
		{"the last rate holds on", day(2030, 12, 31), "-0.88"},
		{"a day before the list has the first rate", day(2024, 12, 31), "2.27"},
		{"the day is the calendar day in its own location, not in UTC", time.Date(2025, 7, 1, 0, 30, 0, 0, berlin), "1.27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.BaseRateOn(tt.day).String(); got != tt.want {
				t.Errorf("BaseRateOn(%s) = %s, want %s", tt.day, got, tt.want)
			}
		})
	}
}
