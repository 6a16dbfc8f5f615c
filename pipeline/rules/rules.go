// Package rules loads the funding rules: one SQL file per rule, whose header
// comment gives the rule's id, severity and messages. The built-in rules live
// in queries/rules; ministry analysts add their own with --rules DIR, in the
// same form, without a code change.
//
// A rule file looks like this:
//
//	-- id: RECEIPT_MISSING
//	-- severity: error
//	-- phase: line
//	-- message_de: Beleg ohne Belegnummer ({category}, {amount}).
//	-- message_en: Receipt without a receipt number ({category}, {amount}).
//	SELECT district, year, quarter, submission_id, sheet, cell, row_no, category, amount
//	FROM current_receipts WHERE …
//
// The query returns one row per finding with at least the columns of
// Required; every further column may be named in the messages as {column}.
// A rule may also give severity_year_end, the severity once the budget year
// is over (or for the fourth quarter). Rules of phase "line" run first: an
// error they find on a receipt makes that receipt ineligible for the grant,
// which the other ("aggregate") rules and the grant computation then see.
//
// A rule is one SELECT statement that only reads the programme's tables:
// no writes, no files, no settings, no other queries. Parse reads the file
// and its header; Rule.Vet decides what the query does from DuckDB's own
// parse tree of it, which the validate package asks DuckDB for before any
// rule runs.
package rules

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"grantpipe/pipeline/finding"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Required are the columns every rule must return, in any order.
var Required = []string{"district", "year", "quarter", "submission_id", "sheet", "cell", "row_no"}

// Phases.
const (
	PhaseLine      = "line"
	PhaseAggregate = "aggregate"
)

// Rule is one funding rule.
type Rule struct {
	ID              string
	Severity        finding.Severity
	SeverityYearEnd finding.Severity // empty: the same as Severity
	Phase           string
	Message         map[string]string // by language
	SQL             string
	Source          string // the file it came from
}

var (
	idPattern   = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	placeholder = regexp.MustCompile(`\{([a-z0-9_]+)\}`)
)

// Parse reads one rule file. Errors name the file and the problem. It does
// not judge the query: that is Vet's, on DuckDB's parse tree.
func Parse(source string, src []byte) (Rule, error) {
	r := Rule{Source: source, Message: map[string]string{}, Phase: PhaseAggregate}
	fail := func(format string, args ...any) (Rule, error) {
		return Rule{}, fmt.Errorf("rule %s: %s", source, fmt.Sprintf(format, args...))
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(src)))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var body strings.Builder
	header := true
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if header && strings.HasPrefix(trimmed, "--") {
			key, value, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(trimmed, "--")), ":")
			key = strings.TrimSpace(key)
			if !ok || strings.Contains(key, " ") {
				continue // a plain comment
			}
			value = strings.TrimSpace(value)
			if seen[key] {
				return fail("header %q given twice", key)
			}
			seen[key] = true
			switch key {
			case "id":
				r.ID = value
			case "severity":
				r.Severity = finding.Severity(value)
			case "severity_year_end":
				r.SeverityYearEnd = finding.Severity(value)
			case "phase":
				r.Phase = value
			case "message_de":
				r.Message["de"] = value
			case "message_en":
				r.Message["en"] = value
			default:
				return fail("unknown header %q (want id, severity, severity_year_end, phase, message_de, message_en)", key)
			}
			continue
		}
		if trimmed != "" {
			header = false
		}
		body.WriteString(line)
		body.WriteString("\n")
	}
	if err := sc.Err(); err != nil {
		return fail("%v", err)
	}
	r.SQL = strings.TrimRight(strings.TrimSpace(body.String()), ";")
	switch {
	case r.ID == "":
		return fail("header lacks \"-- id: RULE_ID\"")
	case !idPattern.MatchString(r.ID):
		return fail("id %q: use upper case letters, digits and _", r.ID)
	case path.Base(source) != r.ID+".sql":
		return fail("file name must be the rule's id: %s.sql", r.ID)
	case !r.Severity.Valid():
		return fail("severity %q: want error, warning or info", r.Severity)
	case r.SeverityYearEnd != "" && !r.SeverityYearEnd.Valid():
		return fail("severity_year_end %q: want error, warning or info", r.SeverityYearEnd)
	case r.Phase != PhaseLine && r.Phase != PhaseAggregate:
		return fail("phase %q: want line or aggregate", r.Phase)
	case r.Message["de"] == "" || r.Message["en"] == "":
		return fail("header lacks message_de or message_en")
	case r.SQL == "":
		return fail("no query after the header")
	}
	return r, nil
}

// Placeholders lists the {names} the rule's messages use.
func (r Rule) Placeholders() []string {
	set := map[string]bool{}
	for _, m := range r.Message {
		for _, p := range placeholder.FindAllStringSubmatch(m, -1) {
			set[p[1]] = true
		}
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Load reads every .sql file of dir in fsys as a rule.
func Load(fsys fs.FS, dir string) ([]Rule, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	var rs []Rule
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		p := path.Join(dir, e.Name())
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		r, err := Parse(p, b)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// Merge adds extra rules to the built-in ones; an extra rule may not reuse a
// built-in id (it would silently change a rule the ministry relies on).
// The result is ordered: line rules first, then by id.
func Merge(builtin, extra []Rule) ([]Rule, error) {
	byID := map[string]Rule{}
	for _, r := range builtin {
		byID[r.ID] = r
	}
	out := append([]Rule(nil), builtin...)
	for _, r := range extra {
		if prev, ok := byID[r.ID]; ok {
			return nil, fmt.Errorf("rule %s: id %s is already used by %s", r.Source, r.ID, prev.Source)
		}
		byID[r.ID] = r
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Phase != out[j].Phase {
			return out[i].Phase == PhaseLine
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Version is a fingerprint of a rule set: the sha256 over every rule's
// source name and text, so a run records exactly which rules it applied.
func Version(rs []Rule) string {
	h := sha256.New()
	for _, r := range rs {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00", r.Source, r.ID, r.Severity, r.SeverityYearEnd, r.Message["de"], r.Message["en"], r.SQL)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
