package validate

import (
	"context"
	"fmt"
	"sort"

	"grantpipe/pipeline/finding"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
)

// Tally is how many findings of one rule and severity a check found.
type Tally struct {
	Rule     string
	Severity finding.Severity
	N        int
}

// TallyOf counts fs per rule and severity, ordered by rule, then severity.
func TallyOf(fs []Finding) []Tally {
	type key struct {
		rule     string
		severity finding.Severity
	}
	index := map[key]int{}
	var out []Tally
	for _, f := range fs {
		k := key{f.Rule, f.Severity}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Tally{Rule: f.Rule, Severity: f.Severity})
		}
		out[i].N++
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return out[i].Rule < out[j].Rule
		}
		return out[i].Severity < out[j].Severity
	})
	return out
}

// Count is the number of findings, whether the result lists them or only
// tallies them.
func (r *Result) Count() int {
	n := 0
	for _, t := range r.Tally {
		n += t.N
	}
	return n
}

// Stored is the Result of validation run run as it was stored: what Run
// returned when it made the run with opt, except that it tallies the
// findings instead of listing them (reading a large run's findings back
// cost more than the rest of a run with nothing new; who wants them reads
// them from the store). A caller that knows nothing the run read has
// changed since answers with it instead of checking again (see
// jobs.Pipeline.Validate).
func Stored(ctx context.Context, st *store.Store, p *programme.Programme, run store.ValidationRun, opt Options) (*Result, error) {
	res := &Result{RunID: run.ID, AsOf: run.AsOf, RuleSet: run.RuleSet}
	tally, err := st.RunTally(ctx, run.ID)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	for _, t := range tally {
		res.Tally = append(res.Tally, Tally{Rule: t.Rule, Severity: finding.Severity(t.Severity), N: t.N})
	}
	var years []int
	for _, y := range p.Years {
		if opt.Year == 0 || y.Year == opt.Year {
			years = append(years, y.Year)
		}
	}
	sort.Ints(years)
	for _, year := range years {
		figures, err := st.DistrictFigures(ctx, run.ID, year, 0)
		if err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
		categories, err := st.CategoryFigures(ctx, run.ID, year, 0)
		if err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
		// Run lists the grants in order of year and district.
		sort.Slice(figures, func(i, j int) bool { return figures[i].District < figures[j].District })
		index := map[string]int{}
		for _, f := range figures {
			index[f.District] = len(res.Grants)
			res.Grants = append(res.Grants, Grant{District: f.District, Year: year, Approved: f.Approved, Eligible: f.Eligible,
				Income: f.Income, PlannedIncome: f.PlannedIncome, Grant: f.Grant, Paid: f.Paid, Balance: f.Balance,
				InterestAtRisk: f.InterestAtRisk, Settled: f.Settled, ByCategory: map[string]money.Cents{}})
		}
		for _, c := range categories {
			if i, ok := index[c.District]; ok {
				res.Grants[i].ByCategory[c.Category] = c.Eligible
			}
		}
	}
	return res, nil
}
