package main

import (
	"context"
	"fmt"
	"path/filepath"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/report"
	"grantpipe/pipeline/store"
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
	p, err := a.programme()
	if err != nil {
		return err
	}
	// Reports show a fresh check of the data: validate first, then render
	// from that run.
	if _, err := a.validate(ctx, vf); err != nil {
		return err
	}
	st, err := a.open(ctx, p)
	if err != nil {
		return err
	}
	defer st.Close()
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = a.dir().Reports()
	}
	written, err := a.writeReports(ctx, st, p, cat, dir, []report.Period{{Year: vf.year, Quarter: vf.quarter}})
	for _, w := range written {
		fmt.Fprintln(a.stdout, w.Path)
	}
	return err
}

// writeReports writes the reports of the given periods.
func (a *app) writeReports(ctx context.Context, st *store.Store, p *programme.Programme, cat *messages.Catalog, dir string, periods []report.Period) ([]report.Written, error) {
	var all []report.Written
	for _, period := range periods {
		d, err := report.Load(ctx, st, p, period, a.lang)
		if err != nil {
			return all, err
		}
		w, err := report.WriteAll(ctx, dir, d, cat, func(dist *report.District) error { return report.LoadReceipts(ctx, st, d, dist) })
		all = append(all, w...)
		if err != nil {
			return all, err
		}
	}
	return all, nil
}

// dataPeriods lists every quarter with an accepted submission and, per
// year, the year itself.
func dataPeriods(ctx context.Context, st *store.Store) ([]report.Period, error) {
	q, err := st.Query("report/periods.sql")
	if err != nil {
		return nil, err
	}
	rows, err := st.DB.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer rows.Close()
	var out []report.Period
	years := map[int]bool{}
	for rows.Next() {
		var p report.Period
		if err := rows.Scan(&p.Year, &p.Quarter); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		out = append(out, p)
		years[p.Year] = true
	}
	var ys []int
	for y := range years {
		ys = append(ys, y)
	}
	for _, y := range sortedInts(ys) {
		out = append(out, report.Period{Year: y})
	}
	return out, rows.Err()
}

func sortedInts(v []int) []int {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
	return v
}

func absPath(p string) string {
	if v, err := filepath.Abs(p); err == nil {
		return v
	}
	return p
}
