package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/payouts"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
)

// ministry lets only the ministry (analysts and admins) through to h; a
// district user gets 404, as for anything else not its own.
func (s *Server) ministry(h func(http.ResponseWriter, *http.Request, accounts.User)) http.HandlerFunc {
	return s.signedIn(func(w http.ResponseWriter, r *http.Request, u accounts.User) {
		if u.Role == accounts.RoleDistrict {
			s.fail(w, r, http.StatusNotFound)
			return
		}
		h(w, r, u)
	})
}

// admin lets only admins through to h; an analyst gets 403, a district
// user 404.
func (s *Server) admin(h func(http.ResponseWriter, *http.Request, accounts.User)) http.HandlerFunc {
	return s.ministry(func(w http.ResponseWriter, r *http.Request, u accounts.User) {
		if u.Role != accounts.RoleAdmin {
			s.fail(w, r, http.StatusForbidden)
			return
		}
		h(w, r, u)
	})
}

// ministryRoutes are the ministry's pages beyond the overview.
func (s *Server) ministryRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /findings", s.ministry(s.findings))
	mux.HandleFunc("GET /runs", s.ministry(s.runs))
	mux.HandleFunc("POST /runs", s.admin(s.runNow))
	mux.HandleFunc("GET /payouts", s.admin(s.payoutsForm))
	mux.HandleFunc("POST /payouts", s.admin(s.payoutsImport))
	mux.HandleFunc("GET /accounts", s.admin(s.accountsPage))
	mux.HandleFunc("POST /accounts", s.admin(s.accountAdd))
	mux.HandleFunc("POST /accounts/{login}/{action}", s.admin(s.accountAct))
	mux.HandleFunc("GET /audit", s.admin(s.auditPage))
}

// year is the request's ?year= when the programme has it, else the current
// budget year (as grantpipe status chooses it).
func (s *Server) year(r *http.Request) int {
	y, _ := strconv.Atoi(r.URL.Query().Get("year"))
	if _, ok := s.cfg.Programme.Year(y); ok {
		return y
	}
	return s.cfg.Pipeline.CurrentYear()
}

// years are the programme's budget years, for the year selector.
func (s *Server) years() []int {
	var out []int
	for _, y := range s.cfg.Programme.Years {
		out = append(out, y.Year)
	}
	return out
}

// findingsPage is the latest check's findings by rule, and one rule's
// findings when ?rule= names it.
type findingsPage struct {
	Year   int
	Years  []int
	Run    store.ValidationRun
	Rules  []store.RuleCount
	Rule   string
	Shown  []ruleFinding
	Limit  int
	Capped bool // more findings than Limit
}

// ruleFinding is one finding of the rule shown.
type ruleFinding struct {
	store.RuleFinding
	Name    string // of the district
	Message string // in the page's language
}

// MaxRuleFindings is how many findings of one rule the findings page lists.
const MaxRuleFindings = 500

func (s *Server) findings(w http.ResponseWriter, r *http.Request, u accounts.User) {
	page := findingsPage{Year: s.year(r), Years: s.years(), Rule: r.URL.Query().Get("rule"), Limit: MaxRuleFindings}
	l := s.lang(w, r)
	err := s.withStore(r.Context(), func(st *store.Store) (err error) {
		page.Run, err = st.LatestRun(r.Context())
		if errors.Is(err, store.ErrNoValidation) {
			return nil
		}
		if err != nil {
			return err
		}
		if page.Rules, err = st.FindingsByRule(r.Context(), page.Run.ID, page.Year); err != nil {
			return err
		}
		if page.Rule == "" {
			return nil
		}
		fs, err := st.FindingsOfRule(r.Context(), page.Run.ID, page.Year, page.Rule, MaxRuleFindings+1)
		if err != nil {
			return err
		}
		if len(fs) > MaxRuleFindings {
			fs, page.Capped = fs[:MaxRuleFindings], true
		}
		for _, f := range fs {
			rf := ruleFinding{RuleFinding: f, Message: f.DE}
			if l.Code == "en" {
				rf.Message = f.EN
			}
			if d := s.district(f.District); d != nil {
				rf.Name = d.Name
			}
			page.Shown = append(page.Shown, rf)
		}
		return nil
	})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "findings", page)
}

// MaxRuns is how many runs the run history shows.
const MaxRuns = 200

// runsPage is the run history, and what an admin may start.
type runsPage struct {
	Runs    []store.JobRun
	Jobs    []string
	Started string // the job just started, for the notice
	CanRun  bool
}

func (s *Server) runs(w http.ResponseWriter, r *http.Request, u accounts.User) {
	page := runsPage{Jobs: programme.JobNames, CanRun: u.Role == accounts.RoleAdmin && s.cfg.RunNow != nil}
	if j := r.URL.Query().Get("started"); slices.Contains(programme.JobNames, j) {
		page.Started = j
	}
	err := s.withStore(r.Context(), func(st *store.Store) (err error) {
		page.Runs, err = st.JobRuns(r.Context(), MaxRuns)
		return err
	})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "runs", page)
}

// runNow starts a scheduled job at once, through the scheduler's own path
// (its history, its one run at a time); the page does not wait for it.
func (s *Server) runNow(w http.ResponseWriter, r *http.Request, u accounts.User) {
	job := r.PostFormValue("job")
	if s.cfg.RunNow == nil || !slices.Contains(programme.JobNames, job) {
		s.fail(w, r, http.StatusBadRequest)
		return
	}
	s.audit(r, u, "run", job)
	s.cfg.RunNow(job)
	http.Redirect(w, r, "/runs?started="+job, http.StatusSeeOther)
}

// payoutsPage is the import form and, after an import, its result.
type payoutsPage struct {
	Result *payouts.Result
	Error  string // message key
	File   string // the file it is about
	MaxMB  int64
}

func (s *Server) payoutsForm(w http.ResponseWriter, r *http.Request, u accounts.User) {
	s.render(w, r, http.StatusOK, "payouts", payoutsPage{MaxMB: s.cfg.MaxUpload >> 20})
}

// payoutsImport keeps the payout list as received in the data directory's
// payouts folder and imports it, as `grantpipe payouts import` does.
func (s *Server) payoutsImport(w http.ResponseWriter, r *http.Request, u accounts.User) {
	page := payoutsPage{MaxMB: s.cfg.MaxUpload >> 20}
	name, data, no := s.uploaded(w, r, []string{".csv", ".xlsx"})
	if no != nil {
		page.Error, page.File = no.Key, no.File
		if no.Key == "web.upload.kind" {
			page.Error = "web.payouts.kind"
		}
		s.render(w, r, no.Status, "payouts", page)
		return
	}
	err := s.withStore(r.Context(), func(st *store.Store) error {
		dir := s.cfg.Dir.Payouts()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		path := freeName(dir, datadir.StoredName(s.cfg.Now().In(s.cfg.Pipeline.Location()).Format("2006-01-02_150405_"), name, ""))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		im, err := payouts.New(st, s.cfg.Programme, payouts.WithClock(s.cfg.Now))
		if err != nil {
			return err
		}
		if page.Result, err = im.Import(r.Context(), path); errors.Is(err, payouts.ErrUnreadable) {
			page.Error, page.File = "web.payouts.unreadable", name
			return s.accounts.Audit(r.Context(), u.Login, "payouts", name+": "+err.Error(), remote(r))
		}
		if err != nil {
			return err
		}
		page.Result.File = name
		return s.accounts.Audit(r.Context(), u.Login, "payouts", fmt.Sprintf("%s: %d imported, %d already known, %d refused",
			name, page.Result.Imported, page.Result.Known, page.Result.Refused), remote(r))
	})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	status := http.StatusOK
	if page.Error != "" {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "payouts", page)
}

// uploaded reads the file of the request's field "file": its safe name and
// bytes, or why it is not taken (too large, none, not of the kinds).
func (s *Server) uploaded(w http.ResponseWriter, r *http.Request, kinds []string) (string, []byte, *refusal) {
	limit := s.cfg.MaxUpload
	tooLarge := &refusal{Status: http.StatusRequestEntityTooLarge, Key: "web.upload.too_large"}
	if r.ContentLength > limit+64<<10 {
		return "", nil, tooLarge
	}
	// The form around the file adds a little to the body.
	r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
	file, head, err := r.FormFile("file")
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return "", nil, tooLarge
	case err != nil:
		return "", nil, &refusal{Status: http.StatusBadRequest, Key: "web.upload.no_file"}
	}
	defer file.Close()
	name := datadir.StoredName("", filepath.Base(strings.ReplaceAll(head.Filename, `\`, "/")), "")
	if !slices.Contains(kinds, strings.ToLower(filepath.Ext(name))) {
		return name, nil, &refusal{Status: http.StatusUnsupportedMediaType, Key: "web.upload.kind", File: name}
	}
	data, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil || int64(len(data)) > limit {
		tooLarge.File = name
		return name, nil, tooLarge
	}
	return name, data, nil
}

// accountsPage lists the accounts; after an action it shows its outcome,
// with a one-time password or token that is shown only this once.
type accountsPage struct {
	Users     []accountRow
	Districts []programme.District
	Roles     []string
	Done      string // message key of what was done
	Login     string // whom it was done to
	Secret    string // the one-time password or token
	Error     string // message key
	Form      accounts.User
}

type accountRow struct {
	accounts.User
	Name string // of the district
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request, u accounts.User) {
	s.showAccounts(w, r, http.StatusOK, accountsPage{})
}

// showAccounts renders the accounts page with page's notice.
func (s *Server) showAccounts(w http.ResponseWriter, r *http.Request, status int, page accountsPage) {
	page.Roles = []string{accounts.RoleDistrict, accounts.RoleAnalyst, accounts.RoleAdmin}
	if y, ok := s.cfg.Programme.Year(s.year(r)); ok {
		page.Districts = y.Districts
	}
	err := s.withStore(r.Context(), func(*store.Store) error {
		users, err := s.accounts.List(r.Context())
		for _, x := range users {
			row := accountRow{User: x}
			if d := s.district(x.District); d != nil {
				row.Name = d.Name
			}
			page.Users = append(page.Users, row)
		}
		return err
	})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	s.render(w, r, status, "accounts", page)
}

// accountAdd creates an account and shows its one-time password once.
func (s *Server) accountAdd(w http.ResponseWriter, r *http.Request, u accounts.User) {
	login, role, district := strings.TrimSpace(r.PostFormValue("login")), r.PostFormValue("role"), r.PostFormValue("district")
	if role != accounts.RoleDistrict {
		district = ""
	}
	var once string
	var addErr error
	err := s.withStore(r.Context(), func(*store.Store) (err error) {
		_, once, addErr = s.accounts.Add(r.Context(), login, role, district, "")
		if addErr != nil {
			return nil
		}
		return s.accounts.Audit(r.Context(), u.Login, "account", fmt.Sprintf("added %s (%s %s)", login, role, district), remote(r))
	})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	if addErr != nil {
		key := "web.accounts.invalid"
		if errors.Is(addErr, accounts.ErrLoginTaken) {
			key = "web.accounts.taken"
		}
		s.showAccounts(w, r, http.StatusBadRequest, accountsPage{Error: key, Form: accounts.User{Login: login, Role: role, District: district}})
		return
	}
	s.showAccounts(w, r, http.StatusOK, accountsPage{Done: "web.accounts.added", Login: login, Secret: once})
}

// accountAct disables or enables an account, resets its password or gives
// it a new token. Disabling and resetting end the account's sessions at once.
func (s *Server) accountAct(w http.ResponseWriter, r *http.Request, u accounts.User) {
	login, action := r.PathValue("login"), r.PathValue("action")
	if action == "disable" && strings.EqualFold(login, u.Login) {
		// An admin cannot lock themselves out (and so not the last admin).
		s.fail(w, r, http.StatusBadRequest)
		return
	}
	var secret string
	err := s.withStore(r.Context(), func(*store.Store) (err error) {
		switch action {
		case "disable":
			err = s.accounts.Disable(r.Context(), login)
		case "reset":
			secret, err = s.accounts.Reset(r.Context(), login, "")
		case "enable":
			secret, err = s.accounts.Enable(r.Context(), login)
		case "token":
			secret, err = s.accounts.NewToken(r.Context(), login)
		default:
			return errNoAction
		}
		if err != nil {
			return err
		}
		return s.accounts.Audit(r.Context(), u.Login, "account", action+" "+login, remote(r))
	})
	switch {
	case errors.Is(err, errNoAction) || errors.Is(err, accounts.ErrNoSuchUser):
		s.fail(w, r, http.StatusNotFound)
		return
	case err != nil:
		s.failed(w, r, err)
		return
	}
	if action == "disable" || action == "reset" {
		s.sessions.endLogin(login)
	}
	s.showAccounts(w, r, http.StatusOK, accountsPage{Done: "web.accounts." + action, Login: login, Secret: secret})
}

var errNoAction = errors.New("no such action")

// MaxAudit is how many entries of the audit trail its page shows.
const MaxAudit = 500

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, u accounts.User) {
	var entries []store.AuditEntry
	err := s.withStore(r.Context(), func(*store.Store) (err error) {
		entries, err = s.accounts.AuditLog(r.Context(), MaxAudit)
		return err
	})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	loc := s.cfg.Pipeline.Location()
	for i := range entries {
		entries[i].At = entries[i].At.In(loc)
	}
	s.render(w, r, http.StatusOK, "audit", entries)
}

// RunNowFunc starts a job at once without waiting for it; grantpipe serve
// gives one that runs it through its scheduler.
type RunNowFunc func(job string)
