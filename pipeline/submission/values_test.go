package submission

import (
	"errors"
	"testing"
	"time"
)

func TestParseNumberText(t *testing.T) {
	accepted := []struct {
		in   string
		want string
	}{
		{"1.234,56", "1234.56"},
		{"1.234,56 €", "1234.56"},
		{"1.234,56€", "1234.56"},
		{"€ 1.234,56", "1234.56"},
		{"1234,5", "1234.5"},
		{"1234,56", "1234.56"},
		{"1,234.56", "1234.56"},
		{"EUR 1234.56", "1234.56"},
		{"1234.56 EUR", "1234.56"},
		{"1.234.567", "1234567"},
		{"1,234,567", "1234567"},
		{"1.234.567,89", "1234567.89"},
		{"1,234,567.89", "1234567.89"},
		{"12,00", "12.00"},
		{"12.5", "12.5"},
		{"0,125", "0.125"},
		{"0.750", "0.750"},
		{"1234,567", "1234.567"},
		{",50", "0.50"},
		{"-12,00", "-12.00"},
		{"\u2212 12,00", "-12.00"},
		{"1 234,56", "1234.56"},
		{"1\u00a0234,56", "1234.56"},
		{"1'234.56", "1234.56"},
		{"  42  ", "42"},
		{"+7", "7"},
		{"1 234", "1234"},
		{"0", "0"},
	}
	for _, c := range accepted {
		t.Run("accepts "+c.in, func(t *testing.T) {
			n, err := ParseNumberText(c.in)
			if err != nil {
				t.Fatalf("ParseNumberText(%q): %v", c.in, err)
			}
			if got := n.String(); got != c.want {
				t.Errorf("ParseNumberText(%q) = %s, want %s", c.in, got, c.want)
			}
		})
	}
	rejected := []struct {
		in   string
		want error
	}{
		{"1.234", ErrAmbiguous},
		{"1,234", ErrAmbiguous},
		{"12.345", ErrAmbiguous},
		{"999,000", ErrAmbiguous},
		{"-1.234", ErrAmbiguous},
		{"1.234 €", ErrAmbiguous},
		{"", ErrNotNumber},
		{"abc", ErrNotNumber},
		{"12 Euro 50", ErrNotNumber},
		{"1.23.4", ErrNotNumber},
		{"1,2,3", ErrNotNumber},
		{"1.234.56", ErrNotNumber},
		{"1,234,56.7", ErrNotNumber},
		{"1.2345,6", ErrNotNumber},
		{"12,", ErrNotNumber},
		{"--5", ErrNotNumber},
		{"(-5)", ErrNotNumber},
		// The closed list of forms: accounting brackets, a trailing minus
		// and words around a number are not amounts (SUBMISSION_FORMAT.md).
		{"(123,45)", ErrNotNumber},
		{"123,45-", ErrNotNumber},
		{"ca. 100", ErrNotNumber},
		{"100 ca.", ErrNotNumber},
		{"1 2", ErrNotNumber},
		{"1e5", ErrNotNumber},
		{"12345678901234567890", ErrTooLarge},
		{"€", ErrNotNumber},
	}
	for _, c := range rejected {
		t.Run("rejects "+c.in, func(t *testing.T) {
			n, err := ParseNumberText(c.in)
			if !errors.Is(err, c.want) {
				t.Errorf("ParseNumberText(%q) = %v, %v; want %v", c.in, n, err, c.want)
			}
		})
	}
}

func TestParseNumberCell(t *testing.T) {
	cases := []struct{ raw, want string }{
		{"4723.93", "4723.93"},
		{"4723.9300000000003", "4723.93"},
		{"1E-3", "0.001"},
		{"1.5E3", "1500"},
		{"-0.5", "-0.5"},
		{"110000", "110000"},
		{"0.30000000000000004", "0.3"},
		// As the office suite shows it: 15 significant digits, so the noise
		// of =80.50+15.29 and of E notation is no third decimal.
		{"95.78999999999999", "95.79"},
		{"2.4999999999999996E2", "250"},
		{"12345678.899999999", "12345678.9"},
		{"0.1234567890123456789", "0.123456789012346"},
		// A third decimal that is really there stays (and warns elsewhere).
		{"12.345", "12.345"},
		{"-12.345", "-12.345"},
	}
	for _, c := range cases {
		t.Run("reads raw "+c.raw, func(t *testing.T) {
			n, err := ParseNumberCell(c.raw)
			if err != nil {
				t.Fatal(err)
			}
			if n.String() != c.want {
				t.Errorf("got %s, want %s", n, c.want)
			}
		})
	}
	for _, raw := range []string{"", "x", "NaN", "1e300"} {
		if _, err := ParseNumberCell(raw); err == nil {
			t.Errorf("ParseNumberCell(%q) accepted", raw)
		}
	}
}

func TestNumberCentsRoundsHalfAwayFromZero(t *testing.T) {
	cases := []struct {
		n     Number
		want  string
		exact bool
	}{
		{Number{123456, 2}, "1234.56", true},
		{Number{12345, 1}, "1234.50", true},
		{Number{12, 0}, "12.00", true},
		{Number{12345, 3}, "12.35", false},
		{Number{-12345, 3}, "-12.35", false},
		{Number{12344, 3}, "12.34", false},
	}
	for _, c := range cases {
		got, exact := c.n.Cents()
		if got.String() != c.want || exact != c.exact {
			t.Errorf("%v.Cents() = %s, %v; want %s, %v", c.n, got, exact, c.want, c.exact)
		}
	}
}

func TestParseDateText(t *testing.T) {
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }
	accepted := []struct {
		in   string
		want time.Time
	}{
		{"31.03.2026", d(2026, 3, 31)},
		{"1.3.2026", d(2026, 3, 1)},
		{"01.03.2026", d(2026, 3, 1)},
		{"2026-03-31", d(2026, 3, 31)},
		{" 29.02.2024 ", d(2024, 2, 29)},
	}
	for _, c := range accepted {
		t.Run("accepts "+c.in, func(t *testing.T) {
			got, err := ParseDateText(c.in)
			if err != nil || !got.Equal(c.want) {
				t.Errorf("ParseDateText(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}
	rejected := []struct {
		in   string
		want error
	}{
		{"31.03.26", ErrTwoDigitYr},
		{"1.3.26", ErrTwoDigitYr},
		{"31/03/2026", ErrNotDate},
		{"03/31/2026", ErrNotDate},
		{"2026-3-31", ErrNotDate},
		{"31.3", ErrNotDate},
		{"März 2026", ErrNotDate},
		{"30.02.2026", ErrNotDate},
		{"29.02.2026", ErrNotDate},
		{"2026-02-30", ErrNotDate},
		{"31.13.2026", ErrNotDate},
		{"31.03.20260", ErrNotDate},
		{"31. März 2026", ErrNotDate},
		{"01.01.1899", ErrDateOutside},
		{"", ErrNotDate},
		{"2026-03-31T10:00", ErrNotDate},
	}
	for _, c := range rejected {
		t.Run("rejects "+c.in, func(t *testing.T) {
			got, err := ParseDateText(c.in)
			if !errors.Is(err, c.want) {
				t.Errorf("ParseDateText(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}
}

func TestSerialToDate(t *testing.T) {
	cases := []struct {
		serial   float64
		date1904 bool
		want     string
	}{
		{46112, false, "2026-03-31"},
		{46112.75, false, "2026-03-31"},
		{44650, true, "2026-03-31"},
		{32874, false, "1990-01-01"},
	}
	for _, c := range cases {
		got, err := SerialToDate(c.serial, c.date1904)
		if err != nil || got.Format("2006-01-02") != c.want {
			t.Errorf("SerialToDate(%v, 1904=%v) = %v, %v; want %s", c.serial, c.date1904, got, err, c.want)
		}
	}
	for _, s := range []float64{-1, 60, 1234.56, 3e6} {
		if _, err := SerialToDate(s, false); !errors.Is(err, ErrDateOutside) {
			t.Errorf("SerialToDate(%v) = %v, want ErrDateOutside", s, err)
		}
	}
}

func TestParseQuarter(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "Q2": 2, "q 3": 3, "4. Quartal": 4, "Quartal 2": 2, "III": 3, "1.0": 1, "Q4.": 4} {
		if got, err := ParseQuarter(in); err != nil || got != want {
			t.Errorf("ParseQuarter(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "5", "Q0", "erstes", "2026"} {
		if _, err := ParseQuarter(in); err == nil {
			t.Errorf("ParseQuarter(%q) accepted", in)
		}
	}
}
