package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeDemoAnswersAndStopsOnSIGTERM starts serve --demo on an empty
// data directory, logs in with the district's printed one-time password,
// and stops it as SIGTERM does (the context process() cancels).
func TestServeDemoAnswersAndStopsOnSIGTERM(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := Main(ctx, []string{"serve", "--demo", "--data", filepath.Join(t.TempDir(), "data"), "--listen", "127.0.0.1:0", "--grace", "5s"},
			w, io.Discard, func(string) string { return "" })
		w.Close()
		done <- code
	}()
	sc := bufio.NewScanner(out)
	passwords := map[string]string{}
	base := ""
	for base == "" && sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) >= 3 && (f[0] == "boerde" || f[0] == "analyst" || f[0] == "admin") {
			passwords[f[0]] = f[len(f)-1]
		}
		if rest, ok := strings.CutPrefix(line, "grantpipe serve: "); ok {
			base = strings.TrimSuffix(rest, "/")
		}
	}
	go io.Copy(io.Discard, out)
	if base == "" || len(passwords) != 3 {
		t.Fatalf("serve printed no address or not three accounts: %q %v", base, passwords)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Run("the district logs in with its one-time password and is asked for its own", func(t *testing.T) {
		r, err := client.PostForm(base+"/login", url.Values{"login": {"boerde"}, "password": {passwords["boerde"]}})
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusSeeOther || len(r.Cookies()) == 0 {
			t.Fatalf("status %d, cookies %v", r.StatusCode, r.Cookies())
		}
		req, _ := http.NewRequest("GET", base+"/", nil)
		req.AddCookie(r.Cookies()[0])
		r, err = client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.Header.Get("Location") != "/password" {
			t.Errorf("status %d to %q", r.StatusCode, r.Header.Get("Location"))
		}
	})
	stop()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit code %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := http.Get(base + "/login"); err == nil {
		t.Error("still answering after the stop")
	}
}
