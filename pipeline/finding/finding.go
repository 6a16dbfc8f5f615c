// Package finding is the vocabulary that findings share across the stages
// (reading a workbook, checking the rules, feedback, reports): how severe a
// finding is. A finding itself stays the stage's own type, since each stage
// knows a different part of where it points.
package finding

import "fmt"

// Severity is how severe a finding is.
type Severity string

// Severities, from the most to the least severe.
const (
	Error   Severity = "error"   // the line or file cannot count as it is
	Warning Severity = "warning" // counts, but someone should look
	Info    Severity = "info"    // for information
)

// Severities lists the severities from the most to the least severe.
var Severities = []Severity{Error, Warning, Info}

// Rank orders severities: 3 for an error, 1 for a note, 0 for anything else.
func (s Severity) Rank() int {
	switch s {
	case Error:
		return 3
	case Warning:
		return 2
	case Info:
		return 1
	}
	return 0
}

// Valid tells whether s is one of the severities.
func (s Severity) Valid() bool { return s.Rank() > 0 }

// Parse reads a severity's name ("error", "warning", "info").
func Parse(name string) (Severity, error) {
	if s := Severity(name); s.Valid() {
		return s, nil
	}
	return "", fmt.Errorf("severity %q: want error, warning or info", name)
}
