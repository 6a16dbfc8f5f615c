package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/store"
)

// The JSON API under /api/v1/ is for automation: the same session cookie
// as the pages, or "Authorization: Bearer gp_…" with a token of the
// account (grantpipe users token). Every answer is JSON, an error
// {"error": "…"}; a district sees only its own district, as on the pages.

// apiRoutes registers the API's routes on mux.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/submissions", s.apiUser(s.apiUpload))
	mux.HandleFunc("GET /api/v1/submissions", s.apiUser(s.apiSubmissions))
	mux.HandleFunc("GET /api/v1/submissions/{id}/feedback", s.apiUser(s.apiFeedback))
	mux.HandleFunc("GET /api/v1/template", s.apiUser(s.apiTemplate))
	mux.HandleFunc("GET /api/v1/status", s.apiUser(s.apiStatus))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { apiError(w, http.StatusNotFound, "not found") })
}

// bearer is the token of the request's Authorization header, and whether
// it has one.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, token, _ := strings.Cut(h, " ")
	return strings.TrimSpace(token), strings.EqualFold(scheme, "Bearer")
}

// crossOrigin refuses state-changing requests from other origins, except
// those that carry an Authorization header: a browser never adds that to
// a request another site makes it send, and such a request is
// authenticated by its token alone (apiUser ignores the cookie then), so
// there is nothing for another origin to ride on.
func crossOrigin(cop *http.CrossOriginProtection, next http.Handler) http.Handler {
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" && strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

// apiUser lets only an authenticated user through to h: by bearer token
// when the request has an Authorization header (and then by nothing
// else), else by the session cookie. Nobody gets 401, an account whose
// one-time password is not yet replaced 403.
func (s *Server) apiUser(h func(http.ResponseWriter, *http.Request, accounts.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var u accounts.User
		ok := false
		if token, isBearer := bearer(r); isBearer {
			var byToken error
			err := s.withStore(r.Context(), func(*store.Store) error {
				u, byToken = s.accounts.UserByToken(r.Context(), token)
				if errors.Is(byToken, accounts.ErrBadToken) {
					return nil
				}
				return byToken
			})
			if err != nil {
				s.apiFailed(w, r, err)
				return
			}
			ok = byToken == nil
		} else if r.Header.Get("Authorization") == "" {
			u, _, ok = s.user(r)
		}
		switch {
		case !ok:
			w.Header().Set("WWW-Authenticate", `Bearer realm="grantpipe"`)
			apiError(w, http.StatusUnauthorized, "not authenticated: log in or send Authorization: Bearer gp_…")
		case u.OneTime:
			apiError(w, http.StatusForbidden, "the one-time password must first be replaced (log in at /login)")
		default:
			h(w, r, u)
		}
	}
}

// apiJSON answers with v as JSON.
func apiJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// apiError answers with {"error": msg}.
func apiError(w http.ResponseWriter, status int, msg string) {
	apiJSON(w, status, map[string]string{"error": msg})
}

// apiFailed answers a request whose work failed: logged, and 500.
func (s *Server) apiFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.cfg.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	apiError(w, http.StatusInternalServerError, "internal error")
}

// UploadResult is the answer to an upload through the API: the file's
// entry as grantpipe ingest --json prints it, and the submission's id.
type UploadResult struct {
	ID int64 `json:"id"`
	ingest.FileResult
}

// apiUpload takes a district's workbook the way the page does (receive)
// and answers 201 with its ingest result. A duplicate of a file already
// taken is answered 200 with the id of the earlier one when it is the
// district's own.
func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request, u accounts.User) {
	if u.Role != accounts.RoleDistrict {
		apiError(w, http.StatusForbidden, "only a district uploads its workbooks")
		return
	}
	fr, _, no, err := s.receive(w, r, u)
	switch {
	case err != nil:
		s.apiFailed(w, r, err)
		return
	case no != nil:
		apiError(w, no.Status, s.lang(w, r).T(no.Key, "file", no.File, "mb", s.cfg.MaxUpload>>20))
		return
	}
	res := UploadResult{ID: fr.SubmissionID, FileResult: *fr}
	if res.Findings == nil {
		res.Findings = []ingest.Finding{}
	}
	if fr.Outcome == ingest.Duplicate {
		if !s.owns(r.Context(), u, fr.SubmissionID) {
			res.ID = 0
		}
		apiJSON(w, http.StatusOK, res)
		return
	}
	apiJSON(w, http.StatusCreated, res)
}

// Submission is a file sent, as the API lists it.
type Submission struct {
	ID       int64  `json:"id"`
	File     string `json:"file"`
	District string `json:"district"` // the sender's AGS
	Year     int    `json:"year"`     // 0 when unreadable
	Quarter  int    `json:"quarter"`
	State    string `json:"state"` // accepted, late, replaced, rejected
	Received string `json:"received"`
}

func (s *Server) apiSubmissions(w http.ResponseWriter, r *http.Request, u accounts.User) {
	scope := ""
	if u.Role == accounts.RoleDistrict {
		scope = u.District
	}
	var files []store.SentFile
	err := s.withStore(r.Context(), func(st *store.Store) (err error) {
		if u.Role == accounts.RoleDistrict && scope == "" {
			return nil
		}
		files, err = st.SentBy(r.Context(), scope)
		return err
	})
	if err != nil {
		s.apiFailed(w, r, err)
		return
	}
	out := make([]Submission, 0, len(files))
	for _, f := range files {
		out = append(out, Submission{ID: f.ID, File: f.File, District: f.Sender, Year: f.Year, Quarter: f.Quarter,
			State: s.state(f), Received: s.rfc3339(f.Received)})
	}
	apiJSON(w, http.StatusOK, out)
}

// rfc3339 is an arrival time, kept as local wall-clock time, with the
// programme's offset of that moment.
func (s *Server) rfc3339(t time.Time) string {
	local := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), s.cfg.Pipeline.Location())
	return local.Format(time.RFC3339)
}

// apiFeedback sends a submission's feedback workbook, as the page does;
// another district's submission is not found.
func (s *Server) apiFeedback(w http.ResponseWriter, r *http.Request, u accounts.User) {
	id, ok := pathID(r)
	if !ok {
		apiError(w, http.StatusNotFound, "no such submission")
		return
	}
	path, found, err := s.feedbackOf(r.Context(), u, id)
	if err != nil {
		s.apiFailed(w, r, err)
		return
	}
	if !found {
		apiError(w, http.StatusNotFound, "no such submission")
		return
	}
	if path == "" {
		apiError(w, http.StatusNotFound, "no feedback workbook for this submission")
		return
	}
	s.sendFeedback(w, r, u, id, path)
}

// apiTemplate sends the blank form of a quarter for the user's district;
// the ministry, having none, names one with &district=AGS.
func (s *Server) apiTemplate(w http.ResponseWriter, r *http.Request, u accounts.User) {
	q := r.URL.Query()
	if u.Role != accounts.RoleDistrict && q.Get("district") == "" {
		apiError(w, http.StatusBadRequest, "the ministry names the district: &district=AGS")
		return
	}
	name, data, status, err := s.blankForm(w, r, u)
	switch {
	case err != nil:
		s.apiFailed(w, r, err)
	case status != http.StatusOK:
		apiError(w, status, "no such year, quarter or district")
	default:
		s.audit(r, u, "download", "blank form "+name)
		send(w, name, data)
	}
}

// DistrictStatus is a district's own status in the API: its quarters and
// the next deadline.
type DistrictStatus struct {
	District     string           `json:"district"`
	Name         string           `json:"name"`
	Quarters     []QuarterStatus  `json:"quarters"`
	NextDeadline *QuarterDeadline `json:"next_deadline"` // null when none is ahead
}

// QuarterStatus is one quarter of a district's year.
type QuarterStatus struct {
	QuarterDeadline
	// State is that of the file that counts: accepted or late, else
	// rejected when only rejected files came, else missing when the
	// deadline is past, else open.
	State       string  `json:"state"`
	Errors      int     `json:"open_errors"`
	Submissions []int64 `json:"submissions"`
}

// QuarterDeadline is a quarter and the day its report is due.
type QuarterDeadline struct {
	Year     int    `json:"year"`
	Quarter  int    `json:"quarter"`
	Deadline string `json:"deadline"` // YYYY-MM-DD
}

// apiStatus is the ministry's status as grantpipe status --json gives it
// (?year=Y, else the current budget year), or a district's own quarters.
func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request, u accounts.User) {
	if u.Role == accounts.RoleDistrict {
		page, err := s.districtPageOf(r.Context(), u)
		if err != nil {
			s.apiFailed(w, r, err)
			return
		}
		out := DistrictStatus{District: u.District, Quarters: []QuarterStatus{}}
		if d := s.district(u.District); d != nil {
			out.Name = d.Name
		}
		today := s.today()
		for _, q := range page.Quarters {
			qs := QuarterStatus{QuarterDeadline: QuarterDeadline{Year: q.Year, Quarter: q.Quarter, Deadline: q.Deadline.Format(time.DateOnly)},
				Errors: q.Errors, Submissions: []int64{}}
			for _, f := range q.Files {
				qs.Submissions = append(qs.Submissions, f.ID)
				if f.State == StateAccepted || f.State == StateLate {
					qs.State = f.State
				}
			}
			switch {
			case qs.State != "":
			case len(q.Files) > 0:
				qs.State = StateRejected
			case q.Deadline.Before(today):
				qs.State = "missing"
			default:
				qs.State = "open"
			}
			out.Quarters = append(out.Quarters, qs)
		}
		if page.Next != nil {
			out.NextDeadline = &QuarterDeadline{Year: page.Next.Year, Quarter: page.Next.Quarter, Deadline: page.Next.Deadline.Format(time.DateOnly)}
		}
		apiJSON(w, http.StatusOK, out)
		return
	}
	year := 0
	if y := r.URL.Query().Get("year"); y != "" {
		var err error
		year, err = strconv.Atoi(y)
		if _, ok := s.cfg.Programme.Year(year); err != nil || !ok {
			apiError(w, http.StatusBadRequest, "no such budget year: "+y)
			return
		}
	}
	var st *jobs.Status
	err := s.withStore(r.Context(), func(db *store.Store) (err error) {
		st, err = s.cfg.Pipeline.StatusOf(r.Context(), db, year, "")
		return err
	})
	if err != nil {
		s.apiFailed(w, r, err)
		return
	}
	apiJSON(w, http.StatusOK, st)
}
