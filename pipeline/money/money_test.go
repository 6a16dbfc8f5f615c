package money

import (
	"errors"
	"testing"
)

func TestParseAndString(t *testing.T) {
	for in, want := range map[string]string{
		"1234.56": "1234.56", "-0.5": "-0.50", "110000": "110000.00", "+7.1": "7.10", "0.01": "0.01", "-12": "-12.00",
	} {
		c, err := Parse(in)
		if err != nil || c.String() != want {
			t.Errorf("Parse(%q) = %v, %v; want %s", in, c, err, want)
		}
	}
	for _, in := range []string{"", "1,5", "1.234", "12.", ".5", "abc", "1e3", "--1", "99999999999999999999"} {
		if c, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", in, c)
		} else if in != "99999999999999999999" && !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) error %v is not ErrSyntax", in, err)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		c      Cents
		de, en string
	}{
		{154000000, "1.540.000,00 €", "EUR 1,540,000.00"},
		{472393, "4.723,93 €", "EUR 4,723.93"},
		{-1250, "-12,50 €", "EUR -12.50"},
		{5, "0,05 €", "EUR 0.05"},
		{100000, "1.000,00 €", "EUR 1,000.00"},
	}
	for _, c := range cases {
		if got := c.c.Format("de"); got != c.de {
			t.Errorf("%d de: %q, want %q", c.c, got, c.de)
		}
		if got := c.c.Format("en"); got != c.en {
			t.Errorf("%d en: %q, want %q", c.c, got, c.en)
		}
	}
}
