package main

import (
	"context"
	"fmt"
	"time"

	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/messages"
)

func runRun(ctx context.Context, a *app, args []string) error {
	fs := a.flags("run", true)
	withDemo := fs.Bool("demo", false, "fill an empty inbox with the demo data first, and check as of the demo's day")
	quarters := fs.Int("quarters", 3, "with --demo: 3 (the year so far, as of "+demo.AsOf.Format("2006-01-02")+") or 4 (the whole year, settled as of "+demo.SettledAsOf.Format("2006-01-02")+")")
	var vf validateFlags
	a.validateFlagSet(fs, &vf)
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := a.lockData("grantpipe run"); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments"}
	}
	check, err := vf.check()
	if err != nil {
		return err
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	t := func(key string, args messages.Args) string { return cat.Text(a.lang, key, args) }
	opt := jobs.RunOptions{Check: check}
	if *withDemo {
		if opt.Fill, err = a.demoFill(*quarters); err != nil {
			return err
		}
		// The demo's story is told as of one fixed day, so its output
		// does not change with the calendar. The whole year is told from
		// the next spring, on that day's clock: its fourth-quarter files
		// arrive in January 2027.
		asOf := demo.AsOf
		if *quarters == 4 {
			asOf = demo.SettledAsOf
			a.now = func() time.Time { return demo.SettledAsOf.Add(9 * time.Hour) }
		}
		if check.AsOf.IsZero() {
			opt.Check.AsOf = asOf
		}
	}
	pl, err := a.pipeline(vf.rulesDir)
	if err != nil {
		return err
	}
	res, err := pl.Run(ctx, opt)
	if res.Filled > 0 {
		fmt.Fprintln(a.stdout, t("cli.demo_written", messages.Args{"n": fmt.Sprint(res.Filled), "dir": a.dir().Inbox()}))
	}
	if res.Ingest != nil {
		a.printIngest(a.stdout, cat, res.Ingest)
	}
	if res.Check != nil {
		fmt.Fprintln(a.stdout)
		a.printValidate(a.stdout, cat, res.Check)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout)
	fmt.Fprintln(a.stdout, t("cli.reports_written", messages.Args{"n": fmt.Sprint(res.Changed), "dir": absPath(a.dir().Reports())}))
	abs := absPath
	fmt.Fprintln(a.stdout)
	fmt.Fprintln(a.stdout, t("cli.where", messages.Args{
		"database": abs(a.dir().Database()), "archive": abs(a.dir().Archive()),
		"rejected": abs(a.dir().Rejected()), "reports": abs(a.dir().Reports())}))
	return nil
}
