package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/schedule"
	"grantpipe/pipeline/web"
)

func runServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags("serve", true)
	listen := fs.String("listen", "127.0.0.1:8080", "`address` to listen on (host:port)")
	cert := fs.String("tls-cert", "", "TLS certificate `file` (PEM); with --tls-key, serve HTTPS")
	key := fs.String("tls-key", "", "TLS private key `file` (PEM)")
	proxied := fs.Bool("behind-https-proxy", false, "a reverse proxy terminates HTTPS in front: session cookies are Secure")
	withDemo := fs.Bool("demo", false, "fill an empty data directory with the demo, run the main job once and create demo accounts (their one-time passwords are printed once)")
	maxUpload := fs.Int64("max-upload", web.DefaultMaxUpload, "largest upload in `bytes`; a larger one gets 413")
	grace := fs.Duration("grace", -1, "how long requests and a running job may finish after SIGTERM (default: the configuration's)")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{"unexpected arguments"}
	case (*cert == "") != (*key == ""):
		return usageError{"--tls-cert and --tls-key go together"}
	}
	if err := a.lockData("grantpipe serve"); err != nil {
		return err
	}
	a.setLogger(slog.LevelInfo)
	p, err := a.programme()
	if err != nil {
		return err
	}
	sc := p.Schedule
	if *grace < 0 {
		*grace = sc.GracePeriod
	}
	pl, err := a.pipeline("")
	if err != nil {
		return err
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	// One writer: the scheduled jobs, their history and the requests take
	// turns with the database.
	writer := web.NewWriter()
	s, err := a.scheduler(pl, writer.History(pl.History()), writer.Job)
	if err != nil {
		return err
	}
	// An admin's "run now" runs the job through the scheduler, in the
	// background; shutting down waits for it as for a scheduled run.
	var started sync.WaitGroup
	runNow := func(job string) { started.Go(func() { s.Execute(job, schedule.Manual) }) }
	defer started.Wait()
	srv, err := web.New(web.Config{Pipeline: pl, Writer: writer, Dir: a.dir(), Programme: p, Catalog: cat, Log: a.log,
		Now: a.now, MaxUpload: *maxUpload, TLS: *cert != "" || *proxied, RunNow: runNow})
	if err != nil {
		return err
	}
	if *withDemo {
		if err := a.serveDemo(ctx, pl, writer, srv); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	scheme := "http"
	go func() {
		if *cert != "" {
			served <- hs.ServeTLS(ln, *cert, *key)
		} else {
			served <- hs.Serve(ln)
		}
	}()
	if *cert != "" {
		scheme = "https"
	}
	sweep, stopSweep := context.WithCancel(context.Background())
	defer stopSweep()
	go srv.SweepSessions(sweep, time.Minute)
	s.Start()
	a.log.Info("serving", "url", fmt.Sprintf("%s://%s/", scheme, ln.Addr()))
	fmt.Fprintln(a.stdout, cat.Text(a.lang, "web.cli.serving", messages.Args{"url": fmt.Sprintf("%s://%s/", scheme, ln.Addr())}))
	select {
	case <-ctx.Done():
	case err := <-served:
		s.Shutdown(*grace)
		return err
	}
	a.log.Info("signal received: stopping", "grace", grace.String())
	stop, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	if err := hs.Shutdown(stop); err != nil {
		a.log.Warn("requests cut off at shutdown", "err", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.log.Warn("server", "err", err)
	}
	s.Shutdown(*grace)
	a.log.Info("stopped")
	return nil
}

// demoAccounts are the accounts serve --demo creates: a district, an
// analyst and an admin of the ministry.
var demoAccounts = []struct{ login, role, district string }{
	{"boerde", accounts.RoleDistrict, "15083"},
	{"analyst", accounts.RoleAnalyst, ""},
	{"admin", accounts.RoleAdmin, ""},
}

// serveDemo fills an empty data directory with the demo, runs the main job
// as of the demo's day, and creates the demo accounts, printing their
// one-time passwords once.
func (a *app) serveDemo(ctx context.Context, pl *jobs.Pipeline, writer *web.Writer, srv *web.Server) error {
	fill, err := a.demoFill(3)
	if err != nil {
		return err
	}
	var res *jobs.RunResult
	err = writer.Do(ctx, func() (err error) {
		res, err = pl.Run(ctx, jobs.RunOptions{Fill: fill, Check: jobs.Check{AsOf: demo.AsOf}})
		return err
	})
	if err != nil {
		return err
	}
	if res.Filled == 0 {
		fmt.Fprintln(a.stdout, a.cat.Text(a.lang, "web.cli.demo_existing", nil))
		return nil
	}
	fmt.Fprintln(a.stdout, a.cat.Text(a.lang, "web.cli.demo_accounts", messages.Args{"n": fmt.Sprint(res.Filled)}))
	return srv.Accounts(ctx, func(acc *accounts.Service) error {
		for _, u := range demoAccounts {
			_, once, err := acc.Add(ctx, u.login, u.role, u.district, "")
			if err != nil {
				return err
			}
			what := u.role
			if u.district != "" {
				what += " " + u.district
			}
			fmt.Fprintf(a.stdout, "  %-8s %-16s %s\n", u.login, what, once)
		}
		return nil
	})
}
