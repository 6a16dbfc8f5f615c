package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/web"
)

var firstSubmission = regexp.MustCompile(`href="(/submissions/\d+)"`)

// own is the path of the first submission on a district's page.
func own(t *testing.T, b *browser) string {
	t.Helper()
	m := firstSubmission.FindStringSubmatch(b.get("/").Body)
	if m == nil {
		t.Fatal("no submission on the page")
	}
	return m[1]
}

func TestEveryPageCarriesTheSecurityHeaders(t *testing.T) {
	s := newSite(t, nil)
	b := s.loggedIn("boerde")
	for _, path := range []string{"/login", "/", "/static/style.css", "/no-such-page", own(t, b)} {
		t.Run(path+" forbids scripts, framing and sniffing", func(t *testing.T) {
			r := b.get(path)
			csp := r.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'none'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %s", csp, want)
				}
			}
			if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if got := r.Header.Get("Referrer-Policy"); got == "" {
				t.Error("no Referrer-Policy")
			}
			if strings.Contains(r.Body, "<script") || strings.Contains(r.Body, " style=") || strings.Contains(r.Body, " onclick=") {
				t.Error("the page has inline script or style, which the CSP would block")
			}
		})
	}
}

func TestAStateChangingRequestFromAnotherOriginIsRefused(t *testing.T) {
	s := newSite(t, nil)
	b := s.loggedIn("boerde")
	cases := []struct {
		name, path string
		header     map[string]string
	}{
		{"an upload a browser says is cross-site", "/upload", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"a log-out from another origin", "/logout", map[string]string{"Origin": "https://evil.example"}},
		{"a log-in from another origin", "/login", map[string]string{"Origin": "https://evil.example"}},
	}
	for _, c := range cases {
		t.Run(c.name+" gets 403", func(t *testing.T) {
			req, _ := http.NewRequest("POST", s.http.URL+c.path, strings.NewReader("login=boerde&password=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			if r := b.do(req); r.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", r.StatusCode)
			}
		})
	}
	t.Run("the session survived the refused log-out", func(t *testing.T) {
		if r := b.get("/"); r.StatusCode != http.StatusOK {
			t.Errorf("status %d", r.StatusCode)
		}
	})
}

func TestAnUploadOverTheLimitGets413BeforeBeingReadWhole(t *testing.T) {
	s := newSite(t, func(c *web.Config) { c.MaxUpload = 1 << 20 })
	b := s.loggedIn("boerde")
	r := b.upload("gross.xlsx", bytes.Repeat([]byte("x"), 3<<20))
	if r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", r.StatusCode)
	}
	mustContain(t, "the answer", r.Body, "Die Datei ist zu groß. Erlaubt sind höchstens 1 MB.")
	entries, _ := os.ReadDir(filepath.Join(s.root, "inbox", "15083"))
	if len(entries) != 0 {
		t.Errorf("the inbox holds %d files", len(entries))
	}
}

func TestAnUploadThatIsNoWorkbookIsRefused(t *testing.T) {
	s := newSite(t, nil)
	b := s.loggedIn("boerde")
	r := b.upload("../../programme.toml", []byte("[x]\n"))
	if r.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("status %d, want 415", r.StatusCode)
	}
	mustContain(t, "the answer", r.Body, "ist keine Arbeitsmappe")
}

func TestADistrictSeesNothingOfAnotherDistrict(t *testing.T) {
	s := newSite(t, nil)
	boerde, halle := s.loggedIn("boerde"), s.loggedIn("halle")
	theirs := own(t, halle)
	for _, path := range []string{theirs, theirs + "/feedback", "/submissions/999999", "/submissions/x/feedback"} {
		t.Run("Börde asking for "+path+" gets 404", func(t *testing.T) {
			if r := boerde.get(path); r.StatusCode != http.StatusNotFound {
				t.Errorf("status %d, want 404", r.StatusCode)
			}
		})
	}
	t.Run("Halle itself gets its feedback", func(t *testing.T) {
		if r := halle.get(theirs + "/feedback"); r.StatusCode != http.StatusOK {
			t.Errorf("status %d", r.StatusCode)
		}
	})
	t.Run("the form of another district is not there for Börde", func(t *testing.T) {
		r := boerde.get("/form?year=2026&quarter=1&district=15002")
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "15083") {
			t.Errorf("Börde got %q", cd)
		}
	})
}

func TestAWorkbookClaimingAnotherDistrictIsRejectedAndStaysTheSenders(t *testing.T) {
	s := newSite(t, nil)
	boerde, halle := s.loggedIn("boerde"), s.loggedIn("halle")
	path, page := boerde.uploaded("Halle.xlsx", s.workbook("15002", 3, nil))
	mustContain(t, "Börde's result", page.Body, "Die Datei wurde abgelehnt.", "Börde (15083)")
	if !strings.Contains(boerde.get("/").Body, "Halle.xlsx") {
		t.Error("Börde's page does not list the file it sent")
	}
	if strings.Contains(halle.get("/").Body, "Halle.xlsx") {
		t.Error("Halle's page lists a file Börde sent")
	}
	if r := halle.get(path); r.StatusCode != http.StatusNotFound {
		t.Errorf("Halle sees Börde's file: %d", r.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(s.root, "rejected", "15083", "Halle.xlsx")); err != nil {
		t.Errorf("not filed under the sender: %v", err)
	}
}

func TestLoggingIn(t *testing.T) {
	t.Run("the session cookie is HttpOnly, SameSite=Lax, and not Secure without TLS", func(t *testing.T) {
		s := newSite(t, nil)
		c := sessionCookie(t, s.browser().login("boerde", password))
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
			t.Errorf("cookie %+v", c)
		}
	})
	t.Run("over TLS the session cookie is Secure", func(t *testing.T) {
		s := newSite(t, func(c *web.Config) { c.TLS = true })
		if c := sessionCookie(t, s.browser().login("boerde", password)); !c.Secure {
			t.Errorf("cookie %+v", c)
		}
	})
	t.Run("a wrong password is refused with 401 and no session", func(t *testing.T) {
		s := newSite(t, nil)
		r := s.browser().login("boerde", "falsch")
		if r.StatusCode != http.StatusUnauthorized || len(r.Cookies) != 0 {
			t.Errorf("status %d, cookies %v", r.StatusCode, r.Cookies)
		}
		mustContain(t, "the answer", r.Body, "Benutzername oder Passwort ist falsch.")
	})
	t.Run("after 10 failures even the right password is refused, then accepted after 15 minutes", func(t *testing.T) {
		s := newSite(t, nil)
		b := s.browser()
		for range 10 {
			b.login("boerde", "falsch")
		}
		r := b.login("boerde", password)
		if r.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 429", r.StatusCode)
		}
		mustContain(t, "the answer", r.Body, "Zu viele fehlgeschlagene Anmeldungen")
		s.clock.add(16 * time.Minute)
		if r := b.login("boerde", password); r.StatusCode != http.StatusSeeOther {
			t.Errorf("status %d after the lock", r.StatusCode)
		}
	})
	t.Run("after log-out the old cookie no longer works", func(t *testing.T) {
		s := newSite(t, nil)
		b := s.loggedIn("boerde")
		old := b.c.Jar.Cookies(mustURL(s.http.URL))
		b.post("/logout", nil)
		thief := s.browser()
		thief.c.Jar.SetCookies(mustURL(s.http.URL), old)
		if r := thief.get("/"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
			t.Errorf("status %d to %q", r.StatusCode, r.Header.Get("Location"))
		}
	})
	t.Run("a session ends after 30 minutes idle", func(t *testing.T) {
		s := newSite(t, nil)
		b := s.loggedIn("boerde")
		s.clock.add(29 * time.Minute)
		if r := b.get("/"); r.StatusCode != http.StatusOK {
			t.Fatalf("after 29 minutes: %d", r.StatusCode)
		}
		s.clock.add(31 * time.Minute)
		if r := b.get("/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after 31 idle minutes: %d", r.StatusCode)
		}
	})
	t.Run("a session ends 12 hours after log-in however busy", func(t *testing.T) {
		s := newSite(t, nil)
		b := s.loggedIn("boerde")
		for range 24 {
			s.clock.add(29 * time.Minute)
			b.get("/static/style.css")
			b.get("/form?year=2026&quarter=1")
		}
		s.clock.add(25 * time.Minute)
		if r := b.get("/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after 12 h 01 min: %d", r.StatusCode)
		}
	})
	t.Run("English on request, kept in a cookie", func(t *testing.T) {
		s := newSite(t, nil)
		b := s.browser()
		mustContain(t, "the log-in page", b.get("/login?lang=en").Body, "Log in", `lang="en"`)
		mustContain(t, "the next page", b.get("/login").Body, "Password", `lang="en"`)
	})
}

func TestAOneTimePasswordMustBeReplacedFirst(t *testing.T) {
	s := newSite(t, nil)
	var once string
	err := s.srv.Accounts(t.Context(), func(a *accounts.Service) error {
		var err error
		_, once, err = a.Add(t.Context(), "neu", "district", "15083", "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.login("neu", once)
	if r := b.get("/"); r.Header.Get("Location") != "/password" {
		t.Fatalf("not sent to set a password: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := b.post("/password", map[string][]string{"password": {"kurz"}, "again": {"kurz"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a short password: %d", r.StatusCode)
	}
	b.post("/password", map[string][]string{"password": {"mein eigenes Passwort"}, "again": {"mein eigenes Passwort"}})
	if r := b.get("/"); r.StatusCode != http.StatusOK {
		t.Errorf("after setting it: %d", r.StatusCode)
	}
	if r := s.browser().login("neu", once); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the one-time password still works: %d", r.StatusCode)
	}
}

func TestTheMinistrySeesEveryDistrictAndTheMatrixChange(t *testing.T) {
	s := newSite(t, nil)
	analyst := s.loggedIn("analyst")
	page := analyst.get("/").Body
	mustContain(t, "the matrix", page, "Stand der Quartalsmeldungen 2026", "Börde", "Halle (Saale)", "Dessau-Roßlau")
	before := strings.Count(page, `class="cell accepted"`)
	s.clock.add(46 * 24 * time.Hour)
	boerde := s.loggedIn("boerde")
	boerde.uploaded("Q4.xlsx", s.workbook("15083", 4, nil))
	analyst = s.loggedIn("analyst")
	page = analyst.get("/").Body
	if after := strings.Count(page, `class="cell accepted"`); after != before+1 {
		t.Errorf("%d accepted quarters before Börde's Q4, %d after", before, after)
	}
	if r := analyst.post("/upload", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("an analyst uploading: %d", r.StatusCode)
	}
}

func TestConcurrentUploadsTakeTurnsAndNoneIsLost(t *testing.T) {
	s := newSite(t, nil)
	s.clock.add(46 * 24 * time.Hour)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, who := range []struct{ login, ags string }{{"boerde", "15083"}, {"halle", "15002"}} {
		b := s.loggedIn(who.login)
		wb := s.workbook(who.ags, 4, func(d *form.Data) {})
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = b.upload("Q4.xlsx", wb).StatusCode
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusSeeOther {
			t.Errorf("upload %d: %d", i, c)
		}
	}
	for _, ags := range []string{"15083", "15002"} {
		m, _ := filepath.Glob(filepath.Join(s.root, "archive", ags, "2026-Q4", "*Q4.xlsx"))
		if len(m) != 1 {
			t.Errorf("%s: %d files archived for Q4", ags, len(m))
		}
	}
}

func sessionCookie(t *testing.T, r response) *http.Cookie {
	t.Helper()
	for _, c := range r.Cookies {
		if c.Name == web.CookieName {
			return c
		}
	}
	t.Fatalf("no session cookie (status %d)", r.StatusCode)
	return nil
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
