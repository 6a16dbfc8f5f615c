package main

import (
	"context"
	"encoding/json"
	"fmt"

	"grantpipe/pipeline/payouts"
)

func runPayouts(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return usageError{"usage: grantpipe payouts import [--data DIR] [--json] FILE…"}
	}
	fs := a.flags("payouts import", true)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := a.parse(fs, args[1:]); err != nil {
		return err
	}
	if err := a.lockData("grantpipe payouts import"); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"name the payout list(s) to import (CSV or xlsx)"}
	}
	p, err := a.programme()
	if err != nil {
		return err
	}
	pl, err := a.pipeline("")
	if err != nil {
		return err
	}
	st, err := pl.Open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	im, err := payouts.New(st, p)
	if err != nil {
		return err
	}
	var results []*payouts.Result
	for _, f := range fs.Args() {
		res, err := im.Import(ctx, f)
		if err != nil {
			return err
		}
		results = append(results, res)
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	for _, res := range results {
		fmt.Fprintf(a.stdout, "%s: %d imported, %d already known, %d refused\n", clean(res.File), res.Imported, res.Known, res.Refused)
		for _, r := range res.Rows {
			if r.Outcome == payouts.Refused {
				fmt.Fprintf(a.stdout, "  row %d: %s\n", r.Row, clean(r.Message))
			}
		}
	}
	return nil
}
