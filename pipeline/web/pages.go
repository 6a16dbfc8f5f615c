package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/feedback"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/store"
)

// States of a file sent, as its sender's page shows them.
const (
	StateAccepted = "accepted"
	StateLate     = "late"     // accepted, received after the quarter's deadline
	StateReplaced = "replaced" // accepted, since replaced by a later file
	StateRejected = "rejected"
)

// fileRow is one file sent.
type fileRow struct {
	store.SentFile
	State string
	Name  string // of the sending district
}

// quarterRow is one quarter of a district's year: its deadline, the blank
// form, and the files sent for it.
type quarterRow struct {
	Year, Quarter int
	Deadline      time.Time
	Files         []fileRow
	Errors        int // in the latest check of the file that counts
}

// districtPage is a district's own page.
type districtPage struct {
	Quarters []quarterRow
	Other    []fileRow // files without a readable period
	Next     *quarterRow
	MaxMB    int64
}

// ministryPage is the ministry's overview of a year.
type ministryPage struct {
	Year      int
	Years     []int
	Districts []matrixRow
	Files     []fileRow
}

// matrixRow is one district's line of the status matrix.
type matrixRow struct {
	AGS, Name string
	Cells     []matrixCell
}

type matrixCell struct {
	State  string
	Errors int
}

// state is what a file sent is now.
func (s *Server) state(f store.SentFile) string {
	switch {
	case !f.Accepted:
		return StateRejected
	case f.Replaced:
		return StateReplaced
	}
	if y, ok := s.cfg.Programme.Year(f.Year); ok && f.Quarter >= 1 && f.Quarter <= 4 {
		day := time.Date(f.Received.Year(), f.Received.Month(), f.Received.Day(), 0, 0, 0, 0, time.UTC)
		if day.After(y.QuarterDeadlines[f.Quarter-1].Time()) {
			return StateLate
		}
	}
	return StateAccepted
}

func (s *Server) rows(files []store.SentFile) []fileRow {
	out := make([]fileRow, len(files))
	for i, f := range files {
		out[i] = fileRow{SentFile: f, State: s.state(f)}
		if d := s.district(f.Sender); d != nil {
			out[i].Name = d.Name
		}
	}
	return out
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, u accounts.User) {
	if u.Role == accounts.RoleDistrict {
		s.districtHome(w, r, u)
		return
	}
	s.ministryHome(w, r)
}

// today is the current day in the programme's time zone, as a date.
func (s *Server) today() time.Time { return s.cfg.Pipeline.Today() }

func (s *Server) districtHome(w http.ResponseWriter, r *http.Request, u accounts.User) {
	page, err := s.districtPageOf(r.Context(), u)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "district", page)
}

// districtPageOf gathers a district user's quarters, files and next
// deadline: its page, and its status in the API.
func (s *Server) districtPageOf(ctx context.Context, u accounts.User) (districtPage, error) {
	var files []store.SentFile
	errs := map[[2]int]int{}
	err := s.withStore(ctx, func(st *store.Store) (err error) {
		if files, err = st.SentBy(ctx, u.District); err != nil {
			return err
		}
		for _, y := range s.cfg.Programme.Years {
			states, err := st.SubmissionMatrix(ctx, y.Year)
			if err != nil {
				return err
			}
			for _, q := range states {
				if q.District == u.District {
					errs[[2]int{y.Year, q.Quarter}] = q.Errors
				}
			}
		}
		return nil
	})
	if err != nil {
		return districtPage{}, err
	}
	page := districtPage{MaxMB: s.cfg.MaxUpload >> 20}
	byPeriod := map[[2]int][]fileRow{}
	for _, f := range s.rows(files) {
		if _, ok := s.cfg.Programme.Year(f.Year); !ok || f.Quarter < 1 || f.Quarter > 4 {
			page.Other = append(page.Other, f)
			continue
		}
		k := [2]int{f.Year, f.Quarter}
		byPeriod[k] = append(byPeriod[k], f)
	}
	today := s.today()
	years := s.cfg.Programme.Years
	for i := len(years) - 1; i >= 0; i-- {
		y := years[i]
		if _, ok := y.District(u.District); !ok {
			continue
		}
		for q := 4; q >= 1; q-- {
			page.Quarters = append(page.Quarters, quarterRow{Year: y.Year, Quarter: q,
				Deadline: y.QuarterDeadlines[q-1].Time(), Files: byPeriod[[2]int{y.Year, q}], Errors: errs[[2]int{y.Year, q}]})
		}
	}
	// The next deadline is the earliest one not past.
	for i := len(page.Quarters) - 1; i >= 0; i-- {
		if q := &page.Quarters[i]; !q.Deadline.Before(today) {
			page.Next = q
			break
		}
	}
	return page, nil
}

func (s *Server) ministryHome(w http.ResponseWriter, r *http.Request) {
	year := s.year(r)
	var st *jobs.Status
	var files []store.SentFile
	err := s.withStore(r.Context(), func(db *store.Store) (err error) {
		if st, err = s.cfg.Pipeline.StatusOf(r.Context(), db, year, ""); err != nil {
			return err
		}
		files, err = db.SentBy(r.Context(), "")
		return err
	})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	page := ministryPage{Year: st.Year, Years: s.years()}
	at := map[string]int{}
	for _, c := range st.Matrix {
		k, ok := at[c.District]
		if !ok {
			k, at[c.District] = len(page.Districts), len(page.Districts)
			page.Districts = append(page.Districts, matrixRow{AGS: c.District, Name: c.Name, Cells: make([]matrixCell, 4)})
		}
		if c.Quarter >= 1 && c.Quarter <= 4 {
			page.Districts[k].Cells[c.Quarter-1] = matrixCell{State: c.State, Errors: c.Errors}
		}
	}
	for _, f := range s.rows(files) {
		if f.Year == page.Year || f.Year == 0 {
			page.Files = append(page.Files, f)
		}
	}
	s.render(w, r, http.StatusOK, "ministry", page)
}

// form sends the blank form of a quarter, filled in with the user's
// district (the ministry names one with ?district=).
func (s *Server) form(w http.ResponseWriter, r *http.Request, u accounts.User) {
	name, data, status, err := s.blankForm(w, r, u)
	switch {
	case err != nil:
		s.failed(w, r, err)
	case status != http.StatusOK:
		s.fail(w, r, status)
	default:
		s.audit(r, u, "download", "blank form "+name)
		send(w, name, data)
	}
}

// blankForm makes the blank form of the request's ?year= and ?quarter=
// for the user's district (the ministry's ?district=): its file name and
// bytes, or 404 when there is no such quarter or district.
func (s *Server) blankForm(w http.ResponseWriter, r *http.Request, u accounts.User) (string, []byte, int, error) {
	q := r.URL.Query()
	year, _ := strconv.Atoi(q.Get("year"))
	quarter, _ := strconv.Atoi(q.Get("quarter"))
	ags := u.District
	if u.Role != accounts.RoleDistrict {
		ags = q.Get("district")
	}
	y, ok := s.cfg.Programme.Year(year)
	if !ok || quarter < 1 || quarter > 4 {
		return "", nil, http.StatusNotFound, nil
	}
	d, ok := y.District(ags)
	if !ok {
		return "", nil, http.StatusNotFound, nil
	}
	l := s.lang(w, r)
	f, err := form.Blank(y, s.cfg.Catalog, l.Code, form.Prefill{District: d, Year: year, Quarter: quarter})
	if err != nil {
		return "", nil, 0, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return "", nil, 0, err
	}
	name := fmt.Sprintf("Quartalsmeldung_%d-Q%d_%s_%s.xlsx", year, quarter, d.AGS, datadir.FileSafe(d.Name))
	return name, buf.Bytes(), http.StatusOK, nil
}

// contentTypes are the types of the files the server sends, by extension.
var contentTypes = map[string]string{
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".pdf":  "application/pdf",
	".json": "application/json",
}

// send answers with a file to save: a workbook, a report, a statement's
// basis.
func send(w http.ResponseWriter, name string, data []byte) {
	ct, ok := contentTypes[strings.ToLower(filepath.Ext(name))]
	if !ok {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", asciiName(name)))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// asciiName is name with what a header must not carry replaced.
func asciiName(name string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, datadir.FileSafe(name))
}

// audit records what a user did; a trail that cannot be written is
// logged, the user's work is done.
func (s *Server) audit(r *http.Request, u accounts.User, action, detail string) {
	// The trail is written even when the browser has gone meanwhile.
	ctx := context.WithoutCancel(r.Context())
	err := s.withStore(ctx, func(*store.Store) error {
		return s.accounts.Audit(ctx, u.Login, action, detail, remote(r))
	})
	if err != nil {
		s.cfg.Log.Warn("audit", "action", action, "err", err)
	}
}

// Uploadable are the extensions of the workbooks an upload may carry.
var Uploadable = []string{".xlsx", ".xlsm", ".ods"}

// uploadPage answers an upload that was not taken.
type uploadPage struct {
	Error string // message key
	File  string
	MaxMB int64
	ID    int64 // the submission with the same bytes, for a duplicate of one's own
}

// upload takes a district's workbook through receive and sends the
// browser to the file's result.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, u accounts.User) {
	if u.Role != accounts.RoleDistrict {
		s.fail(w, r, http.StatusForbidden)
		return
	}
	fr, name, no, err := s.receive(w, r, u)
	switch {
	case err != nil:
		s.failed(w, r, err)
		return
	case no != nil:
		s.render(w, r, no.Status, "upload", uploadPage{Error: no.Key, File: no.File, MaxMB: s.cfg.MaxUpload >> 20})
		return
	}
	if fr.Outcome == ingest.Duplicate {
		page := uploadPage{Error: "web.upload.duplicate", File: name}
		if s.owns(r.Context(), u, fr.SubmissionID) {
			page.ID = fr.SubmissionID
		}
		s.render(w, r, http.StatusOK, "upload", page)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/submissions/%d", fr.SubmissionID), http.StatusSeeOther)
}

// refusal is an upload not taken: the answer's status, the message key
// that says why, and the file's name when it was read.
type refusal struct {
	Status int
	Key    string
	File   string
}

// receive is the one upload path, of the page and of the API: the
// workbook in the request's field "file" waits for the Writer (submit);
// then it is written into u's inbox folder under a safe name of its own,
// ingested (that file only), checked, and its feedback written, through
// the same pipeline as the scheduled jobs, together with the uploads that
// waited with it. It returns the file's ingest result and the name
// it was stored under, or why it was not taken (too large, no file, no
// workbook), or an error when the work failed. u must be a district user.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, u accounts.User) (*ingest.FileResult, string, *refusal, error) {
	name, data, no := s.uploaded(w, r, Uploadable)
	if no != nil {
		return nil, name, no, nil
	}
	p := &pendingUpload{user: u, name: name, data: data, remote: remote(r)}
	if err := s.submit(r.Context(), p); err != nil {
		return nil, name, nil, err
	}
	return p.fr, name, nil, nil
}

// freeName is a path for name in dir (an inbox folder, the payouts
// folder) that no file has yet.
func freeName(dir, name string) string {
	p := filepath.Join(dir, name)
	ext := filepath.Ext(name)
	for n := 2; ; n++ {
		// Any other error than "not there" is the write's to report.
		if _, err := os.Lstat(p); err != nil {
			return p
		}
		p = filepath.Join(dir, datadir.StoredName("", strings.TrimSuffix(name, ext)+fmt.Sprintf(" (%d)", n)+ext, ""))
	}
}

// owns says whether u may see submission id: the ministry every one, a
// district those it sent.
func (s *Server) owns(ctx context.Context, u accounts.User, id int64) bool {
	_, ok, _ := s.sent(ctx, u, id)
	return ok
}

// sent finds submission id among those u may see.
func (s *Server) sent(ctx context.Context, u accounts.User, id int64) (f store.SentFile, ok bool, err error) {
	err = s.withStore(ctx, func(st *store.Store) error {
		f, ok, err = s.sentOn(ctx, st, u, id)
		return err
	})
	return f, ok, err
}

func (s *Server) sentOn(ctx context.Context, st *store.Store, u accounts.User, id int64) (store.SentFile, bool, error) {
	scope := ""
	if u.Role == accounts.RoleDistrict {
		scope = u.District
		if scope == "" {
			return store.SentFile{}, false, nil
		}
	}
	files, err := st.SentBy(ctx, scope)
	if err != nil {
		return store.SentFile{}, false, err
	}
	for _, f := range files {
		if f.ID == id {
			return f, true, nil
		}
	}
	return store.SentFile{}, false, nil
}

// shownFinding is one finding of a file.
type shownFinding struct {
	Rule, Severity, Sheet, Cell, Message string
}

// submissionPage is the result of one file.
type submissionPage struct {
	File     fileRow
	Name     string // of the district it belongs to
	Period   string
	District []shownFinding // for the district to fix in its workbook
	Ministry []shownFinding // the ministry's notes, for information
	Errors   int
	Feedback bool // a feedback workbook is there to download
}

// submission shows what was found in one file: the district's findings at
// their cells, the ministry's apart.
func (s *Server) submission(w http.ResponseWriter, r *http.Request, u accounts.User) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, http.StatusNotFound)
		return
	}
	l := s.lang(w, r)
	var page submissionPage
	found := false
	err := s.withStore(r.Context(), func(st *store.Store) error {
		f, ok, err := s.sentOn(r.Context(), st, u, id)
		if err != nil || !ok {
			return err
		}
		found = true
		page.File = fileRow{SentFile: f, State: s.state(f)}
		sent, err := st.SentFiles(r.Context())
		if err != nil {
			return err
		}
		for _, x := range sent {
			if x.ID != id {
				continue
			}
			fs, err := st.FindingsForDistrict(r.Context(), id, x.FindingsRun)
			if err != nil {
				return err
			}
			seen := map[shownFinding]bool{}
			for _, fd := range fs {
				sf := shownFinding{Rule: fd.Rule, Severity: string(fd.Severity), Sheet: fd.Sheet, Cell: fd.Cell, Message: fd.Message[l.Code]}
				if sf.Message == "" {
					sf.Message = fd.Message["de"]
				}
				// The same finding twice (the reading and the check both
				// saw it) tells the district nothing more.
				if seen[sf] {
					continue
				}
				seen[sf] = true
				if feedback.AudienceOf(fd.Rule) == feedback.Ministry {
					page.Ministry = append(page.Ministry, sf)
					continue
				}
				if sf.Severity == "error" {
					page.Errors++
				}
				page.District = append(page.District, sf)
			}
		}
		_, page.Feedback = feedbackPath(s.cfg.Dir, sent, id)
		return nil
	})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	if !found {
		s.fail(w, r, http.StatusNotFound)
		return
	}
	if d := s.district(page.File.Sender); d != nil {
		page.Name = d.Name
	}
	s.render(w, r, http.StatusOK, "submission", page)
}

// feedbackPath is where submission id's feedback workbook is, and whether
// it is there.
func feedbackPath(d datadir.Dir, sent []store.Sent, id int64) (string, bool) {
	paths := feedback.Paths(d, sent)
	for _, x := range sent {
		if x.ID != id {
			continue
		}
		p := paths[x.StoredPath]
		for _, c := range []string{feedback.ODSPath(p), p} {
			if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
				return c, true
			}
		}
	}
	return "", false
}

// feedback sends a submission's feedback workbook.
func (s *Server) feedback(w http.ResponseWriter, r *http.Request, u accounts.User) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, http.StatusNotFound)
		return
	}
	path, _, err := s.feedbackOf(r.Context(), u, id)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	if path == "" {
		s.fail(w, r, http.StatusNotFound)
		return
	}
	s.sendFeedback(w, r, u, id, path)
}

// feedbackOf is where the feedback workbook of submission id is ("" when
// there is none), and whether u may see the submission at all.
func (s *Server) feedbackOf(ctx context.Context, u accounts.User, id int64) (path string, found bool, err error) {
	err = s.withStore(ctx, func(st *store.Store) error {
		_, ok, err := s.sentOn(ctx, st, u, id)
		if err != nil || !ok {
			return err
		}
		found = true
		sent, err := st.SentFiles(ctx)
		if err != nil {
			return err
		}
		path, _ = feedbackPath(s.cfg.Dir, sent, id)
		return nil
	})
	return path, found, err
}

// sendFeedback sends the feedback workbook at path, audited as u's
// download.
func (s *Server) sendFeedback(w http.ResponseWriter, r *http.Request, u accounts.User, id int64, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	s.audit(r, u, "download", fmt.Sprintf("feedback of submission %d", id))
	send(w, filepath.Base(path), data)
}
