package main

import (
	"context"
	"fmt"
	"path/filepath"

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
	st, err := pl.Open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// Reports show a fresh check of the data: validate first, then render
	// from that run.
	if _, err := pl.Validate(ctx, st, check); err != nil {
		return err
	}
	written, err := pl.Reports(ctx, st, *out, []report.Period{{Year: vf.year, Quarter: vf.quarter}})
	for _, w := range written {
		fmt.Fprintln(a.stdout, w.Path)
	}
	return err
}

func absPath(p string) string {
	if v, err := filepath.Abs(p); err == nil {
		return v
	}
	return p
}
