package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"grantpipe/pipeline/demo"
)

func runDemo(ctx context.Context, a *app, args []string) error {
	fs := a.flags("demo", true)
	districts := fs.Int("districts", 0, "scaled data for benchmarks: this many `districts` (more than 14 are synthetic; their configuration is written to DIR/programme.toml)")
	quarters := fs.Int("quarters", 4, "with --districts: `quarters` 1 to n of 2026")
	lines := fs.Int("lines", 0, "with --districts: receipts per submission (default: 40–150)")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments"}
	}
	if *districts > 0 {
		if *quarters < 1 || *quarters > 4 || *lines < 0 {
			return usageError{"--quarters 1 to 4, --lines 0 or more"}
		}
		return a.writeScaledDemo(*districts, *quarters, *lines)
	}
	files, err := a.writeDemo()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d demo submissions written to %s\n", files, a.dir().Inbox())
	return nil
}

// writeScaledDemo writes synthetic submissions of any size, and the
// configuration that knows their districts into the data directory, where
// every later command finds it.
func (a *app) writeScaledDemo(districts, quarters, lines int) error {
	base, err := a.programme()
	if err != nil {
		return err
	}
	p, err := demo.ScaledProgramme(base, districts)
	if err != nil {
		return err
	}
	d := a.dir()
	if err := d.Ensure(p.AllDistricts()); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := p.WriteTOML(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(d.Programme(), buf.Bytes(), 0o644); err != nil {
		return err
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	files, err := demo.WriteScaled(p.Years[0], cat, d.InboxOf, demo.Scale{Quarters: quarters, Lines: lines})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d submissions of %d districts written to %s; configuration: %s\n", len(files), districts, d.Inbox(), d.Programme())
	return nil
}

func (a *app) writeDemo() (int, error) {
	p, err := a.programme()
	if err != nil {
		return 0, err
	}
	y, ok := p.Year(demo.Year)
	if !ok {
		return 0, fmt.Errorf("the configuration has no budget year %d for the demo", demo.Year)
	}
	cat, err := a.catalog()
	if err != nil {
		return 0, err
	}
	d := a.dir()
	if err := d.Ensure(p.AllDistricts()); err != nil {
		return 0, err
	}
	files, _, err := demo.Write(y, cat, d.InboxOf)
	return len(files), err
}
