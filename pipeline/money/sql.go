package money

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
)

// Scan reads a DECIMAL column (of any width, with at most two significant
// decimals) into c, exactly: the database driver hands decimals over as a
// value whose String is the exact decimal ("1234.56", or "1234.5600" for a
// wider scale), and that text is what is read; never a float. NULL is an
// error: scan a column that may be NULL into a NullCents.
func (c *Cents) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		return errors.New("money: NULL amount (scan into money.NullCents)")
	case string:
		s = v
	case []byte:
		s = string(v)
	case int64:
		*c = FromEuros(v)
		return nil
	case fmt.Stringer:
		s = v.String()
	default:
		return fmt.Errorf("money: cannot read %T as an exact amount", src)
	}
	// A wider scale (an average, a product) is exact only if the digits past
	// the cent are zeros.
	if whole, frac, ok := strings.Cut(s, "."); ok && len(frac) > 2 {
		if strings.Trim(frac[2:], "0") != "" {
			return fmt.Errorf("money: %s is not a whole number of cents", s)
		}
		s = whole + "." + frac[:2]
	}
	v, err := Parse(s)
	if err != nil {
		return fmt.Errorf("money: %w", err)
	}
	*c = v
	return nil
}

// Value writes c as its exact decimal text ("1234.56"), which the database
// reads into a DECIMAL parameter without rounding.
func (c Cents) Value() (driver.Value, error) { return c.String(), nil }

// NullCents is an amount that may be NULL.
type NullCents struct {
	Cents Cents
	Valid bool // false for NULL
}

// Scan reads a DECIMAL column that may be NULL.
func (n *NullCents) Scan(src any) error {
	if src == nil {
		*n = NullCents{}
		return nil
	}
	n.Valid = true
	return n.Cents.Scan(src)
}

// Value writes the amount, or NULL.
func (n NullCents) Value() (driver.Value, error) {
	if !n.Valid {
		return nil, nil
	}
	return n.Cents.Value()
}

// MarshalText writes c as its exact decimal text ("1234.56"): in JSON, an
// amount is a string, never a float.
func (c Cents) MarshalText() ([]byte, error) { return []byte(c.String()), nil }
