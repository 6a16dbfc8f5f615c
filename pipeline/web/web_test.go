package web_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/schedule"
	"grantpipe/pipeline/web"
	"grantpipe/queries"
)

// clock is the tests' time: the demo's day, moved on by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	demoOnce sync.Once
	demoRoot string
	demoErr  error
)

// demoData is a data directory with the demo run through the main job as
// of its day, made once per test binary; each test gets its own copy.
func demoData(t testing.TB) string {
	t.Helper()
	demoOnce.Do(func() {
		root, err := os.MkdirTemp("", "grantpipe-web-demo-")
		if err != nil {
			demoErr = err
			return
		}
		demoRoot = filepath.Join(root, "data")
		p, cat := basics(t)
		pl, err := pipeline(demoRoot, p, cat, (&clock{t: demo.AsOf.Add(10 * time.Hour)}).now)
		if err != nil {
			demoErr = err
			return
		}
		_, demoErr = pl.Run(context.Background(), jobs.RunOptions{
			Fill:  func() (int, error) { return demo.WriteInto(datadir.New(demoRoot), p, cat) },
			Check: jobs.Check{AsOf: demo.AsOf},
		})
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	dst := filepath.Join(t.TempDir(), "data")
	err := filepath.WalkDir(demoRoot, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(demoRoot, p)
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestMain(m *testing.M) {
	code := m.Run()
	if demoRoot != "" {
		os.RemoveAll(filepath.Dir(demoRoot))
	}
	os.Exit(code)
}

func basics(t testing.TB) (*programme.Programme, *messages.Catalog) {
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	return p, cat
}

func pipeline(root string, p *programme.Programme, cat *messages.Catalog, now func() time.Time) (*jobs.Pipeline, error) {
	return jobs.New(jobs.Config{Dir: datadir.New(root), Programme: p, Catalog: cat, Queries: queries.FS, Now: now})
}

// site is a server on a demo data directory with four accounts: Börde
// (15083), Halle (15002), an analyst and an admin, each with the password
// "ein langes Passwort".
type site struct {
	t     testing.TB
	srv   *web.Server
	http  *httptest.Server
	clock *clock
	root  string
	prog  *programme.Programme
	cat   *messages.Catalog
}

const password = "ein langes Passwort"

func newSite(t testing.TB, change func(*web.Config)) *site {
	t.Helper()
	root := demoData(t)
	p, cat := basics(t)
	c := &clock{t: demo.AsOf.Add(10 * time.Hour)}
	pl, err := pipeline(root, p, cat, c.now)
	if err != nil {
		t.Fatal(err)
	}
	writer := web.NewWriter()
	// "Run now" runs the job through a real scheduler, here waiting for it
	// so that a test sees its outcome.
	sched, err := pl.Scheduler(slog.New(slog.DiscardHandler), writer.History(pl.History()), writer.Job)
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{Pipeline: pl, Writer: writer, Dir: datadir.New(root), Programme: p, Catalog: cat, Now: c.now,
		RunNow: func(job string) { sched.Execute(job, schedule.Manual) }}
	if change != nil {
		change(&cfg)
	}
	srv, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Accounts(context.Background(), func(a *accounts.Service) error {
		for _, u := range []struct{ login, role, district string }{
			{"boerde", accounts.RoleDistrict, "15083"}, {"halle", accounts.RoleDistrict, "15002"}, {"analyst", accounts.RoleAnalyst, ""},
			{"admin", accounts.RoleAdmin, ""},
		} {
			if _, _, err := a.Add(context.Background(), u.login, u.role, u.district, password); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &site{t: t, srv: srv, http: hs, clock: c, root: root, prog: p, cat: cat}
}

// browser is one user's browser: its own cookies, redirects not followed
// so that a test sees them.
type browser struct {
	s *site
	c *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// loggedIn is a browser logged in as login.
func (s *site) loggedIn(login string) *browser {
	b := s.browser()
	if r := b.login(login, password); r.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("log-in %s: %d %s", login, r.StatusCode, r.Body)
	}
	return b
}

// response is an answer, read whole.
type response struct {
	StatusCode int
	Header     http.Header
	Body       string
	Cookies    []*http.Cookie
}

func (b *browser) do(req *http.Request) response {
	b.s.t.Helper()
	r, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	return response{StatusCode: r.StatusCode, Header: r.Header, Body: string(body), Cookies: r.Cookies()}
}

func (b *browser) get(path string) response {
	req, _ := http.NewRequest("GET", b.s.http.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) response {
	req, _ := http.NewRequest("POST", b.s.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) login(login, pw string) response {
	return b.post("/login", url.Values{"login": {login}, "password": {pw}})
}

// upload sends a file as the upload form does.
func (b *browser) upload(name string, data []byte) response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.s.http.URL+"/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// workbook is a quarter of district ags, correct unless edit plants a
// problem in its data.
func (s *site) workbook(ags string, quarter int, edit func(*form.Data)) []byte {
	s.t.Helper()
	y, _ := s.prog.Year(demo.Year)
	d, _ := y.District(ags)
	data := demo.Minimal(d, quarter)
	if edit != nil {
		edit(&data)
	}
	b, err := demo.Workbook(y, s.cat, "de", form.Prefill{District: d, Year: demo.Year, Quarter: quarter}, data, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

var submissionURL = regexp.MustCompile(`^/submissions/(\d+)$`)

// uploaded uploads and follows the answer to the file's result page; it
// returns the submission's path and that page.
func (b *browser) uploaded(name string, data []byte) (string, response) {
	b.s.t.Helper()
	r := b.upload(name, data)
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !submissionURL.MatchString(loc) {
		b.s.t.Fatalf("upload %s: %d to %q: %s", name, r.StatusCode, loc, r.Body)
	}
	return loc, b.get(loc)
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestADistrictDownloadsItsFormUploadsAndSeesTheResult(t *testing.T) {
	s := newSite(t, nil)
	b := s.loggedIn("boerde")

	t.Run("its page shows its quarters, their state and the next deadline", func(t *testing.T) {
		r := b.get("/")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("status %d", r.StatusCode)
		}
		mustContain(t, "the page", r.Body, "Quartalsmeldungen Börde", "Nächster Abgabetermin: 15.01.2027 (Meldung für das 4. Quartal 2026)",
			"Quartalsmeldung_2026-Q1_15083_Boerde.xlsx", "angenommen", "Formular herunterladen")
		if strings.Contains(r.Body, "Dessau") {
			t.Error("Börde's page shows another district's file")
		}
	})
	t.Run("the blank form comes filled in with its district", func(t *testing.T) {
		r := b.get("/form?year=2026&quarter=4")
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "PK") {
			t.Fatalf("status %d, %d bytes", r.StatusCode, len(r.Body))
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "Quartalsmeldung_2026-Q4_15083_Boerde.xlsx") {
			t.Errorf("Content-Disposition %q", cd)
		}
	})
	// The fourth quarter is over; its deadline is still ahead.
	s.clock.add(46 * 24 * time.Hour)
	b = s.loggedIn("boerde")
	var first string
	t.Run("a file with an amount typed as text shows the error at its cell", func(t *testing.T) {
		wb := s.workbook("15083", 4, func(d *form.Data) { d.Receipts[3][form.FAmount] = "1.234" })
		var page response
		first, page = b.uploaded("Meldung Q4.xlsx", wb)
		mustContain(t, "the result", page.Body, "Prüfergebnis für „Meldung Q4.xlsx“", "Blatt „Belegliste“, Zelle G5", "Fehler", "4. Quartal 2026")
		r := b.get(first + "/feedback")
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "PK") {
			t.Fatalf("feedback: status %d", r.StatusCode)
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, ".feedback.xlsx") {
			t.Errorf("Content-Disposition %q", cd)
		}
		if _, err := os.Stat(filepath.Join(s.root, "inbox", "15083", "Meldung Q4.xlsx")); err == nil {
			t.Error("the upload is still in the inbox")
		}
	})
	t.Run("the corrected file is accepted and replaces the first", func(t *testing.T) {
		_, page := b.uploaded("Meldung Q4 korrigiert.xlsx", s.workbook("15083", 4, nil))
		mustContain(t, "the result", page.Body, "Die Datei wurde angenommen.")
		mustContain(t, "the first file's result", b.get(first).Body, "ersetzt durch eine spätere Datei")
	})
}
