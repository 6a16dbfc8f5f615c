package main

import (
	"context"
	"fmt"
	"path/filepath"

	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/report"
)

func runReport(ctx context.Context, a *app, args []string) error {
	fs := a.flags("report", true)
	var vf validateFlags
	a.validateFlagSet(fs, &vf)
	out := fs.String("out", "", "output `directory` (default: the data directory's reports/)")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := a.lockData("grantpipe report"); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments"}
	}
	if vf.year == 0 {
		return usageError{"need --year"}
	}
	check, err := vf.check()
	if err != nil {
		return err
	}
	pl, err := a.pipeline(vf.rulesDir)
	if err != nil {
		return err
	}
	period := report.Period{Year: vf.year, Quarter: vf.quarter}
	written, err := pl.ManualReport(ctx, check, *out, []report.Period{period})
	n := 0
	for _, w := range written {
		fmt.Fprintln(a.stdout, w.Path)
		if w.Changed {
			n++
		}
	}
	if err != nil || check.AsOf.IsZero() {
		return err
	}
	// A statement says whether it was written now or found as it was.
	dir := *out
	if dir == "" {
		dir = a.dir().Reports()
	}
	cat, err := a.catalog()
	if err == nil {
		fmt.Fprintln(a.stdout, cat.Text(a.lang, "cli.reports_written", messages.Args{"n": fmt.Sprint(n),
			"dir": absPath(filepath.Join(jobs.StatementDir(dir, check.AsOf), period.Slug()))}))
	}
	return err
}

func absPath(p string) string {
	if v, err := filepath.Abs(p); err == nil {
		return v
	}
	return p
}
