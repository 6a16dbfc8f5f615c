package feedback

import "grantpipe/pipeline/finding"

// Everything the feedback knows about severities is in this file: their
// names, order, highlight colours and catalogue keys. A change of how
// severities are typed touches this file and the Finding struct only.

// Severities of a finding, from the most to the least severe.
const (
	Error   = finding.Error
	Warning = finding.Warning
	Info    = finding.Info
)

// severities lists the severities from the most to the least severe, the
// order of counts and of the catalogue's texts.
var severities = finding.Severities

// severityRank orders severities; 0 means unknown.
func severityRank(s finding.Severity) int { return s.Rank() }

// fillColor is the highlight per severity: red, amber, light blue, light
// enough for black text to stay readable. The values are grantpipe's own
// choice of exact RGB (none is in Excel's or LibreOffice's palettes), which
// Excel and LibreOffice both keep: a cell that carries grantpipe's comment
// and one of these fills was highlighted by grantpipe.
var fillColor = map[finding.Severity]string{
	Error:   "FF9999",
	Warning: "FFCC66",
	Info:    "BDD7EE",
}

// severityKey is the catalogue key of a severity's name ("Fehler").
func severityKey(s finding.Severity) string { return "feedback.severity." + string(s) }

// countKey is the catalogue key of "n findings of severity s", in the
// plural form for n: German and English both have one form for 1 and one
// for every other number.
func countKey(s finding.Severity, n int) string {
	return pluralKey("feedback.count."+string(s), n)
}

// pluralKey is the key of the plural form of prefix for n.
func pluralKey(prefix string, n int) string {
	if n == 1 {
		return prefix + ".one"
	}
	return prefix + ".other"
}

// Severity is how severe a finding is (finding.Severity).
type Severity = finding.Severity
