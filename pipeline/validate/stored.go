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

// Stored is the Result of validation run run as it was stored: what Run
// returned when it made the run with opt. A caller that knows nothing the
// run read has changed since answers with it instead of checking again
// (see jobs.Pipeline.Validate).
func Stored(ctx context.Context, st *store.Store, p *programme.Programme, run store.ValidationRun, opt Options) (*Result, error) {
	res := &Result{RunID: run.ID, AsOf: run.AsOf, RuleSet: run.RuleSet}
	fs, err := st.RunFindings(ctx, run.ID)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	res.Findings = make([]Finding, len(fs))
	for i, f := range fs {
		res.Findings[i] = Finding{Rule: f.Rule, Severity: finding.Severity(f.Severity), District: f.District, Year: f.Year,
			Quarter: f.Quarter, SubmissionID: f.SubmissionID, File: f.File, Sheet: f.Sheet, Cell: f.Cell, Row: f.Row,
			Message: map[string]string{"de": f.MessageDE, "en": f.MessageEN}}
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
