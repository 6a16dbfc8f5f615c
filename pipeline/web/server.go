// Package web is grantpipe serve's web front door: a district logs in,
// downloads its blank form, uploads its workbook and sees at once what the
// check found; the ministry sees the status of every district. Plain
// net/http with the standard mux's method and path patterns, html/template
// pages parsed once at start, embedded assets, no JavaScript.
//
// Every request that touches the database opens it, works and closes it
// holding the Writer, which the scheduled jobs of the same process hold
// too: one writer, as the data directory's lock promises.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
	"grantpipe/templates"
)

// DefaultMaxUpload is the largest workbook an upload may carry: 20 MB.
const DefaultMaxUpload = 20 << 20

// Config is what a Server is made from.
type Config struct {
	Pipeline  *jobs.Pipeline
	Writer    *Writer // shared with the scheduled jobs of the process
	Dir       datadir.Dir
	Programme *programme.Programme
	Catalog   *messages.Catalog
	Log       *slog.Logger     // nil: discard
	Now       func() time.Time // the clock; nil: time.Now
	// MaxUpload is the largest upload in bytes (0: DefaultMaxUpload);
	// a larger one gets 413 before it is read whole.
	MaxUpload int64
	// RunNow starts a scheduled job at once (an admin's "run now"); nil:
	// the pages offer none.
	RunNow RunNowFunc
	// TLS says the server is reached over HTTPS (itself or behind a
	// proxy): the session cookie is then Secure.
	TLS bool
}

// Server answers the requests of districts and the ministry.
type Server struct {
	cfg      Config
	pages    map[string]*template.Template
	css      []byte
	sessions *sessions
	// accounts is the one account service of the process, so that its
	// log-in throttling counts across requests; accStore is the store it
	// was made with, into which each request copies the store it opened
	// (holding the Writer) and which is emptied again after.
	accounts *accounts.Service
	accStore *store.Store
	uploads  uploadQueue // uploads waiting for the Writer
}

// New parses the pages and returns the server.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Pipeline == nil || cfg.Writer == nil || cfg.Programme == nil || cfg.Catalog == nil:
		return nil, errors.New("web: need a pipeline, a writer, a programme and a catalogue")
	case cfg.Dir.Root == "":
		return nil, errors.New("web: no data directory")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	s := &Server{cfg: cfg, sessions: newSessions(cfg.Now), pages: map[string]*template.Template{}, accStore: new(store.Store)}
	s.accounts = accounts.New(s.accStore, cfg.Now, cfg.Programme.AllDistricts())
	var err error
	if s.css, err = fs.ReadFile(templates.FS, "web/style.css"); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	names, err := fs.Glob(templates.FS, "web/page_*.html")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	for _, n := range names {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templates.FS, "web/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		s.pages[strings.TrimSuffix(strings.TrimPrefix(path.Base(n), "page_"), ".html")] = t
	}
	return s, nil
}

// funcs are the pages' helpers beyond html/template's own.
var funcs = template.FuncMap{
	// args hands a sub-template the page and a list of findings.
	"args":     func(v view, f []shownFinding) findingsArgs { return findingsArgs{V: v, F: f} },
	"quarters": func() []int { return []int{1, 2, 3, 4} },
	// setArgs hands the name of a set of reports the page and the set.
	"setArgs": func(v view, s reportSet) setArgs { return setArgs{V: v, S: s} },
	// yearArgs hands the year selector the page, where it sends the
	// choice, the year shown and the years to choose from.
	"yearArgs": func(v view, action string, year int, years []int) yearArgs {
		return yearArgs{V: v, Action: action, Year: year, Years: years}
	},
	// kb is a file's size in kilobytes, rounded up.
	"kb": func(n int64) string { return fmt.Sprintf("%d KB", (n+1023)/1024) },
}

// yearArgs is what the year selector is rendered from.
type yearArgs struct {
	V      view
	Action string
	Year   int
	Years  []int
}

// setArgs is what a set of reports' name is rendered from.
type setArgs struct {
	V view
	S reportSet
}

// findingsArgs is what the findings table is rendered from.
type findingsArgs struct {
	V view
	F []shownFinding
}

// Handler is the server's routes behind its security headers and the
// refusal of state-changing requests from other origins.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", s.style)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /password", s.signedIn(s.passwordForm))
	mux.HandleFunc("POST /password", s.signedIn(s.password))
	mux.HandleFunc("GET /{$}", s.signedIn(s.home))
	mux.HandleFunc("GET /form", s.signedIn(s.form))
	mux.HandleFunc("POST /upload", s.signedIn(s.upload))
	mux.HandleFunc("GET /submissions/{id}", s.signedIn(s.submission))
	mux.HandleFunc("GET /submissions/{id}/feedback", s.signedIn(s.feedback))
	mux.HandleFunc("GET /reports", s.signedIn(s.reports))
	mux.HandleFunc("GET /reports/file/{rel...}", s.signedIn(s.reportDownload))
	s.ministryRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, http.StatusNotFound) })
	// The JSON API (api.go): its errors are JSON, and a request with a
	// bearer token is no browser's form, so it passes the origin check.
	s.apiRoutes(mux)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			apiError(w, http.StatusForbidden, "cross-origin request refused")
			return
		}
		s.fail(w, r, http.StatusForbidden)
	}))
	return headers(crossOrigin(cop, mux))
}

// CSP lets the pages load their own style sheet and nothing else: no
// script at all, no frames around them, forms only to the server itself.
const CSP = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// headers sets the security headers of every answer.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// SweepSessions forgets timed-out sessions every interval until ctx is
// done.
func (s *Server) SweepSessions(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.sessions.sweep()
		}
	}
}

// withStore runs f on the database, opened for it holding the Writer and
// closed after; the account service works on the same store meanwhile.
func (s *Server) withStore(ctx context.Context, f func(st *store.Store) error) error {
	return s.cfg.Writer.Do(ctx, func() error {
		st, err := s.cfg.Pipeline.Open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		return s.onStore(st, func() error { return f(st) })
	})
}

// onStore lets the account service use st while f runs. Only call it
// holding the Writer.
func (s *Server) onStore(st *store.Store, f func() error) error {
	*s.accStore = *st
	defer func() { *s.accStore = store.Store{} }()
	return f()
}

// Accounts runs f with the account service on the open database, holding
// the Writer: for the command that creates the demo's accounts.
func (s *Server) Accounts(ctx context.Context, f func(*accounts.Service) error) error {
	return s.withStore(ctx, func(*store.Store) error { return f(s.accounts) })
}

func (s *Server) style(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(s.css)
}

// view is what every page is rendered from.
type view struct {
	L        lang
	User     *accounts.User
	District *programme.District // a district user's own
	Other    string              // this page in the other language
	Status   int
	Data     any
	Sections []section // the pages the user may go to
}

// section is one entry of the page's navigation.
type section struct {
	Href, Key string
	Current   bool
}

// sectionsOf are the pages u may go to, path's marked as the current one.
func sectionsOf(u accounts.User, path string) []section {
	out := []section{{Href: "/", Key: "web.home"}, {Href: "/reports", Key: "web.nav.reports"}}
	if u.Role != accounts.RoleDistrict {
		out = append(out, section{Href: "/findings", Key: "web.nav.findings"}, section{Href: "/runs", Key: "web.nav.runs"})
	}
	if u.Role == accounts.RoleAdmin {
		out = append(out, section{Href: "/payouts", Key: "web.nav.payouts"}, section{Href: "/accounts", Key: "web.nav.accounts"},
			section{Href: "/audit", Key: "web.nav.audit"})
	}
	for i := range out {
		out[i].Current = out[i].Href == path || (out[i].Href == "/" && strings.HasPrefix(path, "/submissions/"))
	}
	return out
}

// render writes page with data and the HTTP status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	v := view{L: s.lang(w, r), Status: status, Data: data}
	q := r.URL.Query()
	q.Set("lang", map[string]string{"de": "en", "en": "de"}[v.L.Code])
	v.Other = r.URL.Path + "?" + q.Encode()
	if r.Method != http.MethodGet {
		v.Other = "/?" + q.Encode()
	}
	if u, _, ok := s.user(r); ok {
		v.User = &u
		if !u.OneTime {
			v.Sections = sectionsOf(u, r.URL.Path)
		}
		if u.Role == accounts.RoleDistrict {
			v.District = s.district(u.District)
		}
	}
	t := s.pages[page]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.Execute(w, v); err != nil {
		s.cfg.Log.Error("render", "page", page, "err", err)
	}
}

// fail answers with an error page for status.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int) {
	s.render(w, r, status, "error", nil)
}

// failed answers a request whose work failed: logged, and 500.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.cfg.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	s.fail(w, r, http.StatusInternalServerError)
}

// district is a district of the programme by AGS, in any year.
func (s *Server) district(ags string) *programme.District {
	for i := len(s.cfg.Programme.Years) - 1; i >= 0; i-- {
		if d, ok := s.cfg.Programme.Years[i].District(ags); ok {
			return d
		}
	}
	return nil
}

// id is the {id} of the path, or false.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// remote is the address a request came from, without its port: the audit
// trail and the log-in throttling count a machine, not a connection.
func remote(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
