package feedback

// Audience says who is to act on a finding.
type Audience string

// Audiences.
const (
	// District findings are about a cell, a line or the file: the district
	// fixes them in its workbook. They are highlighted and commented in
	// the workbook and counted at the top of the result sheet.
	District Audience = "district"
	// Ministry findings come from the ministry's check of the programme's
	// money. The district's feedback lists them apart, for information,
	// never highlighted and never as something to fix in the file.
	Ministry Audience = "ministry"
)

// ministryRules are the rules whose findings are the ministry's. It mirrors
// the paragraph "Who a finding is for" of FUNDING_RULES.md until the rule
// files say it themselves; every other rule, a ministry analyst's own
// included, is the district's.
var ministryRules = map[string]bool{
	"LINE_DEVIATION":       true,
	"PLAN_TOTAL":           true,
	"DISTRICT_CAP":         true,
	"STATE_CAP":            true,
	"FUNDING_RATE":         true,
	"UNSPENT_PAYOUT":       true,
	"UNDERSPENDING":        true,
	"INCOME_REDUCES_GRANT": true,
	"MISSING_SUBMISSION":   true,
	"LATE_SUBMISSION":      true,
}

// AudienceOf is the audience of a rule's findings.
func AudienceOf(rule string) Audience {
	if ministryRules[rule] {
		return Ministry
	}
	return District
}

// audience is the audience of fd: its own, else its rule's.
func audience(fd Finding) Audience {
	if fd.Audience != "" {
		return fd.Audience
	}
	return AudienceOf(fd.Rule)
}
