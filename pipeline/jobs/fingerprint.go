package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"grantpipe/pipeline/report"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/validate"
)

// A run does work in proportion to what changed (issue 15). Every output
// has a fingerprint of what it is made from, kept in the database: a
// validation run the fingerprint of what it read (store.ValidationInputs,
// the configuration, the rules, the as-of day, grantpipe itself), each
// report and feedback workbook the fingerprint of its inputs (see
// report.Fingerprints and feedback.WriteChanged), with the file's size and
// modification time as written. A check whose inputs are those of the
// latest run answers with that run; a document is rendered when its
// fingerprint differs from the one recorded, or its file is missing or was
// altered on disk. So nothing is rendered for nothing, and nothing stays
// stale.
//
// What "nothing new" means for the check: the same stored data, the same
// configuration and rules, and the same as-of day. A run on a new day
// checks again (deadlines pass, MISSING_SUBMISSION appears) and, since
// every report states the day it is as of, renders every report again:
// once a day at most, for the main job as the schedule runs it.

// versions is what the outputs are made with besides their data:
// grantpipe itself (the executable, its fonts and templates embedded) and
// the message catalogue. Computed once per pipeline.
type versions struct {
	once  sync.Once
	value string
}

func (p *Pipeline) version() string {
	p.ver.once.Do(func() {
		h := sha256.New()
		fmt.Fprintf(h, "grantpipe %s\n", executableIdentity())
		for _, k := range p.cfg.Catalog.Keys() {
			fmt.Fprintf(h, "%s\x00%s\x00%s\x00", k, p.cfg.Catalog.Text("de", k, nil), p.cfg.Catalog.Text("en", k, nil))
		}
		p.ver.value = hex.EncodeToString(h.Sum(nil))
	})
	return p.ver.value
}

// executableIdentity tells one build of grantpipe from another: its
// revision when the build recorded one and the tree was clean, and always
// the executable's path, size and modification time, so that any other
// binary (a rebuild, a test binary) renders everything again once. Should
// the executable not be found, a value of this process alone: every
// document is rendered, as before fingerprints.
func executableIdentity() string {
	var rev string
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev = bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				rev += " " + s.Value
			}
		}
	}
	exe, err := os.Executable()
	if err == nil {
		var fi os.FileInfo
		if fi, err = os.Stat(exe); err == nil {
			return fmt.Sprintf("%s %s %d %d", rev, exe, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return fmt.Sprintf("%s pid %d started %d", rev, os.Getpid(), time.Now().UnixNano())
}

// checkInputs is the fingerprint of what a check as c says would read.
func (p *Pipeline) checkInputs(ctx context.Context, st *store.Store, c Check) (string, error) {
	stored, err := st.ValidationInputs(ctx)
	if err != nil {
		return "", err
	}
	cfg, err := json.Marshal(p.cfg.Programme)
	if err != nil {
		return "", fmt.Errorf("validation inputs: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%d\x00%s\x00", p.version(), p.RuleSet(), c.AsOf.Format(time.DateOnly), c.Year, c.Quarter, stored)
	h.Write(cfg)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// validate checks as c says (c.AsOf set). With reuse, when the latest run
// read exactly what this check would, its stored result is the answer and
// nothing is written.
func (p *Pipeline) validate(ctx context.Context, st *store.Store, c Check, reuse bool) (*validate.Result, error) {
	fp, err := p.checkInputs(ctx, st, c)
	if err != nil {
		return nil, err
	}
	opt := validate.Options{Year: c.Year, Quarter: c.Quarter, AsOf: c.AsOf}
	if reuse {
		run, err := st.LatestRun(ctx)
		switch {
		case errors.Is(err, store.ErrNoValidation):
		case err != nil:
			return nil, err
		default:
			old, ok, err := st.ValidationInputsOf(ctx, run.ID)
			if err != nil {
				return nil, err
			}
			if ok && old == fp {
				p.cfg.Log.Debug("check skipped: nothing it reads changed", "run", run.ID)
				return validate.Stored(ctx, st, p.cfg.Programme, run, opt)
			}
		}
	}
	v, err := validate.New(ctx, st, p.cfg.Programme, p.rules, validate.WithClock(p.cfg.Now), validate.WithLog(p.cfg.Log))
	if err != nil {
		return nil, err
	}
	res, err := v.Run(ctx, opt)
	if err != nil {
		return nil, err
	}
	// Killed before this, the next run checks again: no harm.
	return res, st.RecordValidationInputs(ctx, res.RunID, fp)
}

// renderedState reads what the files under dir were rendered from.
type renderedState struct {
	dir  string // absolute
	have map[string]store.Rendered
	set  map[string]store.Rendered
	gone []string
}

func (p *Pipeline) renderedUnder(ctx context.Context, st *store.Store, dir string) (*renderedState, error) {
	abs, have, err := st.RenderedUnder(ctx, dir)
	if err != nil {
		return nil, err
	}
	return &renderedState{dir: abs, have: have, set: map[string]store.Rendered{}}, nil
}

// current tells whether the file at path (absolute) was rendered from
// fingerprint and is on disk as it was written.
func (r *renderedState) current(path, fingerprint string) bool {
	old, ok := r.have[path]
	if !ok || old.Fingerprint != fingerprint {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == old.Size && fi.ModTime().UnixNano() == old.ModTime
}

// rendered notes that the file at path was written (or found equal) from
// fingerprint, as it is on disk now.
func (r *renderedState) rendered(path, fingerprint, note string) {
	fi, err := os.Stat(path)
	if err != nil {
		r.gone = append(r.gone, path)
		return
	}
	r.set[path] = store.Rendered{Fingerprint: fingerprint, Size: fi.Size(), ModTime: fi.ModTime().UnixNano(), Note: note}
}

func (r *renderedState) save(ctx context.Context, st *store.Store) error {
	return st.RecordRendered(ctx, r.set, r.gone)
}

// reportsOf writes the documents of d's period into dir/<period>/ whose
// fingerprint changed or whose file is missing or altered; the others are
// returned unchanged. What was written is recorded in rs.
func (p *Pipeline) reportsOf(ctx context.Context, rs *renderedState, d *report.Data, load func(*report.District) error, lines []store.QuarterLines) ([]report.Written, error) {
	start := time.Now()
	fps, err := report.Fingerprints(ctx, d, p.cfg.Catalog, p.version(), lines)
	if err != nil {
		return nil, err
	}
	p.cfg.Log.Debug("fingerprints", "period", d.Period.Slug(), "documents", len(fps), "took", time.Since(start).Round(time.Millisecond))
	out := filepath.Join(rs.dir, d.Period.Slug())
	want := map[string]bool{}
	for _, doc := range fps {
		if !rs.current(filepath.Join(out, doc.Name), doc.Fingerprint) {
			want[doc.Name] = true
		}
	}
	written, err := report.WriteOnly(ctx, rs.dir, d, p.cfg.Catalog, load, want)
	byPath := map[string]report.Written{}
	for _, w := range written {
		byPath[w.Path] = w
	}
	// Every document, in WriteAll's order: those not rendered as found.
	all := make([]report.Written, 0, len(fps))
	for _, doc := range fps {
		path := filepath.Join(out, doc.Name)
		w, ok := byPath[path]
		switch {
		case ok:
			rs.rendered(path, doc.Fingerprint, "")
			p.made(path)
		case want[doc.Name]:
			continue // not written: an error stopped the period
		default:
			w = report.Written{Path: path}
		}
		all = append(all, w)
	}
	return all, err
}

// reportsKey stands for everything the reports of the latest validation
// run are made from, as a whole: what that run read (its recorded
// fingerprint), what the database holds now (should anything have been
// stored since without a check), grantpipe's version and the language.
// "" when the run's inputs were not recorded.
func (p *Pipeline) reportsKey(ctx context.Context, st *store.Store) (string, error) {
	run, err := st.LatestRun(ctx)
	if errors.Is(err, store.ErrNoValidation) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	checked, ok, err := st.ValidationInputsOf(ctx, run.ID)
	if err != nil || !ok {
		return "", err
	}
	stored, err := st.ValidationInputs(ctx)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(checked + "\x00" + stored + "\x00" + p.version() + "\x00" + p.cfg.Lang))
	return hex.EncodeToString(sum[:]), nil
}

// A period whose documents were all found or made current from the same
// reportsKey is recorded as a whole, under its folder's path (with a
// trailing separator), so that the next run with the same key need not
// load the period at all: every document is made from what the key stands
// for, so none can have changed unless its file did.

func periodKey(period report.Period, key string) string {
	sum := sha256.Sum256([]byte(key + "\x00" + period.Slug()))
	return hex.EncodeToString(sum[:])
}

func (r *renderedState) folderOf(period report.Period) string {
	return filepath.Join(r.dir, period.Slug()) + string(filepath.Separator)
}

// periodCurrent returns the period's documents when the period was recorded
// with key and every document recorded under its folder is on disk as
// written.
func (r *renderedState) periodCurrent(period report.Period, key string) ([]report.Written, bool) {
	if key == "" {
		return nil, false
	}
	folder := r.folderOf(period)
	if old, ok := r.have[folder]; !ok || old.Fingerprint != periodKey(period, key) {
		return nil, false
	}
	var docs []report.Written
	for path, v := range r.have {
		if path == folder || !strings.HasPrefix(path, folder) || strings.ContainsRune(path[len(folder):], filepath.Separator) {
			continue
		}
		if !r.current(path, v.Fingerprint) {
			return nil, false
		}
		docs = append(docs, report.Written{Path: path})
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Path < docs[j].Path })
	return docs, len(docs) > 0
}

// periodDone records that every document of the period is current with key.
func (r *renderedState) periodDone(period report.Period, key string) {
	if key != "" {
		r.set[r.folderOf(period)] = store.Rendered{Fingerprint: periodKey(period, key)}
	}
}
