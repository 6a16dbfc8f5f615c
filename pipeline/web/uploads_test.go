package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/web"
	"grantpipe/queries"
)

// TestUploadsThatWaitTogetherAreCheckedTogether: while the Writer is busy
// (here: held by the test, as a scheduled job holds it), uploads of two
// districts queue; whoever gets the Writer next takes them all, and each
// file is stored once and answered with its own result, after one check
// (one upload run recorded, counting all three files) instead of three.
func TestUploadsThatWaitTogetherAreCheckedTogether(t *testing.T) {
	var writer *web.Writer
	s := newSite(t, func(c *web.Config) { writer = c.Writer })
	files := []struct {
		login, ags, name string
		quarter          int
	}{
		{"boerde", "15083", "boerde_q4.xlsx", 4},
		{"halle", "15002", "halle_q4.xlsx", 4},
		{"halle", "15002", "halle_q3_neu.xlsx", 3},
	}
	books := make([][]byte, len(files))
	browsers := make([]*browser, len(files))
	for i, f := range files {
		books[i] = s.workbook(f.ags, f.quarter, nil)
		browsers[i] = s.loggedIn(f.login)
	}
	runsBefore := uploadRuns(t, s)

	gate, held := make(chan struct{}), make(chan struct{})
	go writer.Do(context.Background(), func() error { close(held); <-gate; return nil })
	<-held
	pages := make([]string, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loc, page := browsers[i].uploaded(f.name, books[i])
			pages[i] = loc + " " + page.Body
		}()
	}
	waitQueued(t, s, func(n int) bool { return n == len(files) }, "all uploads queued")
	close(gate)
	wg.Wait()

	seen := map[string]bool{}
	for i, f := range files {
		if seen[pages[i]] {
			t.Errorf("%s answered with another upload's page", f.name)
		}
		seen[pages[i]] = true
		mustContain(t, f.name+"'s result", pages[i], f.name)
	}
	runs := uploadRuns(t, s)
	if got := len(runs) - len(runsBefore); got != 1 {
		t.Fatalf("%d upload runs recorded for %d waiting uploads, want 1", got, len(files))
	}
	if last := runs[0]; last.Counts.Files != len(files) || last.Outcome != "ok" {
		t.Errorf("the upload run: %d files, outcome %s; want %d, ok", last.Counts.Files, last.Outcome, len(files))
	}
}

// uploadRuns are the recorded runs of the upload job, the latest first.
func uploadRuns(t *testing.T, s *site) []store.JobRun {
	t.Helper()
	st, err := store.OpenReadOnly(context.Background(), datadir.New(s.root).Database(), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.JobRuns(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.JobRun
	for _, r := range all {
		if r.Job == "upload" {
			out = append(out, r)
		}
	}
	if len(all) == 1000 {
		t.Fatalf("more than %d job runs", len(all))
	}
	return out
}

// TestAnUploadWhoseClientLeftWhileWaitingLeavesNothing: a client that goes
// away while its upload waits for the Writer takes the upload back: no
// file is written, nothing is stored, no run is recorded.
func TestAnUploadWhoseClientLeftWhileWaitingLeavesNothing(t *testing.T) {
	var writer *web.Writer
	s := newSite(t, func(c *web.Config) { writer = c.Writer })
	b := s.loggedIn("boerde")
	book := s.workbook("15083", 4, nil)
	runsBefore := uploadRuns(t, s)

	gate, held := make(chan struct{}), make(chan struct{})
	go writer.Do(context.Background(), func() error { close(held); <-gate; return nil })
	<-held
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "verlassen.xlsx")
		fw.Write(book)
		mw.Close()
		req, _ := http.NewRequestWithContext(ctx, "POST", s.http.URL+"/upload", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		r, err := b.c.Do(req)
		if err == nil {
			r.Body.Close()
		}
		done <- err
	}()
	waitQueued(t, s, func(n int) bool { return n == 1 }, "the upload queued")
	cancel()
	<-done
	waitQueued(t, s, func(n int) bool { return n == 0 }, "the upload taken back after its client left")
	close(gate)
	// Another upload goes through: the Writer works on.
	s.loggedIn("halle").uploaded("halle_q4.xlsx", s.workbook("15002", 4, nil))
	runs := uploadRuns(t, s)
	if got := len(runs) - len(runsBefore); got != 1 || runs[0].Counts.Files != 1 {
		t.Errorf("%d upload runs after, the last with %d files; want 1 with halle's file only", got, runs[0].Counts.Files)
	}
	matches, _ := filepath.Glob(filepath.Join(s.root, "*", "*", "verlassen*"))
	deeper, _ := filepath.Glob(filepath.Join(s.root, "*", "*", "*", "verlassen*"))
	if len(matches)+len(deeper) > 0 {
		t.Errorf("the abandoned upload left %v %v", matches, deeper)
	}
}

// TestAPanicInABatchAnswersEveryUploadOfIt: when the work of a batch
// panics, every upload that waited in it is answered (an error), none
// waits forever, and the server takes the next upload.
func TestAPanicInABatchAnswersEveryUploadOfIt(t *testing.T) {
	var writer *web.Writer
	var panicking atomic.Bool
	s := newSite(t, func(c *web.Config) {
		writer = c.Writer
		p, cat := basics(t)
		pl, err := jobs.New(jobs.Config{Dir: c.Dir, Programme: p, Catalog: cat, Queries: queries.FS, Now: c.Now,
			Hook: func(point string, _ int) {
				if point == "commit" && panicking.Load() {
					panic("planted")
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		c.Pipeline = pl
	})
	who := []struct{ login, ags string }{{"boerde", "15083"}, {"halle", "15002"}}
	browsers, books := make([]*browser, len(who)), make([][]byte, len(who))
	for i, w := range who { // logging in writes too: before the Writer is held
		browsers[i], books[i] = s.loggedIn(w.login), s.workbook(w.ags, 4, nil)
	}
	again := s.loggedIn("halle")
	panicking.Store(true)
	gate, held := make(chan struct{}), make(chan struct{})
	go writer.Do(context.Background(), func() error { close(held); <-gate; return nil })
	<-held
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i, who := range who {
		b, book := browsers[i], books[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = b.upload(who.login+"_q4.xlsx", book).StatusCode
		}()
	}
	waitQueued(t, s, func(n int) bool { return n == 2 }, "both uploads queued")
	close(gate)
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusInternalServerError {
			t.Errorf("upload %d of the panicked batch: status %d, want 500", i, c)
		}
	}
	panicking.Store(false)
	again.uploaded("halle_q4_wieder.xlsx", s.workbook("15002", 4, nil))
}

// waitQueued waits until the number of uploads waiting for the Writer is
// as want says, for at most 30 s (a failure, not a measurement).
func waitQueued(t *testing.T, s *site, want func(int) bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !want(s.srv.QueuedUploads()); {
		if time.Now().After(deadline) {
			t.Fatalf("not %s: %d uploads waiting", what, s.srv.QueuedUploads())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTheSameFileTwiceInOneBatchIsStoredOnce: two uploads of the same
// bytes that wait together are stored once; the other is answered as the
// duplicate it is.
func TestTheSameFileTwiceInOneBatchIsStoredOnce(t *testing.T) {
	var writer *web.Writer
	s := newSite(t, func(c *web.Config) { writer = c.Writer })
	book := s.workbook("15083", 4, nil)
	browsers := []*browser{s.loggedIn("boerde"), s.loggedIn("boerde")}
	gate, held := make(chan struct{}), make(chan struct{})
	go writer.Do(context.Background(), func() error { close(held); <-gate; return nil })
	<-held
	answers := make([]response, len(browsers))
	var wg sync.WaitGroup
	for i, b := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = b.upload(fmt.Sprintf("boerde_q4_%d.xlsx", i), book)
		}()
	}
	waitQueued(t, s, func(n int) bool { return n == 2 }, "both uploads queued")
	close(gate)
	wg.Wait()
	stored, duplicate := 0, 0
	for _, a := range answers {
		switch {
		case a.StatusCode == http.StatusSeeOther && submissionURL.MatchString(a.Header.Get("Location")):
			stored++
		case a.StatusCode == http.StatusOK:
			duplicate++
		}
	}
	if stored != 1 || duplicate != 1 {
		t.Errorf("%d stored, %d answered as duplicates; want 1 and 1: %+v", stored, duplicate, answers)
	}
}
