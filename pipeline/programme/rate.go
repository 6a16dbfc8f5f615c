package programme

import (
	"fmt"
	"math"
	"math/bits"
	"strings"

	"grantpipe/pipeline/money"
)

// Rate is a percentage in hundredths of a percent (basis points): 90 % is
// 9000, a base rate of 1.27 % is 127.
//
// Rates are exact integers rather than floats because the grant computation
// multiplies them with cent amounts and must arrive at the same cent as the
// ministry's own spreadsheet, every time.
type Rate int64

// Percent returns whole percent as a Rate: Percent(90) is 90.00 %.
func Percent(p int64) Rate { return Rate(p * 100) }

// String formats r as percent with two decimals and a dot, "90.00" or
// "-0.88", the form the configuration file uses.
func (r Rate) String() string {
	// A Rate has the same fixed-point scale as money.Cents, so the exact
	// formatting of amounts serves rates too.
	return money.Cents(r).String()
}

// Of returns r percent of c, rounded half away from zero to the cent (the
// commercial rounding German grant offices use).
//
// It panics if the result does not fit in money.Cents, which cannot happen
// for amounts up to money.Max and rates within ±100 %.
func (r Rate) Of(c money.Cents) money.Cents {
	neg := (c < 0) != (r < 0)
	hi, lo := bits.Mul64(abs(int64(c)), abs(int64(r)))
	var carry uint64
	lo, carry = bits.Add64(lo, 5000, 0)
	hi += carry
	if hi >= 10000 {
		panic(fmt.Sprintf("programme: %s %% of %s overflows", r, c))
	}
	q, _ := bits.Div64(hi, lo, 10000)
	if q > math.MaxInt64 {
		panic(fmt.Sprintf("programme: %s %% of %s overflows", r, c))
	}
	if neg {
		return money.Cents(-int64(q))
	}
	return money.Cents(q)
}

func abs(x int64) uint64 {
	if x < 0 {
		return uint64(-(x + 1)) + 1
	}
	return uint64(x)
}

// ParseRate reads a percentage written as a plain decimal with at most two
// decimals: "90", "90.0", "1.27", "-0.88". A trailing "%" is allowed.
func ParseRate(s string) (Rate, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	c, err := money.Parse(t)
	if err != nil {
		return 0, fmt.Errorf("rate %q is not a plain decimal with at most two decimals like 90.00", s)
	}
	return Rate(c), nil
}

// rateFromTOML converts a TOML value (integer, float or string) to a Rate
// without losing precision: a float with more than two decimals is an error,
// never silently rounded.
func rateFromTOML(v any) (Rate, error) {
	switch x := v.(type) {
	case int64:
		if x > int64(money.Max/100) || x < -int64(money.Max/100) {
			return 0, fmt.Errorf("rate %d is out of range", x)
		}
		return Percent(x), nil
	case float64:
		c, err := centsFromFloat(x)
		if err != nil {
			return 0, fmt.Errorf("rate %w", err)
		}
		return Rate(c), nil
	case string:
		return ParseRate(x)
	}
	return 0, fmt.Errorf("expected a percentage like 90.00, found %s", describe(v))
}
