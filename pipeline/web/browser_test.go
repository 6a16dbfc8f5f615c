package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"grantpipe/pipeline/form"
)

// chromium starts Debian's headless Chromium (never a downloaded one) with a
// fresh profile and returns a browser context at 1366×768, a German
// clerk's screen. The test is skipped when no chromium is on PATH; .ci/run
// installs it.
func chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium on PATH (Debian package chromium; .ci/run installs it): the browser test is skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
		chromedp.Flag("lang", "de-DE"),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // CI runs as root
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// shots is where the test keeps its screenshots: GRANTPIPE_SCREENSHOTS if
// set (to look at them), else a temporary folder.
func shots(t *testing.T) string {
	if dir := os.Getenv("GRANTPIPE_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// screenshot saves the whole page as name.png.
func screenshot(dir, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, t) // 100: PNG, not JPEG
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	})
}

// download clicks the link sel and waits for the file the browser saves
// into dir; it returns the file's path.
func download(ctx context.Context, t *testing.T, dir string, sel chromedp.CSS) string {
	t.Helper()
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.Events(wait, cdpbrowser.DownloadProgress)
	if err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
			})
			return err
		}),
		chromedp.Click(sel, chromedp.NodeVisible),
	); err != nil {
		t.Fatalf("download %s: %v", sel, err)
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download %s: %v (waited up to 30 s)", sel, err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			return filepath.Join(dir, ev.GUID)
		}
	}
	t.Fatalf("download %s: the browser's events ended", sel)
	return ""
}

// TestADistrictAndTheMinistryInARealBrowser is issue 14's walk through the
// pages in headless Chromium: log in as a district, download the form,
// upload a file with a planted error and see it at its cell, download the
// feedback, upload the fixed file and see it accepted; log in as the
// ministry and see the matrix change. Every page is photographed (at
// 1366×768, the district's page also 390 px wide, a phone).
func TestADistrictAndTheMinistryInARealBrowser(t *testing.T) {
	ctx := chromium(t)
	s := newSite(t, nil)
	// Early January: the fourth quarter is due.
	s.clock.add(46 * 24 * time.Hour)
	pics, downloads := shots(t), t.TempDir()
	base := s.http.URL
	html := func(what string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	login := func(who string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.ID("login")),
			chromedp.SendKeys(chromedp.ID("login"), who),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.CSS("form[action='/logout'] button")),
		)
	}
	logout := chromedp.Steps(chromedp.Click(chromedp.CSS("form[action='/logout'] button")), chromedp.WaitVisible(chromedp.ID("login")))
	accepted := func() int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.cell.accepted').length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	upload := func(path string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("file")),
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}),
			chromedp.Click(chromedp.CSS("form[action='/upload'] button")),
			chromedp.WaitVisible(chromedp.CSS("dl.facts")),
		)
	}

	do("the log-in page", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("login")), screenshot(pics, "01-login"))
	mustContain(t, "the log-in page", html("log-in page"), "Anmelden")
	do("the ministry's log-in", login("analyst"), screenshot(pics, "02-ministry-before"))
	before := accepted()
	do("log-out", logout)

	do("Börde's log-in", login("boerde"), screenshot(pics, "03-district"))
	home := html("Börde's page")
	mustContain(t, "Börde's page", home, "Quartalsmeldungen Börde", "Formular herunterladen")
	if strings.Contains(home, "Dessau") {
		t.Error("Börde's page shows another district")
	}

	formFile := download(ctx, t, downloads, chromedp.CSS(`a[href="/form?year=2026&quarter=4"]`))
	if b, err := os.ReadFile(formFile); err != nil || !strings.HasPrefix(string(b), "PK") {
		t.Fatalf("the downloaded form: %v, %d bytes", err, len(b))
	}

	// A quarter with an ambiguous amount (1.234: thousand or decimal?).
	bad := filepath.Join(t.TempDir(), "Boerde_Q4.xlsx")
	if err := os.WriteFile(bad, s.workbook("15083", 4, func(d *form.Data) { d.Receipts[2][form.FAmount] = "1.234" }), 0o644); err != nil {
		t.Fatal(err)
	}
	do("the upload with an error", upload(bad), chromedp.WaitVisible(chromedp.CSS("table.findings")), screenshot(pics, "04-result-error"))
	result := html("the result page")
	mustContain(t, "the result page", result, "Boerde_Q4.xlsx", "mehrdeutig", "Belegliste")

	fb := download(ctx, t, downloads, chromedp.CSS(`a.button[href$="/feedback"]`))
	if b, err := os.ReadFile(fb); err != nil || !strings.HasPrefix(string(b), "PK") {
		t.Fatalf("the downloaded feedback: %v, %d bytes", err, len(b))
	}

	good := filepath.Join(t.TempDir(), "Boerde_Q4_korrigiert.xlsx")
	if err := os.WriteFile(good, s.workbook("15083", 4, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	do("the upload of the fixed file", upload(good), screenshot(pics, "05-result-accepted"))
	fixed := html("the fixed file's page")
	mustContain(t, "the fixed file's page", fixed, "Boerde_Q4_korrigiert.xlsx", "angenommen")
	if strings.Contains(fixed, "mehrdeutig") {
		t.Error("the fixed file still shows the ambiguous amount")
	}

	do("Börde's reports", chromedp.Navigate(base+"/reports"), chromedp.WaitVisible(chromedp.CSS("table.list")), screenshot(pics, "06-district-reports"))
	if page := html("Börde's reports"); strings.Contains(page, "Sachsen-Anhalt_") || strings.Contains(page, "15002_") {
		t.Error("Börde's reports page shows another's report")
	}
	pdf := download(ctx, t, downloads, chromedp.CSS(`a[href="/reports/file/2026-Q3/15083_Boerde_2026-Q3.pdf"]`))
	if b, err := os.ReadFile(pdf); err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Fatalf("the downloaded report: %v, %d bytes", err, len(b))
	}

	do("Börde's page on a phone", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("file")),
		chromedp.EmulateViewport(390, 844), screenshot(pics, "06-district-phone"), chromedp.EmulateViewport(1366, 768))
	do("the ministry again", logout, login("analyst"), screenshot(pics, "07-ministry-after"))
	if after := accepted(); after != before+1 {
		t.Errorf("the ministry's matrix: %d accepted quarters before Börde's fourth, %d after", before, after)
	}

	// The ministry's other pages, each looked at.
	do("findings by rule", chromedp.Click(chromedp.CSS(`nav.sections a[href="/findings"]`)), chromedp.WaitVisible(chromedp.CSS("table.list")),
		screenshot(pics, "08-findings"))
	do("one rule's findings", chromedp.Click(chromedp.CSS(`table.list a[href*="rule="]`)), chromedp.WaitVisible(chromedp.ID("rule")),
		screenshot(pics, "09-findings-rule"))
	do("the reports", chromedp.Click(chromedp.CSS(`nav.sections a[href="/reports"]`)), chromedp.WaitVisible(chromedp.CSS("table.list")),
		screenshot(pics, "10-reports"))
	mustContain(t, "the reports", html("the reports"), "Sachsen-Anhalt_2026.pdf", "Landesbericht")
	do("the runs", chromedp.Click(chromedp.CSS(`nav.sections a[href="/runs"]`)), chromedp.WaitVisible(chromedp.CSS("table.list")),
		screenshot(pics, "11-runs"))
	do("the matrix on a phone", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("table.matrix")),
		chromedp.EmulateViewport(390, 844), screenshot(pics, "12-ministry-phone"), chromedp.EmulateViewport(1366, 768))

	do("the admin", logout, login("admin"))
	do("run now", chromedp.Navigate(base+"/runs"), chromedp.WaitVisible(chromedp.ID("job")),
		chromedp.SetValue(chromedp.ID("job"), "quarterly"), chromedp.Click(chromedp.CSS(`form[action="/runs"] button`)),
		chromedp.WaitVisible(chromedp.CSS("p.alert.ok")), screenshot(pics, "13-runs-started"))
	mustContain(t, "the runs after run now", html("the runs"), "Der Lauf „Quartalsberichte“ wurde gestartet.")
	do("a new account", chromedp.Navigate(base+"/accounts"), chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "salzland"), chromedp.SetValue(chromedp.ID("district"), "15089"),
		chromedp.Click(chromedp.CSS(`form[action="/accounts"] button`)), chromedp.WaitVisible(chromedp.CSS("p.secret")),
		screenshot(pics, "14-accounts"))
	mustContain(t, "the accounts", html("the accounts"), "Das Konto „salzland“ wurde angelegt.", "Salzlandkreis")
	payouts := filepath.Join(t.TempDir(), "Auszahlungen.csv")
	if err := os.WriteFile(payouts, []byte("Kreisschlüssel;Datum;Betrag;Kassenzeichen\n15083;15.10.2026;1.000,00;KZ-B-1\n15099;15.10.2026;5,00;KZ-B-2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	do("a payout list", chromedp.Navigate(base+"/payouts"), chromedp.WaitVisible(chromedp.ID("file")),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{payouts}), chromedp.Click(chromedp.CSS(`form[action="/payouts"] button`)),
		chromedp.WaitVisible(chromedp.CSS("p.alert")), screenshot(pics, "15-payouts"))
	mustContain(t, "the payouts", html("the payouts"), "1 eingelesen, 0 bereits bekannt, 1 abgelehnt")
	do("the audit trail", chromedp.Navigate(base+"/audit"), chromedp.WaitVisible(chromedp.CSS("table.list")), screenshot(pics, "16-audit"))
	mustContain(t, "the audit trail", html("the audit trail"), "added salzland", "Auszahlungen.csv", "quarterly")
	do("the accounts in English", chromedp.Navigate(base+"/accounts?lang=en"), chromedp.WaitVisible(chromedp.ID("login")),
		screenshot(pics, "17-accounts-en"))
}
