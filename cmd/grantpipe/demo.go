package main

import (
	"context"
	"fmt"

	"grantpipe/pipeline/demo"
)

func runDemo(ctx context.Context, a *app, args []string) error {
	fs := a.flags("demo", true)
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments"}
	}
	files, err := a.writeDemo()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d demo submissions written to %s\n", files, a.dir().Inbox())
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
	if err := d.Ensure(allDistricts(p)); err != nil {
		return 0, err
	}
	files, _, err := demo.Write(y, cat, d.InboxOf)
	return len(files), err
}
