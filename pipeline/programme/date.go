package programme

import (
	"cmp"
	"fmt"
	"strings"
	"time"
)

// Date is a calendar day, without time of day or time zone: deadlines and
// payout dates are days in German administrative practice, and a struct of
// three integers cannot shift by a day when converted between zones.
type Date struct{ Y, M, D int }

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, int(m), d}
}

// ParseDate reads an ISO date, "2026-04-15". Days that do not exist, such as
// 2026-02-30, are an error rather than being normalised into March.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a valid date like 2026-04-15", s)
	}
	return DateOf(t), nil
}

// Time returns d at midnight UTC, for date arithmetic with the time package.
func (d Date) Time() time.Time {
	return time.Date(d.Y, time.Month(d.M), d.D, 0, 0, 0, 0, time.UTC)
}

// String formats d as an ISO date, "2026-04-15", which is also a TOML local
// date.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Y, d.M, d.D) }

// IsZero reports whether d is the zero Date, i.e. not set.
func (d Date) IsZero() bool { return d == Date{} }

// Compare returns -1, 0 or +1 as d is before, equal to or after e; it suits
// slices.SortFunc.
func (d Date) Compare(e Date) int {
	if c := cmp.Compare(d.Y, e.Y); c != 0 {
		return c
	}
	if c := cmp.Compare(d.M, e.M); c != 0 {
		return c
	}
	return cmp.Compare(d.D, e.D)
}

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// dateFromTOML accepts a TOML local date (2026-04-15) or a string holding one.
// Local date-times and offset date-times are rejected: a deadline with a clock
// time is a typo, not a finer deadline.
func dateFromTOML(v any) (Date, error) {
	switch x := v.(type) {
	case time.Time:
		if x.Location().String() != "date-local" {
			return Date{}, fmt.Errorf("expected a date like 2026-04-15, found a date with time of day %s", x.Format("2006-01-02T15:04:05"))
		}
		return DateOf(x), nil
	case string:
		return ParseDate(x)
	}
	return Date{}, fmt.Errorf("expected a date like 2026-04-15, found %s", describe(v))
}
