package main

import (
	"context"
)

func runConfig(ctx context.Context, a *app, args []string) error {
	fs := a.flags("config", false)
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments"}
	}
	p, err := a.programme()
	if err != nil {
		return err
	}
	return p.WriteTOML(a.stdout)
}
