package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/web"
)

// token makes an API token for login.
func (s *site) token(login string) string {
	s.t.Helper()
	var tok string
	err := s.srv.Accounts(s.t.Context(), func(a *accounts.Service) (err error) {
		tok, err = a.NewToken(s.t.Context(), login)
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// api sends a request to the API with a bearer token ("" for none) and
// the extra headers, through b (for its cookies) or, when b is nil, a
// client without any.
func (s *site) api(b *browser, method, path, token string, body io.Reader, header map[string]string) response {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.http.URL+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if b == nil {
		b = &browser{s: s, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	}
	return b.do(req)
}

// multipartFile is a body with a workbook in the field "file", and its
// content type.
func multipartFile(name string, data []byte) (io.Reader, map[string]string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return &body, map[string]string{"Content-Type": mw.FormDataContentType()}
}

// apiUpload sends a workbook to POST /api/v1/submissions.
func (s *site) apiUpload(b *browser, token, name string, data []byte, header map[string]string) response {
	s.t.Helper()
	body, h := multipartFile(name, data)
	for k, v := range header {
		h[k] = v
	}
	return s.api(b, "POST", "/api/v1/submissions", token, body, h)
}

// uploadAnswer is the API's answer to an upload.
type uploadAnswer struct {
	ID       int64  `json:"id"`
	File     string `json:"file"`
	Outcome  string `json:"outcome"`
	District string `json:"district"`
	Year     int    `json:"year"`
	Quarter  int    `json:"quarter"`
	Lines    int    `json:"lines"`
	Findings []struct {
		Rule, Severity, Sheet, Cell, Message string
	} `json:"findings"`
}

// submissionEntry is one entry of GET /api/v1/submissions.
type submissionEntry struct {
	ID                    int64
	File, District, State string
	Year, Quarter         int
	Received              string
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("status %d, not JSON: %v: %s", r.StatusCode, err, r.Body)
	}
	return v
}

func TestADistrictUsesTheAPIWithItsToken(t *testing.T) {
	s := newSite(t, nil)
	tok := s.token("boerde")

	t.Run("the list holds Börde's files only, each with its state and an RFC 3339 arrival", func(t *testing.T) {
		r := s.api(nil, "GET", "/api/v1/submissions", tok, nil, nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", r.StatusCode, r.Body)
		}
		list := decode[[]submissionEntry](t, r)
		if len(list) == 0 {
			t.Fatal("no submissions")
		}
		for _, e := range list {
			if e.District != "15083" {
				t.Errorf("Börde's list holds %s's file %s", e.District, e.File)
			}
			if _, err := time.Parse(time.RFC3339, e.Received); err != nil {
				t.Errorf("received %q: %v", e.Received, err)
			}
		}
		if e := list[len(list)-1]; e.File != "Quartalsmeldung_2026-Q1_15083_Boerde.xlsx" || e.Year != 2026 || e.Quarter != 1 || e.State != "accepted" {
			t.Errorf("the first quarter's file: %+v", e)
		}
	})
	t.Run("its status names its quarters and the next deadline, the 15th of January 2027", func(t *testing.T) {
		r := s.api(nil, "GET", "/api/v1/status", tok, nil, nil)
		st := decode[struct {
			District     string
			NextDeadline struct {
				Year, Quarter int
				Deadline      string
			} `json:"next_deadline"`
			Quarters []struct {
				Year, Quarter int
				State         string
			}
		}](t, r)
		if st.District != "15083" || st.NextDeadline.Deadline != "2027-01-15" || st.NextDeadline.Year != 2026 || st.NextDeadline.Quarter != 4 {
			t.Errorf("status %+v", st)
		}
		states := map[int]string{}
		for _, q := range st.Quarters {
			if q.Year == 2026 {
				states[q.Quarter] = q.State
			}
		}
		if states[1] != "accepted" || states[4] != "open" {
			t.Errorf("quarters of 2026: %v", states)
		}
	})
	t.Run("the blank form comes filled in with Börde, even when another district is asked for", func(t *testing.T) {
		r := s.api(nil, "GET", "/api/v1/template?year=2026&quarter=4&district=15002", tok, nil, nil)
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "PK") {
			t.Fatalf("status %d, %d bytes", r.StatusCode, len(r.Body))
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "Quartalsmeldung_2026-Q4_15083_Boerde.xlsx") {
			t.Errorf("Content-Disposition %q", cd)
		}
	})
	t.Run("a quarter that does not exist is 404", func(t *testing.T) {
		if r := s.api(nil, "GET", "/api/v1/template?year=2026&quarter=5", tok, nil, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("status %d", r.StatusCode)
		}
	})

	// The fourth quarter is over; its deadline is still ahead.
	s.clock.add(46 * 24 * time.Hour)
	var up uploadAnswer
	t.Run("an upload answers 201 with the file's ingest result, the amount typed as text at Belegliste G5", func(t *testing.T) {
		wb := s.workbook("15083", 4, func(d *form.Data) { d.Receipts[3][form.FAmount] = "1.234" })
		r := s.apiUpload(nil, tok, "Meldung Q4.xlsx", wb, nil)
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("status %d: %s", r.StatusCode, r.Body)
		}
		up = decode[uploadAnswer](t, r)
		if up.ID <= 0 || up.File != "Meldung Q4.xlsx" || up.District != "15083" || up.Year != 2026 || up.Quarter != 4 {
			t.Errorf("answer %+v", up)
		}
		at := false
		for _, f := range up.Findings {
			at = at || f.Sheet == "Belegliste" && f.Cell == "G5" && f.Severity == "error"
		}
		if !at {
			t.Errorf("no error at Belegliste G5 among %+v", up.Findings)
		}
	})
	if up.ID == 0 {
		t.Fatal("no upload to go on with")
	}
	t.Run("the upload appears on Börde's page with its finding at the cell", func(t *testing.T) {
		b := s.loggedIn("boerde")
		mustContain(t, "the page", b.get("/").Body, "Meldung Q4.xlsx")
		mustContain(t, "the result", b.get(fmt.Sprintf("/submissions/%d", up.ID)).Body, "Blatt „Belegliste“, Zelle G5", "Fehler")
	})
	t.Run("the upload's feedback workbook is there to download", func(t *testing.T) {
		r := s.api(nil, "GET", fmt.Sprintf("/api/v1/submissions/%d/feedback", up.ID), tok, nil, nil)
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "PK") {
			t.Fatalf("status %d: %.200s", r.StatusCode, r.Body)
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, ".feedback.xlsx") {
			t.Errorf("Content-Disposition %q", cd)
		}
	})
	t.Run("the list shows the upload as the newest file of the fourth quarter", func(t *testing.T) {
		found := false
		for _, e := range decode[[]submissionEntry](t, s.api(nil, "GET", "/api/v1/submissions", tok, nil, nil)) {
			found = found || e.ID == up.ID && e.Year == 2026 && e.Quarter == 4 && e.File == "Meldung Q4.xlsx"
		}
		if !found {
			t.Error("the upload is not listed")
		}
	})
	t.Run("the same bytes again are a duplicate: 200 and the earlier file's id", func(t *testing.T) {
		wb := s.workbook("15083", 4, func(d *form.Data) { d.Receipts[3][form.FAmount] = "1.234" })
		r := s.apiUpload(nil, tok, "nochmal.xlsx", wb, nil)
		// A rejected file's bytes may come again; only accepted ones are
		// duplicates. Either way the answer is an ingest result.
		a := decode[uploadAnswer](t, r)
		if a.Outcome == "duplicate" && (r.StatusCode != http.StatusOK || a.ID != up.ID) || a.Outcome != "duplicate" && r.StatusCode != http.StatusCreated {
			t.Errorf("status %d, %+v", r.StatusCode, a)
		}
	})
}

func TestTheMinistryUsesTheAPIWithItsToken(t *testing.T) {
	s := newSite(t, nil)
	tok := s.token("analyst")
	t.Run("the status is grantpipe status --json's: the year's matrix of every district", func(t *testing.T) {
		r := s.api(nil, "GET", "/api/v1/status", tok, nil, nil)
		st := decode[struct {
			Year   int
			Matrix []struct {
				District string
				Quarter  int
				State    string
			}
		}](t, r)
		districts := map[string]bool{}
		for _, c := range st.Matrix {
			districts[c.District] = true
		}
		if st.Year != 2026 || len(districts) != 14 {
			t.Errorf("year %d, %d districts", st.Year, len(districts))
		}
	})
	t.Run("a year outside the programme is 400", func(t *testing.T) {
		if r := s.api(nil, "GET", "/api/v1/status?year=1999", tok, nil, nil); r.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d", r.StatusCode)
		}
	})
	t.Run("the list holds the files of several districts", func(t *testing.T) {
		senders := map[string]bool{}
		for _, e := range decode[[]submissionEntry](t, s.api(nil, "GET", "/api/v1/submissions", tok, nil, nil)) {
			senders[e.District] = true
		}
		if !senders["15083"] || !senders["15002"] {
			t.Errorf("senders %v", senders)
		}
	})
	t.Run("the blank form needs a district: 400 without, Halle's with district=15002", func(t *testing.T) {
		if r := s.api(nil, "GET", "/api/v1/template?year=2026&quarter=1", tok, nil, nil); r.StatusCode != http.StatusBadRequest {
			t.Errorf("without: status %d", r.StatusCode)
		}
		r := s.api(nil, "GET", "/api/v1/template?year=2026&quarter=1&district=15002", tok, nil, nil)
		if cd := r.Header.Get("Content-Disposition"); r.StatusCode != http.StatusOK || !strings.Contains(cd, "_15002_") {
			t.Errorf("with: status %d, %q", r.StatusCode, cd)
		}
	})
	t.Run("the ministry uploads nothing: 403", func(t *testing.T) {
		if r := s.apiUpload(nil, tok, "x.xlsx", s.workbook("15083", 3, nil), nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("status %d", r.StatusCode)
		}
	})
}

func TestTheAPIRefusesWhoIsNotAllowed(t *testing.T) {
	s := newSite(t, nil)
	boerdeTok := s.token("boerde")
	theirs := own(t, s.loggedIn("halle"))
	revoked := s.token("halle")
	disabled := ""
	oneTime := ""
	err := s.srv.Accounts(t.Context(), func(a *accounts.Service) error {
		if err := a.RevokeTokens(t.Context(), "halle"); err != nil {
			return err
		}
		if _, _, err := a.Add(t.Context(), "weg", accounts.RoleDistrict, "15083", password); err != nil {
			return err
		}
		var err error
		if disabled, err = a.NewToken(t.Context(), "weg"); err != nil {
			return err
		}
		if err := a.Disable(t.Context(), "weg"); err != nil {
			return err
		}
		if _, _, err := a.Add(t.Context(), "neu", accounts.RoleDistrict, "15083", ""); err != nil {
			return err
		}
		oneTime, err = a.NewToken(t.Context(), "neu")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, token, header string
	}{
		{"no credentials at all", "", ""},
		{"a token nobody was given", "gp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ""},
		{"something that is no token", "hunter2", ""},
		{"a revoked token", revoked, ""},
		{"the token of a disabled account", disabled, ""},
		{"a password as Basic credentials", "", "Basic Ym9lcmRlOmVpbiBsYW5nZXMgUGFzc3dvcnQ="},
	} {
		t.Run(c.name+" gets 401 with a JSON error", func(t *testing.T) {
			h := map[string]string{}
			if c.header != "" {
				h["Authorization"] = c.header
			}
			r := s.api(nil, "GET", "/api/v1/submissions", c.token, nil, h)
			if r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d", r.StatusCode)
			}
			if e := decode[map[string]string](t, r); e["error"] == "" {
				t.Errorf("body %s", r.Body)
			}
		})
	}
	t.Run("a bearer token wins over a session cookie: a wrong one is 401 even when logged in", func(t *testing.T) {
		if r := s.api(s.loggedIn("boerde"), "GET", "/api/v1/submissions", "gp_falsch", nil, nil); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d", r.StatusCode)
		}
	})
	for _, path := range []string{"/api/v1/submissions/" + strings.TrimPrefix(theirs, "/submissions/") + "/feedback", "/api/v1/submissions/999999/feedback", "/api/v1/submissions/x/feedback", "/api/v1/nothing"} {
		t.Run("Börde's token asking for "+path+" gets 404", func(t *testing.T) {
			r := s.api(nil, "GET", path, boerdeTok, nil, nil)
			if r.StatusCode != http.StatusNotFound || strings.HasPrefix(r.Body, "PK") {
				t.Errorf("status %d", r.StatusCode)
			}
		})
	}
	t.Run("Halle's feedback is there for Halle", func(t *testing.T) {
		r := s.api(nil, "GET", "/api/v1/submissions/"+strings.TrimPrefix(theirs, "/submissions/")+"/feedback", s.token("halle"), nil, nil)
		if r.StatusCode != http.StatusOK {
			t.Errorf("status %d", r.StatusCode)
		}
	})
	t.Run("a one-time password not yet replaced is 403, by token and by cookie", func(t *testing.T) {
		if r := s.api(nil, "GET", "/api/v1/status", oneTime, nil, nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("token: status %d", r.StatusCode)
		}
		var once string
		err := s.srv.Accounts(t.Context(), func(a *accounts.Service) (err error) {
			once, err = a.Reset(t.Context(), "neu", "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		b := s.browser()
		b.login("neu", once)
		if r := s.api(b, "GET", "/api/v1/status", "", nil, nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("cookie: status %d", r.StatusCode)
		}
	})
}

func TestTheAPIAndCrossOriginRequests(t *testing.T) {
	s := newSite(t, nil)
	tok := s.token("boerde")
	b := s.loggedIn("boerde")
	wb := s.workbook("15083", 3, nil)
	for _, c := range []struct {
		name   string
		header map[string]string
	}{
		{"from another origin", map[string]string{"Origin": "https://evil.example"}},
		{"a browser says is cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
	} {
		t.Run("an upload with the session cookie "+c.name+" gets 403", func(t *testing.T) {
			r := s.apiUpload(b, "", "Q3.xlsx", wb, c.header)
			if r.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d: %s", r.StatusCode, r.Body)
			}
			if e := decode[map[string]string](t, r); e["error"] == "" {
				t.Errorf("body %s", r.Body)
			}
		})
		t.Run("an upload with a bearer token "+c.name+" is taken: the token is no cookie a browser adds by itself", func(t *testing.T) {
			if r := s.apiUpload(nil, tok, "Q3.xlsx", wb, c.header); r.StatusCode != http.StatusCreated && r.StatusCode != http.StatusOK {
				t.Errorf("status %d: %s", r.StatusCode, r.Body)
			}
		})
	}
	t.Run("an upload with a bearer token and no Origin or Sec-Fetch-Site is taken", func(t *testing.T) {
		if r := s.apiUpload(nil, tok, "Q3 ohne.xlsx", s.workbook("15083", 2, nil), nil); r.StatusCode != http.StatusCreated {
			t.Errorf("status %d: %s", r.StatusCode, r.Body)
		}
	})
	// http.CrossOriginProtection lets a request without Origin and
	// Sec-Fetch-Site through: no browser sends one without them, so it is
	// not a cross-site form, and the session cookie is SameSite=Lax.
	t.Run("a cookie upload from the same origin is taken", func(t *testing.T) {
		r := s.apiUpload(b, "", "Q1.xlsx", s.workbook("15083", 1, nil), map[string]string{"Origin": s.http.URL, "Sec-Fetch-Site": "same-origin"})
		if r.StatusCode != http.StatusCreated {
			t.Errorf("status %d: %s", r.StatusCode, r.Body)
		}
	})
}

func TestEveryAPIAnswerIsJSONAndNotSniffed(t *testing.T) {
	s := newSite(t, func(c *web.Config) { c.MaxUpload = 1 << 20 })
	tok := s.token("boerde")
	for _, c := range []struct {
		name   string
		status int
		do     func() response
	}{
		{"the list", http.StatusOK, func() response { return s.api(nil, "GET", "/api/v1/submissions", tok, nil, nil) }},
		{"the status", http.StatusOK, func() response { return s.api(nil, "GET", "/api/v1/status", tok, nil, nil) }},
		{"a refusal for want of a token", http.StatusUnauthorized, func() response { return s.api(nil, "GET", "/api/v1/status", "", nil, nil) }},
		{"an unknown path", http.StatusNotFound, func() response { return s.api(nil, "GET", "/api/v1/x", tok, nil, nil) }},
		{"an upload over the limit", http.StatusRequestEntityTooLarge, func() response {
			return s.apiUpload(nil, tok, "gross.xlsx", bytes.Repeat([]byte("x"), 3<<20), nil)
		}},
		{"an upload that is no workbook", http.StatusUnsupportedMediaType, func() response {
			return s.apiUpload(nil, tok, "../../programme.toml", []byte("[x]\n"), nil)
		}},
		{"an upload without a file", http.StatusBadRequest, func() response {
			return s.api(nil, "POST", "/api/v1/submissions", tok, strings.NewReader("a=b"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		}},
	} {
		t.Run(fmt.Sprintf("%s is %d, application/json, nosniff", c.name, c.status), func(t *testing.T) {
			r := c.do()
			if r.StatusCode != c.status {
				t.Errorf("status %d: %s", r.StatusCode, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if !json.Valid([]byte(r.Body)) {
				t.Errorf("not JSON: %s", r.Body)
			}
		})
	}
	t.Run("the error of an upload over the limit names the limit, 1 MB", func(t *testing.T) {
		r := s.apiUpload(nil, tok, "gross.xlsx", bytes.Repeat([]byte("x"), 3<<20), nil)
		if e := decode[map[string]string](t, r); !strings.Contains(e["error"], "1 MB") {
			t.Errorf("error %q", e["error"])
		}
	})
}
