// Command grantpipe is the reporting and analytics batch pipeline of the
// integration coordination programme of Saxony-Anhalt: it ingests the
// districts' quarterly workbooks into DuckDB and reports on them.
//
// Usage: grantpipe <command> [flags]; "grantpipe help" lists the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	// Reports and deadlines are in Europe/Berlin on machines without zoneinfo too.
	_ "time/tzdata"
)

func main() { os.Exit(process()) }

// process runs grantpipe as this process: its arguments, streams and
// environment, with SIGINT and SIGTERM cancelling the context.
func process() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Main(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
}
