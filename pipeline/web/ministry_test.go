package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"grantpipe/pipeline/web"
)

// uploadTo sends a file as a form with a file field does, to path.
func (b *browser) uploadTo(path, name string, data []byte) response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.s.http.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func TestOnlyTheMinistryReachesItsPagesAndOnlyAdminsAct(t *testing.T) {
	s := newSite(t, nil)
	boerde, analyst, admin := s.loggedIn("boerde"), s.loggedIn("analyst"), s.loggedIn("admin")
	for _, path := range []string{"/findings", "/runs", "/payouts", "/accounts", "/audit"} {
		t.Run("a district asking for "+path+" gets 404", func(t *testing.T) {
			if r := boerde.get(path); r.StatusCode != http.StatusNotFound {
				t.Errorf("status %d", r.StatusCode)
			}
		})
	}
	for path, want := range map[string]int{"/findings": 200, "/runs": 200, "/payouts": 403, "/accounts": 403, "/audit": 403} {
		t.Run("an analyst asking for "+path+" gets "+strconv.Itoa(want), func(t *testing.T) {
			if r := analyst.get(path); r.StatusCode != want {
				t.Errorf("status %d", r.StatusCode)
			}
		})
	}
	for _, post := range []struct{ path, form string }{{"/runs", "job=ingest"}, {"/accounts", "login=mallory&role=admin"}, {"/accounts/boerde/disable", ""}} {
		t.Run("an analyst posting to "+post.path+" gets 403, a district 404", func(t *testing.T) {
			form, _ := url.ParseQuery(post.form)
			if r := analyst.post(post.path, form); r.StatusCode != http.StatusForbidden {
				t.Errorf("analyst: status %d", r.StatusCode)
			}
			if r := boerde.post(post.path, form); r.StatusCode != http.StatusNotFound {
				t.Errorf("district: status %d", r.StatusCode)
			}
		})
	}
	t.Run("an admin sees every section in the navigation, a district two", func(t *testing.T) {
		mustContain(t, "the admin's page", admin.get("/").Body, `href="/findings"`, `href="/runs"`, `href="/payouts"`, `href="/accounts"`, `href="/audit"`)
		page := boerde.get("/").Body
		mustContain(t, "the district's page", page, `href="/reports"`)
		if strings.Contains(page, `href="/findings"`) || strings.Contains(page, `href="/accounts"`) {
			t.Error("a district is offered the ministry's pages")
		}
	})
}

var (
	ruleRow     = regexp.MustCompile(`<a href="/findings\?year=2026&amp;rule=([A-Z_]+)">[A-Z_]+</a></td><td><span class="sev (\w+)">[^<]*</span></td><td class="num">(\d+)</td>`)
	findingRows = regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`)
)

func TestTheMinistrySeesTheFindingsByRule(t *testing.T) {
	s := newSite(t, nil)
	b := s.loggedIn("analyst")
	page := b.get("/findings?year=2026")
	rows := ruleRow.FindAllStringSubmatch(page.Body, -1)
	if len(rows) == 0 {
		t.Fatalf("no rule counted:\n%s", page.Body)
	}
	mustContain(t, "the page", page.Body, "Befunde nach Regel 2026", "Stand der letzten Prüfung: 20.11.2026")
	// Each rule's count is the number of its findings listed (the demo has
	// fewer than the page's limit of any one rule and severity).
	counts := map[string]int{}
	for _, r := range rows {
		n, _ := strconv.Atoi(r[3])
		counts[r[1]] += n
	}
	for rule, n := range counts {
		t.Run(rule, func(t *testing.T) {
			detail := b.get("/findings?year=2026&rule=" + rule).Body
			tables := findingRows.FindAllStringSubmatch(detail, -1)
			if len(tables) != 2 {
				t.Fatalf("%d tables", len(tables))
			}
			if got := strings.Count(tables[1][1], "<tr>"); got != n {
				t.Errorf("%d findings listed, the count says %d", got, n)
			}
		})
	}
	t.Run("in English", func(t *testing.T) {
		mustContain(t, "the page", b.get("/findings?year=2026&lang=en").Body, "Findings by rule 2026")
	})
}

func TestReportsArePerPeriodAndADistrictGetsOnlyItsOwn(t *testing.T) {
	s := newSite(t, nil)
	analyst, boerde := s.loggedIn("analyst"), s.loggedIn("boerde")
	t.Run("the ministry sees the newest period with the state's report first", func(t *testing.T) {
		page := analyst.get("/reports").Body
		// The year so far is the newest period.
		mustContain(t, "the page", page, "<h2>Haushaltsjahr 2026</h2>", `href="/reports/file/2026/Sachsen-Anhalt_2026.pdf"`,
			`href="/reports/file/2026/15002_Halle-Saale_2026.xlsx"`, `href="/reports?set=2026-Q3"`)
		if strings.Index(page, "Sachsen-Anhalt_2026.pdf") > strings.Index(page, "15001_") {
			t.Error("the state's report is not first")
		}
		mustContain(t, "the third quarter", analyst.get("/reports?set=2026-Q3").Body, "<h2>3. Quartal 2026</h2>",
			`href="/reports/file/2026-Q3/15083_Boerde_2026-Q3.pdf"`)
	})
	t.Run("a report downloads as it is on disk", func(t *testing.T) {
		r := analyst.get("/reports/file/2026-Q3/Sachsen-Anhalt_2026-Q3.pdf")
		want, _ := os.ReadFile(filepath.Join(s.root, "reports", "2026-Q3", "Sachsen-Anhalt_2026-Q3.pdf"))
		if r.StatusCode != http.StatusOK || r.Body != string(want) || r.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("status %d, %d bytes (want %d), %s", r.StatusCode, len(r.Body), len(want), r.Header.Get("Content-Type"))
		}
	})
	t.Run("Börde sees its own reports of every period and nobody else's", func(t *testing.T) {
		page := boerde.get("/reports").Body
		for _, p := range []string{"2026-Q1", "2026-Q2", "2026-Q3", "2026"} {
			mustContain(t, "the page", page, `href="/reports/file/`+p+`/15083_Boerde_`+p+`.pdf"`)
		}
		for _, not := range []string{"Sachsen-Anhalt_", "15002_", "Halle"} {
			if strings.Contains(page, not) {
				t.Errorf("Börde's reports page shows %q", not)
			}
		}
	})
	for _, path := range []string{
		"/reports/file/2026-Q3/15002_Halle-Saale_2026-Q3.pdf", // another district's
		"/reports/file/2026-Q3/Sachsen-Anhalt_2026-Q3.pdf",    // the state's, with every district
		"/reports/file/../grantpipe.duckdb",
		"/reports/file/2026-Q3/..%2F..%2Fgrantpipe.duckdb",
		"/reports/file/feedback/15083/2026-Q1",
		"/reports/file//etc/passwd",
	} {
		t.Run("Börde asking for "+path+" gets nothing", func(t *testing.T) {
			// 404, or the mux's redirect to the cleaned path, which is
			// then not found either.
			r := boerde.get(path)
			if r.StatusCode == http.StatusTemporaryRedirect || r.StatusCode == http.StatusMovedPermanently {
				r = boerde.get(r.Header.Get("Location"))
			}
			if r.StatusCode != http.StatusNotFound {
				t.Errorf("status %d", r.StatusCode)
			}
		})
	}
	t.Run("Börde gets its own", func(t *testing.T) {
		r := boerde.get("/reports/file/2026-Q3/15083_Boerde_2026-Q3.xlsx")
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "PK") {
			t.Errorf("status %d", r.StatusCode)
		}
	})
	t.Run("a link in the reports folder is not served", func(t *testing.T) {
		if err := os.Symlink(filepath.Join(s.root, "grantpipe.duckdb"), filepath.Join(s.root, "reports", "2026-Q3", "15083_Boerde_link_2026-Q3.pdf")); err != nil {
			t.Fatal(err)
		}
		if r := boerde.get("/reports/file/2026-Q3/15083_Boerde_link_2026-Q3.pdf"); r.StatusCode != http.StatusNotFound {
			t.Errorf("status %d", r.StatusCode)
		}
	})
}

func TestAnAdminStartsAJobAndTheHistoryShowsIt(t *testing.T) {
	s := newSite(t, nil)
	admin, analyst := s.loggedIn("admin"), s.loggedIn("analyst")
	mustContain(t, "the history", analyst.get("/runs").Body, "Gesamtlauf", "von Hand", "erfolgreich")
	if strings.Contains(analyst.get("/runs").Body, `action="/runs"`) {
		t.Error("an analyst is offered to start a job")
	}
	before := strings.Count(admin.get("/runs").Body, "Quartalsberichte</td>")
	r := admin.post("/runs", url.Values{"job": {"quarterly"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/runs?started=quarterly" {
		t.Fatalf("status %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	page := admin.get("/runs?started=quarterly").Body
	mustContain(t, "the history", page, "Der Lauf „Quartalsberichte“ wurde gestartet.")
	if after := strings.Count(page, "Quartalsberichte</td>"); after != before+1 {
		t.Errorf("%d quarterly runs listed, %d before", after, before)
	}
	if r := admin.post("/runs", url.Values{"job": {"rm -rf"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown job: status %d", r.StatusCode)
	}
	mustContain(t, "the audit trail", admin.get("/audit").Body, "<td>admin</td><td><span class=\"action\">Lauf gestartet</span></td><td class=\"detail\">quarterly</td>")
}

func TestAnAdminImportsPayoutsThroughThePage(t *testing.T) {
	s := newSite(t, nil)
	admin := s.loggedIn("admin")
	list := []byte("Kreisschlüssel;Datum;Betrag;Kassenzeichen\n15083;15.10.2026;1.000,00;KZ-WEB-1\n15099;15.10.2026;100,00;KZ-WEB-2\n")
	r := admin.uploadTo("/payouts", "Auszahlungen Oktober.csv", list)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", r.StatusCode, r.Body)
	}
	mustContain(t, "the result", r.Body, "„Auszahlungen Oktober.csv“: 1 eingelesen, 0 bereits bekannt, 1 abgelehnt.", "KZ-WEB-2",
		"Der Kreisschlüssel „15099“ gehört zu keiner Gebietskörperschaft des Programms.",
		`<td class="nowrap">15.10.2026</td><td class="num nowrap">1.000,00 €</td>`)
	mustContain(t, "the result in English", s.loggedIn("admin").uploadTo("/payouts?lang=en", "Auszahlungen Oktober.csv", list).Body,
		"The district code “15099” is not one of the programme&#39;s districts.", "0 imported, 1 already known, 1 refused.")
	kept, _ := filepath.Glob(filepath.Join(s.root, "payouts", "*Auszahlungen Oktober.csv"))
	if len(kept) != 1 {
		t.Fatalf("kept %v", kept)
	}
	if b, _ := os.ReadFile(kept[0]); !bytes.Equal(b, list) {
		t.Error("the list kept is not the list received")
	}
	conflict := []byte("Kreisschlüssel;Datum;Betrag;Kassenzeichen\n15083;16.10.2026;2.000,00;KZ-WEB-1\n")
	mustContain(t, "a reference again with other figures", admin.uploadTo("/payouts", "Korrektur.csv", conflict).Body,
		"Die Referenz KZ-WEB-1 wurde bereits mit anderen Angaben eingelesen (15083, 2026-10-15, 1000.00 €)")
	if r := admin.uploadTo("/payouts", "liste.exe", list); r.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("a .exe: status %d", r.StatusCode)
	}
	t.Run("a list that is none gets a message, not an error page", func(t *testing.T) {
		for name, data := range map[string][]byte{"kaputt.xlsx": []byte("PK\x03\x04 not a zip"), "ohne Kopf.csv": []byte("a;b;c\n1;2;3\n")} {
			r := admin.uploadTo("/payouts", name, data)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d", name, r.StatusCode)
			}
			mustContain(t, name, r.Body, "„"+name+"“ ist keine lesbare Auszahlungsliste", "Nichts wurde eingelesen.")
		}
	})
	mustContain(t, "the audit trail", admin.get("/audit").Body, "Auszahlungen Oktober.csv: 1 imported, 0 already known, 1 refused",
		"Auszahlungen Oktober.csv: 0 imported, 1 already known, 1 refused")
}

var secretShown = regexp.MustCompile(`<code>([^<]+)</code>`)

func TestAnAdminManagesAccounts(t *testing.T) {
	s := newSite(t, nil)
	admin, boerde := s.loggedIn("admin"), s.loggedIn("boerde")
	var once string
	t.Run("a new district account gets a one-time password shown once", func(t *testing.T) {
		r := admin.post("/accounts", url.Values{"login": {"salzland"}, "role": {"district"}, "district": {"15089"}})
		m := secretShown.FindStringSubmatch(r.Body)
		if r.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("status %d, no password shown", r.StatusCode)
		}
		once = m[1]
		mustContain(t, "the list", r.Body, "Das Konto „salzland“ wurde angelegt.", "Salzlandkreis")
		if secretShown.MatchString(admin.get("/accounts").Body) {
			t.Error("the password is shown again")
		}
		b := s.browser()
		if r := b.login("salzland", once); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("log-in with the one-time password: %d", r.StatusCode)
		}
		if r := b.get("/"); r.Header.Get("Location") != "/password" {
			t.Errorf("the one-time password need not be replaced: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
	})
	t.Run("a taken login or a district account without district is refused", func(t *testing.T) {
		r := admin.post("/accounts", url.Values{"login": {"Boerde"}, "role": {"analyst"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "Diese Anmeldung ist bereits vergeben.") {
			t.Errorf("status %d", r.StatusCode)
		}
		if r := admin.post("/accounts", url.Values{"login": {"jerichow"}, "role": {"district"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("no district: status %d", r.StatusCode)
		}
	})
	t.Run("a token made on the page works for the API", func(t *testing.T) {
		m := secretShown.FindStringSubmatch(admin.post("/accounts/boerde/token", nil).Body)
		if m == nil {
			t.Fatal("no token shown")
		}
		req, _ := http.NewRequest("GET", s.http.URL+"/api/v1/status", nil)
		req.Header.Set("Authorization", "Bearer "+m[1])
		if r := s.browser().do(req); r.StatusCode != http.StatusOK {
			t.Errorf("status %d", r.StatusCode)
		}
	})
	t.Run("disabling ends the account's open session at once", func(t *testing.T) {
		if r := boerde.get("/"); r.StatusCode != http.StatusOK {
			t.Fatalf("before: %d", r.StatusCode)
		}
		r := admin.post("/accounts/boerde/disable", nil)
		mustContain(t, "the answer", r.Body, "Das Konto „boerde“ wurde gesperrt")
		if r := boerde.get("/"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
			t.Errorf("the open session still works: %d", r.StatusCode)
		}
		if r := s.browser().login("boerde", password); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("log-in after disabling: %d", r.StatusCode)
		}
	})
	t.Run("enabling gives a new one-time password, not the old one back", func(t *testing.T) {
		m := secretShown.FindStringSubmatch(admin.post("/accounts/boerde/enable", nil).Body)
		if m == nil {
			t.Fatal("no password shown")
		}
		if r := s.browser().login("boerde", password); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("the old password: %d", r.StatusCode)
		}
		if r := s.browser().login("boerde", m[1]); r.StatusCode != http.StatusSeeOther {
			t.Errorf("the new one: %d", r.StatusCode)
		}
	})
	t.Run("an admin cannot disable themselves, nor an account that is not there", func(t *testing.T) {
		if r := admin.post("/accounts/admin/disable", nil); r.StatusCode != http.StatusBadRequest {
			t.Errorf("self: status %d", r.StatusCode)
		}
		if r := admin.post("/accounts/nobody/reset", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("nobody: status %d", r.StatusCode)
		}
		if r := admin.post("/accounts/boerde/promote", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("no such action: status %d", r.StatusCode)
		}
	})
	t.Run("the audit trail has who did what from where", func(t *testing.T) {
		page := admin.get("/audit").Body
		mustContain(t, "the trail", page, "added salzland (district 15089)", "disable boerde", "enable boerde", "token boerde", "<td class=\"nowrap muted\">127.0.0.1</td>")
		// A failed log-in is in it too.
		s.browser().login("boerde", "falsch")
		mustContain(t, "the trail", admin.get("/audit").Body, "<td>boerde</td><td><span class=\"action\">Anmeldung</span></td><td class=\"detail\">failed: unknown login or wrong password</td>")
	})
}

func TestTheYearSelectorOffersEveryBudgetYear(t *testing.T) {
	s := newSite(t, func(c *web.Config) {
		p := *c.Programme
		next := *p.Years[len(p.Years)-1]
		next.Year++
		p.Years = append(slices.Clone(p.Years), &next)
		c.Programme = &p
	})
	b := s.loggedIn("analyst")
	for _, path := range []string{"/?year=2026", "/findings?year=2026"} {
		action, _, _ := strings.Cut(path, "?")
		mustContain(t, path, b.get(path).Body, `<form method="get" action="`+action+`" class="row">`,
			`<option value="2026" selected>2026</option><option value="2027">2027</option>`)
	}
}
