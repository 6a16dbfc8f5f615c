package programme

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"grantpipe/pipeline/money"
	"grantpipe/templates"
)

// edit is a text change to the default file: the first occurrence of old
// becomes new. Tests state their change as ministry staff would make it.
type edit struct{ old, new string }

func defaultText(t *testing.T) string {
	t.Helper()
	b, err := fs.ReadFile(templates.FS, DefaultFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func applyEdits(t *testing.T, src string, edits []edit) string {
	t.Helper()
	for _, e := range edits {
		if !strings.Contains(src, e.old) {
			t.Fatalf("edit: %q does not occur in the file", e.old)
		}
		src = strings.Replace(src, e.old, e.new, 1)
	}
	return src
}

// yearBlock is the default's [[budget_year]] block without the file header,
// for files with two budget years.
func yearBlock(t *testing.T) string {
	src := defaultText(t)
	return src[strings.Index(src, "\n[[budget_year]]\n")+1:]
}

func TestLoadRejectsWithAMessageNamingTheKey(t *testing.T) {
	tests := []struct {
		name  string
		edits []edit
		src   func(t *testing.T) string // instead of edits: the whole file
		// want lists every line of the error, without the "programme.toml: "
		// prefix; with more set, other lines may follow.
		want []string
		more bool
	}{
		{
			name:  "an unknown key is named with the index of its district",
			edits: []edit{{`file_number = "LVwA 506.2-15081/2026"`, `file_number = "LVwA 506.2-15081/2026"` + "\nplan_eurr = 5"}},
			want:  []string{"budget_year[0].district[3].plan_eurr: unknown key (did you mean plan_eur?)"},
		},
		{
			name:  "an unknown key inside a payout is named with the payout's index",
			edits: []edit{{`reference = "AZ-2026-15002-Q3"`, `referenz = "AZ-2026-15002-Q3"`}},
			want:  []string{"budget_year[0].district[1].payouts[2].referenz: unknown key (did you mean reference?)"},
		},
		{
			name:  "an unknown key in the deadlines is named",
			edits: []edit{{"final_report = 2027-06-30", "final_report = 2027-06-30\nfinal = 2027-06-30"}},
			want:  []string{"budget_year[0].deadlines.final: unknown key"},
		},
		{
			name:  "an unknown table is named once, not with every key inside it",
			edits: []edit{{"[budget_year.deadlines]", "[budget_year.extra]\nfoo = 1\nbar = 2\n\n[budget_year.deadlines]"}},
			want:  []string{"budget_year[0].extra: unknown key"},
		},
		{
			name:  "a missing parameter is named",
			edits: []edit{{"district_cap_eur = 110000.00\n", ""}},
			want:  []string{"budget_year[0].district_cap_eur: missing required key"},
		},
		{
			name:  "a missing district figure is named",
			edits: []edit{{"population = 79686\n", ""}},
			want:  []string{"budget_year[0].district[0].population: missing required key"},
		},
		{
			name:  "a missing payout amount is named",
			edits: []edit{{`amount_eur = 27500.00, reference = "AZ-2026-15003-Q2"`, `reference = "AZ-2026-15003-Q2"`}},
			want:  []string{"budget_year[0].district[2].payouts[1].amount_eur: missing required key"},
		},
		{
			name: "a file without budget year is rejected",
			src:  func(*testing.T) string { return "# nothing here\n" },
			want: []string{"budget_year: missing required key: the file needs at least one [[budget_year]] block"},
		},
		{
			name: "a year without categories is rejected",
			src: func(*testing.T) string {
				return strings.Join([]string{"[[budget_year]]", "year = 2026", "state_budget_eur = 0", "district_cap_eur = 0",
					"max_coordinators = 1", "funding_rate_pct = 90", "line_tolerance_pct = 20", "spending_window_days = 60",
					"interest_points_above_base = 5", "underspending_pct = 50",
					"[[base_rate]]", "valid_from = 2026-01-01", "rate_pct = 1.27"}, "\n")
			},
			want: []string{
				"budget_year[0].category: missing required key: the year needs at least one [[budget_year.category]] block",
				"budget_year[0].activity_type: missing required key: the year needs at least one [[budget_year.activity_type]] block",
				"budget_year[0].district: missing required key: the year needs at least one [[budget_year.district]] block",
			},
		},
		{
			name: "a budget year configured twice is rejected",
			src:  func(t *testing.T) string { return defaultText(t) + "\n" + yearBlock(t) },
			want: []string{"budget_year[1].year: budget year 2026 is already configured in budget_year[0]"},
		},
		{
			name:  "a year before 2000 is rejected",
			edits: []edit{{"year = 2026", "year = 1999"}},
			want:  []string{"budget_year[0].year: must be between 2000 and 2100, found 1999"},
		},
		{
			name:  "a year after 2100 is rejected",
			edits: []edit{{"year = 2026", "year = 2101"}},
			want:  []string{"budget_year[0].year: must be between 2000 and 2100, found 2101"},
		},
		{
			name:  "an AGS with four digits is rejected",
			edits: []edit{{`ags = "15001"`, `ags = "1500"`}},
			want:  []string{`budget_year[0].district[0].ags: district key "1500" must be 5 digits like "15001"`},
		},
		{
			name:  "an AGS with a letter is rejected",
			edits: []edit{{`ags = "15001"`, `ags = "1500l"`}},
			want:  []string{`budget_year[0].district[0].ags: district key "1500l" must be 5 digits like "15001"`},
		},
		{
			name:  "an AGS given twice is rejected at its second district",
			edits: []edit{{`ags = "15002"`, `ags = "15001"`}},
			want:  []string{"budget_year[0].district[1].ags: district 15001 is already configured in budget_year[0].district[0]"},
		},
		{
			name:  "an unknown category code in a plan is named",
			edits: []edit{{"PERS = 96500.00", "PERSONAL = 96500.00"}},
			want: []string{`budget_year[0].district[0].plan_eur.PERSONAL: unknown category code "PERSONAL"; ` +
				"the year's categories are PERS, REISE, FORTB, VERANST, SACH, DOLM"},
		},
		{
			name:  "a plan that does not add up to plan_total_eur is rejected",
			edits: []edit{{"SACH = 7222.23", "SACH = 7222.22"}},
			want:  []string{"budget_year[0].district[5].plan_eur: plan of 15083 adds up to 122222.22, plan_total_eur says 122222.23"},
		},
		{
			name: "an approved grant above the district cap is rejected",
			edits: []edit{
				{"approved_eur = 110000.00", "approved_eur = 110000.01"},
				{"state_budget_eur = 1540000.00", "state_budget_eur = 1540000.01"},
			},
			want: []string{"budget_year[0].district[0].approved_eur: approved grant of 15001 is 110000.01, above the district cap of 110000.00"},
		},
		{
			name: "an approved grant above 90 % of the plan total is rejected",
			edits: []edit{
				{"plan_total_eur = 122222.23", "plan_total_eur = 122222.21"},
				{"SACH = 10922.23", "SACH = 10922.21"},
			},
			want: []string{"budget_year[0].district[0].approved_eur: approved grant of 15001 is 110000.00, " +
				"above 90.00 % of the plan total 122222.21 (109999.99)"},
		},
		{
			name:  "approved grants above the state budget are rejected",
			edits: []edit{{"state_budget_eur = 1540000.00", "state_budget_eur = 1539999.99"}},
			want:  []string{"budget_year[0].state_budget_eur: approved grants of the districts add up to 1540000.00, above the state budget of 1539999.99"},
		},
		{
			name:  "a negative plan amount is rejected",
			edits: []edit{{"DOLM = 5500.00", "DOLM = -5500.00"}},
			want:  []string{"budget_year[0].district[0].plan_eur.DOLM: negative amount -5500.00"},
		},
		{
			name:  "a negative payout is rejected",
			edits: []edit{{"amount_eur = 27500.00", `amount_eur = "-27500.00"`}},
			want:  []string{"budget_year[0].district[0].payouts[0].amount_eur: negative amount -27500.00"},
		},
		{
			name:  "a negative state budget is rejected",
			edits: []edit{{"state_budget_eur = 1540000.00", "state_budget_eur = -1"}},
			want:  []string{"budget_year[0].state_budget_eur: negative amount -1.00"},
		},
		{
			name:  "an amount with three decimals is rejected, not rounded",
			edits: []edit{{"district_cap_eur = 110000.00", "district_cap_eur = 110000.001"}},
			want:  []string{"budget_year[0].district_cap_eur: amount 110000.001 has more than two decimals"},
		},
		{
			name:  "an amount in German notation is rejected",
			edits: []edit{{"district_cap_eur = 110000.00", `district_cap_eur = "110.000,00"`}},
			want:  []string{`budget_year[0].district_cap_eur: amount "110.000,00" is not a plain decimal with at most two decimals like "110000.00"`},
		},
		{
			name:  "a funding rate above 100 % is rejected",
			edits: []edit{{"funding_rate_pct = 90.00", "funding_rate_pct = 190"}},
			want:  []string{"budget_year[0].funding_rate_pct: must be between 0 and 100 %, found 190.00 %"},
		},
		{
			name:  "a negative underspending rate is rejected",
			edits: []edit{{"underspending_pct = 50.00", "underspending_pct = -5"}},
			want:  []string{"budget_year[0].underspending_pct: must be between 0 and 100 %, found -5.00 %"},
		},
		{
			name:  "a rate with three decimals is rejected, not rounded",
			edits: []edit{{"rate_pct = 2.27", "rate_pct = 2.275"}},
			want:  []string{"base_rate[0].rate_pct: rate 2.275 has more than two decimals"},
		},
		{
			name:  "a date that does not exist is rejected",
			edits: []edit{{"q1 = 2026-04-15", `q1 = "2026-02-30"`}},
			want:  []string{`budget_year[0].deadlines.q1: "2026-02-30" is not a valid date like 2026-04-15`},
		},
		{
			name:  "a payout date in German notation is rejected",
			edits: []edit{{"date = 2026-07-01", `date = "01.07.2026"`}},
			want:  []string{`budget_year[0].district[0].payouts[2].date: "01.07.2026" is not a valid date like 2026-04-15`},
		},
		{
			name:  "a deadline with a time of day is rejected",
			edits: []edit{{"q3 = 2026-10-15", "q3 = 2026-10-15T12:00:00"}},
			want:  []string{"budget_year[0].deadlines.q3: expected a date like 2026-04-15, found a date with time of day 2026-10-15T12:00:00"},
		},
		{
			name:  "a deadline before the end of its quarter is rejected",
			edits: []edit{{"q2 = 2026-07-15", "q2 = 2026-06-15"}},
			want:  []string{"budget_year[0].deadlines.q2: deadline 2026-06-15 is before the end of quarter 2 (2026-06-30)"},
		},
		{
			name:  "a final report deadline within the budget year is rejected",
			edits: []edit{{"final_report = 2027-06-30", "final_report = 2026-06-30"}},
			want:  []string{"budget_year[0].deadlines.final_report: deadline 2026-06-30 is before the end of the budget year (2026-12-31)"},
		},
		{
			name:  "payouts above the approved grant are rejected",
			edits: []edit{{`amount_eur = 27500.00, reference = "AZ-2026-15001-Q4"`, `amount_eur = 27500.01, reference = "AZ-2026-15001-Q4"`}},
			want:  []string{"budget_year[0].district[0].payouts: payouts of 15001 add up to 110000.01, above the approved grant of 110000.00"},
		},
		{
			name:  "a category code given twice is rejected",
			edits: []edit{{`code = "REISE"`, `code = "PERS"`}},
			want:  []string{`budget_year[0].category[1].code: duplicate code "PERS", already used by budget_year[0].category[0]`},
			more:  true, // every plan's REISE is then unknown, too
		},
		{
			name:  "a file without the staff-cost mark (written before it existed) is refused, saying what to add",
			edits: []edit{{"staff = true\n", ""}},
			want:  []string{"budget_year[0].category: missing required key: mark the category of staff costs with staff = true (exactly one category)"},
		},
		{
			name:  "two categories marked as staff costs are refused",
			edits: []edit{{`name_en = "Travel"`, `name_en = "Travel"` + "\nstaff = true"}},
			want:  []string{"budget_year[0].category: staff = true on PERS, REISE: exactly one category holds the staff costs"},
		},
		{
			name:  "a staff mark that is not true or false is refused",
			edits: []edit{{"\nstaff = true\n", "\nstaff = \"ja\"\n"}},
			want: []string{`budget_year[0].category[0].staff: expected true or false, found text "ja"`,
				"budget_year[0].category: missing required key: mark the category of staff costs with staff = true (exactly one category)"},
		},
		{
			name:  "staff on an activity type is an unknown key",
			edits: []edit{{`code = "NETZWERK"`, `code = "NETZWERK"` + "\nstaff = true"}},
			want:  []string{"budget_year[0].activity_type[0].staff: unknown key"},
		},
		{
			name:  "an activity type code given twice is rejected",
			edits: []edit{{`code = "PROJEKT"`, `code = "BERATUNG"`}},
			want:  []string{`budget_year[0].activity_type[5].code: duplicate code "BERATUNG", already used by budget_year[0].activity_type[4]`},
		},
		{
			name:  "a category name given twice is rejected because lookups by name would be ambiguous",
			edits: []edit{{`name_en = "Travel"`, `name_en = "staff costs"`}},
			want:  []string{`budget_year[0].category[1].name_en: duplicate name "staff costs", already used by budget_year[0].category[0]`},
		},
		{
			name:  "a lower-case code is rejected",
			edits: []edit{{`code = "NETZWERK"`, `code = "netzwerk"`}},
			want:  []string{`budget_year[0].activity_type[0].code: code "netzwerk" must be upper-case letters, digits and _ like PERS`},
		},
		{
			name:  "an empty district name is rejected",
			edits: []edit{{`name = "Börde"`, `name = "  "`}},
			want:  []string{"budget_year[0].district[5].name: must not be empty"},
		},
		{
			name:  "an empty category name is rejected",
			edits: []edit{{`name_de = "Reisekosten"`, `name_de = ""`}},
			want:  []string{"budget_year[0].category[1].name_de: must not be empty"},
		},
		{
			name:  "an empty file number is rejected",
			edits: []edit{{`file_number = "LVwA 506.2-15001/2026"`, `file_number = ""`}},
			want:  []string{"budget_year[0].district[0].file_number: must not be empty"},
		},
		{
			name:  "a population of zero is rejected",
			edits: []edit{{"population = 170984", "population = 0"}},
			want:  []string{"budget_year[0].district[5].population: must be at least 1, found 0"},
		},
		{
			name:  "a negative population is rejected",
			edits: []edit{{"population = 170984", "population = -170984"}},
			want:  []string{"budget_year[0].district[5].population: must be at least 1, found -170984"},
		},
		{
			name:  "a population written as text is rejected",
			edits: []edit{{"population = 170984", `population = "170.984"`}},
			want:  []string{`budget_year[0].district[5].population: expected a whole number, found text "170.984"`},
		},
		{
			name:  "an unknown kind of district is rejected",
			edits: []edit{{`kind = "Landkreis"`, `kind = "Kreis"`}},
			want:  []string{`budget_year[0].district[3].kind: kind "Kreis" must be "Landkreis" or "kreisfreie Stadt"`},
		},
		{
			name:  "a file without the base rate list is refused, saying what to add",
			edits: []edit{{"[[base_rate]]\nvalid_from = 2025-01-01\nrate_pct = 2.27\n\n[[base_rate]]\nvalid_from = 2025-07-01\nrate_pct = 1.27\n\n[[base_rate]]\nvalid_from = 2026-01-01\nrate_pct = 1.27\n\n[[base_rate]]\nvalid_from = 2026-07-01\nrate_pct = 1.27\n", ""}},
			want: []string{"base_rate: missing required key: the file needs [[base_rate]] blocks with valid_from and rate_pct, " +
				"the first on or before 1 January of the first budget year"},
		},
		{
			name:  "base rates out of order are refused at the first entry that goes back",
			edits: []edit{{"valid_from = 2025-07-01", "valid_from = 2026-03-01"}},
			want:  []string{"base_rate[2].valid_from: 2026-01-01 is before 2026-03-01 of base_rate[1]: list the base rates in ascending order of valid_from"},
		},
		{
			name:  "two base rates from the same day are refused",
			edits: []edit{{"valid_from = 2026-07-01", "valid_from = 2026-01-01"}},
			want:  []string{"base_rate[3].valid_from: a base rate from 2026-01-01 is already given in base_rate[2]: each day at most once"},
		},
		{
			name: "a base rate list that starts after 1 January of the first budget year is refused: some interest days could not be priced",
			edits: []edit{
				{"[[base_rate]]\nvalid_from = 2025-01-01\nrate_pct = 2.27\n\n[[base_rate]]\nvalid_from = 2025-07-01\nrate_pct = 1.27\n\n[[base_rate]]\nvalid_from = 2026-01-01\nrate_pct = 1.27\n\n", ""},
			},
			want: []string{"base_rate[0].valid_from: the first base rate applies from 2026-07-01, after the start of budget year 2026 (2026-01-01): " +
				"interest for the days before could not be computed; add the rate in force on 2026-01-01"},
		},
		{
			name:  "a base rate below -100 % is refused",
			edits: []edit{{"rate_pct = 2.27", "rate_pct = -100.01"}},
			want:  []string{"base_rate[0].rate_pct: must be between -100 and 100 %, found -100.01 %"},
		},
		{
			name:  "a base rate without its day is refused",
			edits: []edit{{"valid_from = 2025-07-01\n", ""}},
			want:  []string{"base_rate[1].valid_from: missing required key"},
		},
		{
			name:  "a file that still has the base rate per budget year is told what replaced it",
			edits: []edit{{"interest_points_above_base = 5.00\n", "interest_points_above_base = 5.00\nbase_rate_pct = 1.27\n"}},
			want: []string{"budget_year[0].base_rate_pct: the base rate per budget year was replaced by the list [[base_rate]] at the top of the file: " +
				"one block per rate with valid_from (e.g. 2025-07-01) and rate_pct (e.g. 1.27); remove base_rate_pct"},
		},
		{
			name:  "negative planned income is refused",
			edits: []edit{{"planned_income_eur = 0.00", "planned_income_eur = -5000.00"}},
			want:  []string{"budget_year[0].district[0].planned_income_eur: negative amount -5000.00"},
		},
		{
			name:  "planned income written as a German number is refused",
			edits: []edit{{"planned_income_eur = 0.00", `planned_income_eur = "5.000,00"`}},
			want:  []string{`budget_year[0].district[0].planned_income_eur: amount "5.000,00" is not a plain decimal with at most two decimals like "110000.00"`},
		},
		{
			name:  "an income type code given twice is refused",
			edits: []edit{{`code = "SONST"`, `code = "DRITT"`}},
			want:  []string{`budget_year[0].income_type[2].code: duplicate code "DRITT", already used by budget_year[0].income_type[0]`},
		},
		{
			name: "all problems of a file are reported together, one per line",
			edits: []edit{
				{"district_cap_eur = 110000.00\n", ""},
				{"population = 79686", "population = 0"},
				{"SACH = 7222.23", "SACH = 7222.22"},
			},
			want: []string{
				"budget_year[0].district_cap_eur: missing required key",
				"budget_year[0].district[0].population: must be at least 1, found 0",
				"budget_year[0].district[5].plan_eur: plan of 15083 adds up to 122222.22, plan_total_eur says 122222.23",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src string
			if tt.src != nil {
				src = tt.src(t)
			} else {
				src = applyEdits(t, defaultText(t), tt.edits)
			}
			p, err := Load([]byte(src), "programme.toml")
			if err == nil {
				t.Fatalf("Load accepted the file: %d years", len(p.Years))
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error is %T, want *ValidationError: %v", err, err)
			}
			got := strings.Split(err.Error(), "\n")
			for i, line := range got {
				if !strings.HasPrefix(line, "programme.toml: ") {
					t.Fatalf("line %d lacks the file name: %q", i, line)
				}
				got[i] = strings.TrimPrefix(line, "programme.toml: ")
			}
			if tt.more && len(got) > len(tt.want) {
				got = got[:len(tt.want)]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error lines (-want +got)\n%s", diff)
			}
		})
	}
}

func TestLoadReportsSyntaxAndShapeErrorsWithTheirLine(t *testing.T) {
	tests := []struct {
		name       string
		base       string // a file under testdata, or "" for the default
		edits      []edit
		wantPrefix string
	}{
		{
			name:       "a date literal that does not exist is a syntax error on its line",
			edits:      []edit{{"q1 = 2026-04-15", "q1 = 2026-02-30"}},
			wantPrefix: "programme.toml:112: ",
		},
		{
			name:       "a single category table where a list is expected is named with its line",
			base:       "minimal.toml",
			edits:      []edit{{"[[budget_year.category]]", "[budget_year.category]"}},
			wantPrefix: "programme.toml:18: budget_year.category: expected a list of tables: [[budget_year.category]] blocks or [ { … }, … ]",
		},
		{
			name:       "a date where the deadlines table is expected is named with its line",
			edits:      []edit{{"[budget_year.deadlines]", "deadlines = 2026-04-15\n[budget_year.unused]"}},
			wantPrefix: "programme.toml:111: budget_year.deadlines: expected a table [budget_year.deadlines]",
		},
		{
			name:       "a German decimal comma is a syntax error on its line",
			edits:      []edit{{"district_cap_eur = 110000.00", "district_cap_eur = 110000,00"}},
			wantPrefix: "programme.toml:77: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := defaultText(t)
			if tt.base != "" {
				b, err := os.ReadFile(filepath.Join("testdata", tt.base))
				if err != nil {
					t.Fatal(err)
				}
				src = string(b)
			}
			_, err := Load([]byte(applyEdits(t, src, tt.edits)), "programme.toml")
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantPrefix) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v, want one line starting with %q", err, tt.wantPrefix)
			}
		})
	}
}

func TestLoadAcceptsWhatStaffMayWriteDifferently(t *testing.T) {
	tests := []struct {
		name  string
		edits []edit
		// same: the result equals Default(); otherwise it only has to load.
		same bool
		// src, if set, makes the file instead of edits.
		src func(t *testing.T) string
	}{
		{"amounts may be written as text", []edit{{"state_budget_eur = 1540000.00", `state_budget_eur = "1540000.00"`}}, true, nil},
		{"amounts may be written as whole numbers", []edit{{"district_cap_eur = 110000.00", "district_cap_eur = 110_000"}}, true, nil},
		{"rates may be written as text with a percent sign", []edit{{"funding_rate_pct = 90.00", `funding_rate_pct = "90 %"`}}, true, nil},
		{"rates may be written as whole numbers", []edit{{"line_tolerance_pct = 20.00", "line_tolerance_pct = 20"}}, true, nil},
		{"dates may be written as text", []edit{{"q1 = 2026-04-15", `q1 = "2026-04-15"`}}, true, nil},
		{"a deadline left out defaults to the 15th after its quarter", []edit{{"q4 = 2027-01-15\n", ""}}, true, nil},
		{"the final report deadline left out defaults to 30 June of the next year", []edit{{"final_report = 2027-06-30\n", ""}}, true, nil},
		{"the post cap left out is off", []edit{{"post_cap_per_fte_eur = 0.00\n", ""}}, true, nil},
		{"an AGS may be written as a bare number", []edit{{`ags = "15083"`, "ags = 15083"}}, true, nil},
		{"a payout without reference is fine", []edit{{`, reference = "AZ-2026-15001-Q1"`, ""}}, false, nil},
		{"a plan may leave out a category", []edit{{", DOLM = 5500.00", ""}, {"SACH = 10922.23", "SACH = 16422.23"}}, false, nil},
		{"the base rate may be negative, as it was from 2013 to 2022", []edit{{"rate_pct = 2.27", "rate_pct = -0.88"}}, false, nil},
		{"a plan total whose 90 % rounds up to the approved grant is enough", []edit{
			{"plan_total_eur = 122222.23", "plan_total_eur = 122222.22"},
			{"SACH = 10922.23", "SACH = 10922.22"},
		}, false, nil},
		{"districts in any order are sorted by AGS", nil, true, reversedDistricts},
		{"a second budget year may follow", nil, false, withYear2027},
		{"planned income left out is 0", []edit{{"planned_income_eur = 0.00\n", ""}}, true, nil},
		{"income types left out are the three of the submission format", []edit{{incomeTypeBlocks, ""}}, true, nil},
	}
	want := mustDefault(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src string
			if tt.src != nil {
				src = tt.src(t)
			} else {
				src = applyEdits(t, defaultText(t), tt.edits)
			}
			got, err := Load([]byte(src), "programme.toml")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if tt.same {
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("differs from the default (-want +got)\n%s", diff)
				}
			}
		})
	}
}

// withYear2027 is the default followed by a copy of its year for 2027.
func withYear2027(t *testing.T) string {
	return defaultText(t) + "\n" + strings.ReplaceAll(strings.ReplaceAll(yearBlock(t), "2027", "2028"), "2026", "2027")
}

// reversedDistricts is the default with its district blocks in reverse order.
func reversedDistricts(t *testing.T) string {
	const sep = "[[budget_year.district]]\n"
	parts := strings.Split(defaultText(t), sep)
	head, blocks := parts[0], parts[1:]
	slices.Reverse(blocks)
	var b strings.Builder
	b.WriteString(head)
	for _, blk := range blocks {
		b.WriteString(sep)
		b.WriteString(strings.TrimRight(blk, "\n") + "\n\n")
	}
	return b.String()
}

func TestLoadKeepsTheFiguresItAccepts(t *testing.T) {
	src := withYear2027(t)
	src = strings.Replace(src, "rate_pct = 2.27", "rate_pct = -0.88", 1)
	src = strings.Replace(src, `, reference = "AZ-2026-15001-Q1"`, "", 1)
	src = strings.Replace(src, ", DOLM = 5500.00", "", 1)
	src = strings.Replace(src, "planned_income_eur = 0.00", "planned_income_eur = 4999.99", 1)
	src = strings.Replace(src, incomeTypeBlocks, "[[budget_year.income_type]]\ncode = \"SPENDE\"\nname_de = \"Spenden\"\nname_en = \"Donations\"\n", 1)
	src = strings.Replace(src, "SACH = 10922.23", "SACH = 16422.23", 1)
	p, err := Load([]byte(src), "programme.toml")
	if err != nil {
		t.Fatal(err)
	}
	y2026, _ := p.Year(2026)
	d, _ := y2026.District("15001")
	dPlan := d.Plan
	var years []int
	for _, y := range p.Years {
		years = append(years, y.Year)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"the years are ascending", years, []int{2026, 2027}},
		{"a negative base rate is kept", p.BaseRates[0].RatePct.String(), "-0.88"},
		{"a payout without reference has an empty one", d.Payouts[0].Reference, ""},
		{"planned income is kept to the cent", d.PlannedIncome, eur(t, "4999.99")},
		{"income types of the file replace the defaults", y2026.IncomeTypes, []IncomeType{{Code: "SPENDE", NameDE: "Spenden", NameEN: "Donations"}}},
		{"the next year without income types gets the defaults", len(p.Years[1].IncomeTypes), 3},
		{"a plan left without a category has it at zero", dPlan["DOLM"], money.Cents(0)},
		{"every category has a plan entry", len(d.Plan), len(y2026.Categories)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// incomeTypeBlocks are the default's three [[budget_year.income_type]] blocks.
const incomeTypeBlocks = `[[budget_year.income_type]]
code = "DRITT"
name_de = "Drittmittel"
name_en = "Third-party funds"

[[budget_year.income_type]]
code = "TEILN"
name_de = "Teilnahmebeiträge"
name_en = "Participants' fees"

[[budget_year.income_type]]
code = "SONST"
name_de = "Sonstige"
name_en = "Other"
`
