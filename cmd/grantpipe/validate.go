package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/validate"
)

// validateFlags are the flags of validate that run shares.
type validateFlags struct {
	year, quarter int
	asOf          string
	rulesDir      string
}

func (a *app) validateFlagSet(fs interface {
	IntVar(*int, string, int, string)
	StringVar(*string, string, string, string)
}, v *validateFlags) {
	fs.IntVar(&v.year, "year", 0, "only this budget `year`")
	fs.IntVar(&v.quarter, "quarter", 0, "only this `quarter` (1–4)")
	fs.StringVar(&v.asOf, "as-of", "", "check as of this `date` (YYYY-MM-DD): deadlines passed, payouts due; default today")
	fs.StringVar(&v.rulesDir, "rules", "", "`directory` of further rule files (.sql) written by analysts")
}

// check is what the flags ask to check.
func (v validateFlags) check() (jobs.Check, error) {
	c := jobs.Check{Year: v.year, Quarter: v.quarter}
	if v.quarter < 0 || v.quarter > 4 {
		return c, usageError{fmt.Sprintf("--quarter %d: want 1 to 4", v.quarter)}
	}
	if v.asOf != "" {
		t, err := time.Parse(time.DateOnly, v.asOf)
		if err != nil {
			return c, usageError{fmt.Sprintf("--as-of %q: want YYYY-MM-DD", v.asOf)}
		}
		c.AsOf = t
	}
	return c, nil
}

func runValidate(ctx context.Context, a *app, args []string) error {
	fs := a.flags("validate", true)
	var vf validateFlags
	a.validateFlagSet(fs, &vf)
	asJSON := fs.Bool("json", false, "print findings and grant figures as one JSON object")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := a.lockData("grantpipe validate"); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments"}
	}
	res, err := a.validate(ctx, vf)
	if err != nil {
		return err
	}
	if *asJSON {
		return a.printValidateJSON(a.stdout, res)
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	a.printValidate(a.stdout, cat, res)
	return nil
}

func (a *app) validate(ctx context.Context, vf validateFlags) (*validate.Result, error) {
	check, err := vf.check()
	if err != nil {
		return nil, err
	}
	pl, err := a.pipeline(vf.rulesDir)
	if err != nil {
		return nil, err
	}
	return pl.ManualValidate(ctx, check)
}

type jsonFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	District string `json:"district"`
	Year     int    `json:"year"`
	Quarter  int    `json:"quarter"`
	File     string `json:"file"`
	Sheet    string `json:"sheet"`
	Cell     string `json:"cell"`
	Message  string `json:"message"`
}

// jsonGrant is one district's year in validate --json (the contract of
// issue 13).
type jsonGrant struct {
	District      string      `json:"district"`
	Year          int         `json:"year"`
	Approved      money.Cents `json:"approved_eur"`
	Eligible      money.Cents `json:"eligible_eur"`
	Income        money.Cents `json:"income_eur"`
	PlannedIncome money.Cents `json:"planned_income_eur"`
	Grant         money.Cents `json:"grant_eur"`
	Paid          money.Cents `json:"paid_eur"`
	Balance       money.Cents `json:"balance_eur"`
	Interest      money.Cents `json:"interest_eur"`
	Settled       bool        `json:"settled"`
}

type jsonValidation struct {
	AsOf     string        `json:"as_of"`
	RunID    int64         `json:"run_id"`
	RuleSet  string        `json:"rule_set"`
	Findings []jsonFinding `json:"findings"`
	Grants   []jsonGrant   `json:"grants"`
}

func (a *app) printValidateJSON(w io.Writer, res *validate.Result) error {
	out := jsonValidation{AsOf: res.AsOf.Format("2006-01-02"), RunID: res.RunID, RuleSet: res.RuleSet, Findings: []jsonFinding{}, Grants: []jsonGrant{}}
	for _, f := range res.Findings {
		out.Findings = append(out.Findings, jsonFinding{f.Rule, string(f.Severity), f.District, f.Year, f.Quarter, f.File, f.Sheet, f.Cell, f.Message[a.lang]})
	}
	for _, g := range res.Grants {
		out.Grants = append(out.Grants, jsonGrant{g.District, g.Year, g.Approved, g.Eligible, g.Income, g.PlannedIncome, g.Grant, g.Paid, g.Balance, g.InterestAtRisk, g.Settled})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// printValidate prints a summary by rule and severity, then the grants.
func (a *app) printValidate(w io.Writer, cat *messages.Catalog, res *validate.Result) {
	t := func(key string, args messages.Args) string { return cat.Text(a.lang, key, args) }
	fmt.Fprintln(w, t("cli.validate_title", messages.Args{"as_of": res.AsOf.Format("2006-01-02"), "run": fmt.Sprint(res.RunID), "rules": res.RuleSet}))
	for _, k := range res.Tally {
		fmt.Fprintf(w, "  %-26s %-8s %5d\n", k.Rule, t("cli.severity_"+string(k.Severity), nil), k.N)
	}
	if len(res.Tally) == 0 {
		fmt.Fprintln(w, "  "+t("cli.no_findings", nil))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, t("cli.grants_header", nil))
	var total [6]money.Cents
	for _, g := range res.Grants {
		figures := []money.Cents{g.Eligible, g.Income, g.Grant, g.Paid, g.Balance, g.InterestAtRisk}
		state := t("cli.provisional", nil)
		if g.Settled {
			state = t("cli.settled", nil)
		}
		fmt.Fprintf(w, "  %s %d", g.District, g.Year)
		for i, c := range figures {
			fmt.Fprintf(w, " %17s", c.Format(a.lang))
			total[i] += c
		}
		fmt.Fprintf(w, "  %s\n", state)
	}
	fmt.Fprintln(w, "  "+strings.Repeat("-", 130))
	fmt.Fprintf(w, "  %-10s", t("cli.total", nil))
	for _, c := range total {
		fmt.Fprintf(w, " %17s", c.Format(a.lang))
	}
	fmt.Fprintln(w)
}
