package feedback

// Everything the feedback knows about severities is in this file: their
// names, order, highlight colours and catalogue keys. A change of how
// severities are typed touches this file and the Finding struct only.

// Severities of a finding, from the most to the least severe.
const (
	Error   = "error"
	Warning = "warning"
	Info    = "info"
)

// severities lists the severities from the most to the least severe, the
// order of counts and of the catalogue's texts.
var severities = []string{Error, Warning, Info}

// severityRank orders severities; 0 means unknown.
func severityRank(s string) int {
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

// fillColor is the highlight per severity: red, amber, light blue, light
// enough for black text to stay readable. The values are grantpipe's own
// choice of exact RGB (none is in Excel's or LibreOffice's palettes), which
// Excel and LibreOffice both keep: a cell that carries grantpipe's comment
// and one of these fills was highlighted by grantpipe.
var fillColor = map[string]string{
	Error:   "FF9999",
	Warning: "FFCC66",
	Info:    "BDD7EE",
}

// severityKey is the catalogue key of a severity's name ("Fehler").
func severityKey(s string) string { return "feedback.severity." + s }

// countKey is the catalogue key of "n findings of severity s", in the
// plural form for n: German and English both have one form for 1 and one
// for every other number.
func countKey(s string, n int) string {
	return pluralKey("feedback.count."+s, n)
}

// pluralKey is the key of the plural form of prefix for n.
func pluralKey(prefix string, n int) string {
	if n == 1 {
		return prefix + ".one"
	}
	return prefix + ".other"
}
