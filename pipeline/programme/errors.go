package programme

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a configuration file.
type Problem struct {
	// Key is the full key path, with the index of every array element as
	// it appears in the file: budget_year[0].district[3].plan_eur. It is
	// empty when the file cannot be parsed at all.
	Key string
	// Line is the line number for syntax errors, 0 otherwise (the TOML
	// library does not report positions of decoded keys).
	Line int
	// Message says what is wrong, naming the figures involved.
	Message string
}

// ValidationError reports every problem found in one configuration file, so
// that ministry staff can fix them all in one go instead of one per start.
type ValidationError struct {
	// Source is the file name given to Load.
	Source   string
	Problems []Problem
}

// Error lists the problems one per line, each prefixed with the file name:
//
//	programme.toml: budget_year[0].district[4].plan_eur: plan of 15083 adds up to 122222.22, plan_total_eur says 122222.23
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Source)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
		if p.Key != "" {
			b.WriteString(p.Key)
			b.WriteString(": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}
