package main

import (
	"context"
	"fmt"

	"grantpipe/pipeline/demo"
)

func runDemo(ctx context.Context, a *app, args []string) error {
	fs := a.flags("demo", true)
	districts := fs.Int("districts", 0, "scaled data for benchmarks: this many `districts` (more than 14 are synthetic; their configuration is written to DIR/programme.toml)")
	quarters := fs.Int("quarters", 0, "`quarters` 1 to n of 2026: with --districts 1 to 4 (default 4); without, 3 (the year so far, default) or 4 (the whole year, to settle as of "+demo.SettledAsOf.Format("2006-01-02")+")")
	lines := fs.Int("lines", 0, "with --districts: receipts per submission (default: 40–150)")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments"}
	}
	if *districts > 0 {
		if *quarters == 0 {
			*quarters = 4
		}
		if *quarters < 1 || *quarters > 4 || *lines < 0 {
			return usageError{"--quarters 1 to 4, --lines 0 or more"}
		}
		return a.writeScaledDemo(*districts, *quarters, *lines)
	}
	write, err := a.demoFill(*quarters)
	if err != nil {
		return err
	}
	files, err := write()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d demo submissions written to %s\n", files, a.dir().Inbox())
	return nil
}

// writeScaledDemo writes synthetic submissions of any size and their
// configuration into the data directory.
func (a *app) writeScaledDemo(districts, quarters, lines int) error {
	p, err := a.programme()
	if err != nil {
		return err
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	d := a.dir()
	n, err := demo.WriteScaledInto(d, p, cat, districts, demo.Scale{Quarters: quarters, Lines: lines})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d submissions of %d districts written to %s; configuration: %s\n", n, districts, d.Inbox(), d.Programme())
	return nil
}

// demoFill returns what writes the demo into the data directory: the year
// so far (quarters 3, or 0 for the default) or the whole year (4).
func (a *app) demoFill(quarters int) (func() (int, error), error) {
	write := demo.WriteInto
	switch quarters {
	case 0, 3:
	case 4:
		write = demo.WriteYearInto
	default:
		return nil, usageError{"--quarters 3 (the year so far) or 4 (the whole year)"}
	}
	return func() (int, error) {
		p, err := a.programme()
		if err != nil {
			return 0, err
		}
		cat, err := a.catalog()
		if err != nil {
			return 0, err
		}
		return write(a.dir(), p, cat)
	}, nil
}
