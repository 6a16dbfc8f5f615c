package main

import (
	"context"
	"fmt"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/messages"
	"time"
)

func runRun(ctx context.Context, a *app, args []string) error {
	fs := a.flags("run", true)
	withDemo := fs.Bool("demo", false, "fill an empty inbox with the demo data first, and check as of the demo's day")
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
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	t := func(key string, args messages.Args) string { return cat.Text(a.lang, key, args) }
	if *withDemo {
		waiting, err := a.dir().InboxFiles(time.Now(), 0)
		if err != nil {
			return err
		}
		stored, err := a.storedSubmissions(ctx)
		if err != nil {
			return err
		}
		if len(waiting) == 0 && stored == 0 {
			n, err := a.writeDemo()
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, t("cli.demo_written", messages.Args{"n": fmt.Sprint(n), "dir": a.dir().Inbox()}))
		}
	}
	res, err := a.ingest(ctx, nil)
	if res != nil {
		a.printIngest(a.stdout, res)
	}
	if err != nil {
		return err
	}
	if *withDemo && vf.asOf == "" {
		// The demo's story is told as of one fixed day, so its output
		// does not change with the calendar.
		vf.asOf = demo.AsOf.Format("2006-01-02")
	}
	checked, err := a.validate(ctx, vf)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout)
	a.printValidate(a.stdout, checked)
	changed, err := a.reportAll(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout)
	fmt.Fprintln(a.stdout, t("cli.reports_written", messages.Args{"n": fmt.Sprint(changed), "dir": absPath(a.dir().Reports())}))
	abs := absPath
	fmt.Fprintln(a.stdout)
	fmt.Fprintln(a.stdout, t("cli.where", messages.Args{
		"database": abs(a.dir().Database()), "archive": abs(a.dir().Archive()),
		"rejected": abs(a.dir().Rejected()), "reports": abs(a.dir().Reports())}))
	return nil
}

// storedSubmissions counts the files the database holds.
func (a *app) storedSubmissions(ctx context.Context) (int, error) {
	p, err := a.programme()
	if err != nil {
		return 0, err
	}
	st, err := a.open(ctx, p)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	q, err := st.Query("ingest/count_submissions.sql")
	if err != nil {
		return 0, err
	}
	var n int
	err = st.DB.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

// reportAll writes the reports of every period with data; only files whose
// content changed are rewritten. It returns how many were.
func (a *app) reportAll(ctx context.Context) (int, error) {
	p, err := a.programme()
	if err != nil {
		return 0, err
	}
	cat, err := a.catalog()
	if err != nil {
		return 0, err
	}
	st, err := a.open(ctx, p)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	periods, err := dataPeriods(ctx, st)
	if err != nil {
		return 0, err
	}
	written, err := a.writeReports(ctx, st, p, cat, a.dir().Reports(), periods)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, w := range written {
		if w.Changed {
			n++
		}
	}
	fb, err := a.writeFeedback(ctx, st, cat)
	return n + fb, err
}
