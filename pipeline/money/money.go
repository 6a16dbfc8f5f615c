// Package money holds exact euro amounts as integer cents.
//
// Every amount in grantpipe is a Cents value from the moment it is read to the
// moment it is written to DuckDB as DECIMAL(18,2): never a float64, so that
// 4723.93 stays 4723.93 and sums reconcile to the cent.
package money

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Cents is an amount of euros in cents.
type Cents int64

// Max is the largest amount DECIMAL(18,2) can hold.
const Max Cents = 9_999_999_999_999_999

// FromEuros returns whole euros as Cents.
func FromEuros(e int64) Cents { return Cents(e * 100) }

// String formats c as a plain decimal with two decimals and a dot, "1234.56",
// the form used in JSON output and SQL literals.
func (c Cents) String() string {
	sign := ""
	v := int64(c)
	if v < 0 {
		sign = "-"
		if v == math.MinInt64 {
			return "-92233720368547758.08"
		}
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Format formats c for people: German "1.234,56 €" for lang "de",
// English "EUR 1,234.56" for lang "en".
func (c Cents) Format(lang string) string {
	v := int64(c)
	neg := v < 0
	if neg {
		v = -v
	}
	thousands, decimal := ".", ","
	if lang == "en" {
		thousands, decimal = ",", "."
	}
	whole := fmt.Sprintf("%d", v/100)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	num := fmt.Sprintf("%s%s%02d", b.String(), decimal, v%100)
	if neg {
		num = "-" + num
	}
	if lang == "en" {
		return "EUR " + num
	}
	return num + " €"
}

// ErrSyntax reports a string that is not a plain decimal amount.
var ErrSyntax = errors.New("not a decimal amount")

// Parse reads a plain decimal amount such as "1234.56", "-0.5" or "110000":
// an optional sign, digits, and at most two decimals after a dot. It is the
// strict form used in configuration files and JSON, not the lenient reading
// of spreadsheet text (see the submission package for that).
func Parse(s string) (Cents, error) {
	orig := s
	if s == "" {
		return 0, fmt.Errorf("%q: %w", orig, ErrSyntax)
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && (frac == "" || len(frac) > 2)) {
		return 0, fmt.Errorf("%q: %w", orig, ErrSyntax)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var v int64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q: %w", orig, ErrSyntax)
		}
		if v > (int64(Max)-9)/10 {
			return 0, fmt.Errorf("%q: amount too large", orig)
		}
		v = v*10 + int64(r-'0')
	}
	if neg {
		v = -v
	}
	return Cents(v), nil
}

// Localize formats c for lang; it makes Cents usable as a message argument.
func (c Cents) Localize(lang string) string { return c.Format(lang) }
