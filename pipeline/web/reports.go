package web

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"grantpipe/pipeline/accounts"
)

// Kinds of report files, as the reports page names them.
const (
	KindDistrict   = "district"   // a district's report of a period (PDF, workbook)
	KindState      = "state"      // the state's report of a period
	KindProof      = "proof"      // a district's Verwendungsnachweis
	KindCheck      = "check"      // the ministry's Prüfvermerk on it
	KindSettlement = "settlement" // the Abrechnung of all districts
	KindBasis      = "basis"      // what a statement as of a day was made from
	KindOther      = "other"
)

// reportFile is one file of the reports folder.
type reportFile struct {
	Rel      string // relative to the reports folder, with slashes: the download's URL
	AsOf     string // the day of a statement as of a day ("" for the rolling reports)
	Period   string // 2026-Q1, 2026
	Base     string // the name without its extension
	Ext      string // pdf, xlsx, json
	District string // the AGS the file is about ("" for the state's)
	Kind     string
	Size     int64
}

var (
	periodDir = regexp.MustCompile(`^\d{4}(-Q[1-4])?$`)
	asOfDir   = regexp.MustCompile(`^as-of-(\d{4}-\d{2}-\d{2})$`)
	// The names the report writers give (pipeline/report).
	districtName = regexp.MustCompile(`^(\d{5})_[^/]*_\d{4}(-Q[1-4])?$`)
	proofName    = regexp.MustCompile(`^Verwendungsnachweis_(\d{5})_\d{4}$`)
	checkName    = regexp.MustCompile(`^Pruefvermerk_(\d{5})_\d{4}$`)
)

// kindOf says what a report file is and which district it is about.
func kindOf(base, ext string) (kind, ags string) {
	switch {
	case ext == "json":
		return KindBasis, ""
	case strings.HasPrefix(base, "Abrechnung_"):
		return KindSettlement, ""
	case strings.HasPrefix(base, "Sachsen-Anhalt_"):
		return KindState, ""
	}
	if m := proofName.FindStringSubmatch(base); m != nil {
		return KindProof, m[1]
	}
	if m := checkName.FindStringSubmatch(base); m != nil {
		return KindCheck, m[1]
	}
	if m := districtName.FindStringSubmatch(base); m != nil {
		return KindDistrict, m[1]
	}
	return KindOther, ""
}

// mayRead says whether u may have a report file: the ministry every one, a
// district its own period reports and its Verwendungsnachweis; the
// Prüfvermerk is the ministry's own record of its check, the state's
// reports show every district.
func mayRead(u accounts.User, f reportFile) bool {
	if u.Role != accounts.RoleDistrict {
		return true
	}
	return u.District != "" && f.District == u.District && (f.Kind == KindDistrict || f.Kind == KindProof)
}

// reportFiles lists the report files u may have: the rolling reports of
// each period (reports/<period>/) and the statements as of a day
// (reports/as-of-<day>/<period>/). Only regular files in folders of those
// names count: links, the feedback folder and a statement's temporary
// folder are not reports. Newest first.
func (s *Server) reportFiles(u accounts.User) ([]reportFile, error) {
	root := s.cfg.Dir.Reports()
	var out []reportFile
	add := func(dir, asOf, period string) error {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			return err
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			ext := strings.TrimPrefix(filepath.Ext(e.Name()), ".")
			if ext != "pdf" && ext != "xlsx" && ext != "json" {
				continue
			}
			base := strings.TrimSuffix(e.Name(), "."+ext)
			f := reportFile{Rel: dir + "/" + e.Name(), AsOf: asOf, Period: period, Base: base, Ext: ext}
			f.Kind, f.District = kindOf(base, ext)
			if !mayRead(u, f) {
				continue
			}
			if fi, err := e.Info(); err == nil {
				f.Size = fi.Size()
			}
			out = append(out, f)
		}
		return nil
	}
	top, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range top {
		if !e.IsDir() {
			continue
		}
		if periodDir.MatchString(e.Name()) {
			if err := add(e.Name(), "", e.Name()); err != nil {
				return nil, err
			}
			continue
		}
		m := asOfDir.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		periods, err := os.ReadDir(filepath.Join(root, e.Name()))
		if err != nil {
			return nil, err
		}
		for _, p := range periods {
			if p.IsDir() && periodDir.MatchString(p.Name()) {
				if err := add(e.Name()+"/"+p.Name(), m[1], p.Name()); err != nil {
					return nil, err
				}
			}
		}
	}
	// The rolling reports first, newest period first; then the
	// statements, newest day first; within a folder the state's files
	// first, then by name.
	slices.SortFunc(out, func(a, b reportFile) int {
		switch {
		case (a.AsOf == "") != (b.AsOf == ""):
			if a.AsOf == "" {
				return -1
			}
			return 1
		case a.AsOf != b.AsOf:
			return strings.Compare(b.AsOf, a.AsOf)
		case a.Period != b.Period:
			return comparePeriods(b.Period, a.Period)
		case (a.District == "") != (b.District == ""):
			if a.District == "" {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Rel, b.Rel)
	})
	return out, nil
}

// comparePeriods orders periods in time: a year's quarters, then the year.
func comparePeriods(a, b string) int {
	key := func(p string) string {
		if len(p) == 4 {
			return p + "-Q9"
		}
		return p
	}
	return strings.Compare(key(a), key(b))
}

// reportSet is one folder of reports: a period, rolling or as of a day.
type reportSet struct {
	Key    string // the folder, as ?set= names it
	AsOf   string
	Period string
	Rows   []reportRow
}

// reportRow is one document of a set in its formats.
type reportRow struct {
	Base, Kind, District, Name string
	Files                      []reportFile
}

// reportsPage lists the sets and the rows of the shown ones.
type reportsPage struct {
	Sets  []reportSet
	Shown string // the set shown, for the ministry ("" : all, for a district)
}

// reports lists the reports u may have. The ministry sees one set at a time
// (?set=, by default the newest period), a district all of its own.
func (s *Server) reports(w http.ResponseWriter, r *http.Request, u accounts.User) {
	files, err := s.reportFiles(u)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	var page reportsPage
	at := map[string]int{}
	for _, f := range files {
		key := filepath.Dir(filepath.FromSlash(f.Rel))
		k, ok := at[key]
		if !ok {
			k, at[key] = len(page.Sets), len(page.Sets)
			page.Sets = append(page.Sets, reportSet{Key: filepath.ToSlash(key), AsOf: f.AsOf, Period: f.Period})
		}
		set := &page.Sets[k]
		if n := len(set.Rows); n > 0 && set.Rows[n-1].Base == f.Base {
			set.Rows[n-1].Files = append(set.Rows[n-1].Files, f)
			continue
		}
		row := reportRow{Base: f.Base, Kind: f.Kind, District: f.District, Files: []reportFile{f}}
		if d := s.district(f.District); d != nil {
			row.Name = d.Name
		}
		set.Rows = append(set.Rows, row)
	}
	if u.Role != accounts.RoleDistrict && len(page.Sets) > 0 {
		page.Shown = page.Sets[0].Key
		if want := r.URL.Query().Get("set"); want != "" {
			page.Shown = want
		}
		for i := range page.Sets {
			if page.Sets[i].Key != page.Shown {
				page.Sets[i].Rows = nil
			}
		}
	}
	s.render(w, r, http.StatusOK, "reports", page)
}

// reportFile sends one report file, found by its path among those u may
// have: the path of the request only ever picks from that list.
func (s *Server) reportDownload(w http.ResponseWriter, r *http.Request, u accounts.User) {
	files, err := s.reportFiles(u)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	want := r.PathValue("rel")
	i := slices.IndexFunc(files, func(f reportFile) bool { return f.Rel == want })
	if i < 0 {
		s.fail(w, r, http.StatusNotFound)
		return
	}
	data, err := os.ReadFile(filepath.Join(s.cfg.Dir.Reports(), filepath.FromSlash(files[i].Rel)))
	if err != nil {
		s.failed(w, r, err)
		return
	}
	s.audit(r, u, "download", "report "+files[i].Rel)
	send(w, filepath.Base(files[i].Rel), data)
}
