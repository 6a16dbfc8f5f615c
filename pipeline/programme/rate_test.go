package programme

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"grantpipe/pipeline/money"
)

func TestRate(t *testing.T) {
	parse := func(s string) any {
		r, err := ParseRate(s)
		if err != nil {
			return "error"
		}
		return r
	}
	fromTOML := func(v any) any {
		r, err := rateFromTOML(v)
		if err != nil {
			return err.Error()
		}
		return r
	}
	// Variables, not constants: Go adds untyped constants exactly.
	tenth, fifth := 0.1, 0.2
	tests := []struct {
		name      string
		got, want any
	}{
		{"90 % prints as 90.00", Rate(9000).String(), "90.00"},
		{"the base rate prints as 1.27", Rate(127).String(), "1.27"},
		{"a negative base rate prints as -0.88", Rate(-88).String(), "-0.88"},
		{"Percent(90) is 9000 basis points", Percent(90), Rate(9000)},
		{"a whole percentage parses", parse("90"), Rate(9000)},
		{"one decimal parses", parse("90.0"), Rate(9000)},
		{"blanks and a percent sign are allowed", parse(" 1.27 % "), Rate(127)},
		{"a negative rate parses", parse("-0.88"), Rate(-88)},
		{"three decimals do not parse", parse("1.275"), "error"},
		{"a German decimal comma does not parse", parse("1,27"), "error"},
		{"a TOML integer is whole percent", fromTOML(int64(5)), Rate(500)},
		{"a TOML float converts exactly", fromTOML(1.27), Rate(127)},
		{"a TOML float with three decimals is rejected", fromTOML(1.275), "rate 1.275 has more than two decimals"},
		{"a float sum's binary noise is rejected, not hidden", fromTOML(tenth + fifth), "rate 0.30000000000000004 has more than two decimals"},
		{"a TOML string parses", fromTOML("90.00"), Rate(9000)},
		{"a TOML boolean is rejected", fromTOML(true), "expected a percentage like 90.00, found true"},
		{"90 % of 122,222.23 rounds up to 110,000.01", Percent(90).Of(12222223), money.Cents(11000001)},
		{"90 % of 122,222.22 rounds up to 110,000.00", Percent(90).Of(12222222), money.Cents(11000000)},
		{"half a cent rounds away from zero", Percent(50).Of(5), money.Cents(3)},
		{"half a negative cent rounds away from zero", Percent(50).Of(-5), money.Cents(-3)},
		{"a negative rate gives a negative amount", Rate(-88).Of(100000), money.Cents(-880)},
		{"6.27 % of 1,000.00 is 62.70", Rate(627).Of(100000), money.Cents(6270)},
		{"0 % of anything is nothing", Rate(0).Of(money.Max), money.Cents(0)},
		{"100 % of the largest amount does not overflow", Percent(100).Of(money.Max), money.Max},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestDate(t *testing.T) {
	parse := func(s string) any {
		d, err := ParseDate(s)
		if err != nil {
			return err.Error()
		}
		return d
	}
	q1 := Date{2026, 4, 15}
	tests := []struct {
		name      string
		got, want any
	}{
		{"an ISO date parses", parse("2026-04-15"), q1},
		{"blanks around a date are allowed", parse(" 2026-04-15 "), q1},
		{"30 February does not exist", parse("2026-02-30"), `"2026-02-30" is not a valid date like 2026-04-15`},
		{"a German date is not ISO", parse("15.04.2026"), `"15.04.2026" is not a valid date like 2026-04-15`},
		{"a date prints as ISO with leading zeros", Date{2027, 1, 5}.String(), "2027-01-05"},
		{"a date is midnight UTC as time", q1.Time(), time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)},
		{"a time's calendar day is its date", DateOf(time.Date(2026, 4, 15, 23, 59, 0, 0, time.UTC)), q1},
		{"an earlier month is before", Date{2026, 3, 31}.Before(q1), true},
		{"an earlier year is before even in a later month", Date{2025, 12, 31}.Before(q1), true},
		{"the same day is not before", q1.Before(q1), false},
		{"a later day is after", Date{2026, 4, 16}.After(q1), true},
		{"equal dates compare as 0", q1.Compare(Date{2026, 4, 15}), 0},
		{"the zero date is zero", Date{}.IsZero(), true},
		{"a real date is not zero", q1.IsZero(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
