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
	"time"

	"grantpipe/pipeline/report"
	"grantpipe/pipeline/store"
)

// StatementDir is the folder of the statements as of day under a reports
// folder: as-of-YYYY-MM-DD. The rolling reports (reports/<period>/) are
// never written there.
func StatementDir(reports string, day time.Time) string {
	return filepath.Join(reports, "as-of-"+day.Format(time.DateOnly))
}

// Statements writes the reports of periods as frozen statements as of the
// latest validation run's day, into StatementDir(dir, day)/<period>/ (dir:
// the data directory's reports folder when empty); see
// report.WriteStatement. A statement that would now come out differently
// is kept, and the error (a *report.StatementChangedError) says what in the
// data changed since it was written, as far as its basis file tells.
func (p *Pipeline) Statements(ctx context.Context, st *store.Store, dir string, periods []report.Period) ([]report.Written, error) {
	return p.eachPeriod(ctx, st, dir, periods, func(dir string, d *report.Data, load func(*report.District) error) ([]report.Written, error) {
		b, err := p.basis(ctx, st, d)
		if err != nil {
			return nil, err
		}
		data, err := json.MarshalIndent(b, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("statement %s: %w", d.Period.Slug(), err)
		}
		w, err := report.WriteStatement(ctx, StatementDir(dir, d.AsOf), d, p.cfg.Catalog, load, append(data, '\n'))
		var changed *report.StatementChangedError
		if errors.As(err, &changed) {
			changed.Reasons = b.since(filepath.Join(changed.Dir, report.BasisFile))
		}
		return w, err
	})
}

// basis is what a statement was made from, kept beside it (report.BasisFile)
// so that, when the data as of its day later gives other documents, the
// difference can be named.
type basis struct {
	AsOf      string        `json:"as_of"`
	Period    string        `json:"period"`
	Lang      string        `json:"lang"`
	RuleSet   string        `json:"rule_set"`
	Programme string        `json:"programme_sha256"` // of the effective configuration
	Files     []basisFile   `json:"files"`
	Payouts   []basisPayout `json:"payouts"`
}

type basisFile struct {
	District string `json:"district"`
	Quarter  int    `json:"quarter"`
	File     string `json:"file"`
	SHA256   string `json:"sha256"`
	Received string `json:"received"`
	Current  bool   `json:"current"`
}

type basisPayout struct {
	District  string `json:"district"`
	Date      string `json:"date"`
	Amount    string `json:"amount_eur"`
	Reference string `json:"reference"`
}

func (p *Pipeline) basis(ctx context.Context, st *store.Store, d *report.Data) (*basis, error) {
	b := &basis{AsOf: d.AsOf.Format(time.DateOnly), Period: d.Period.Slug(), Lang: d.Lang, RuleSet: d.RuleSet,
		Files: []basisFile{}, Payouts: []basisPayout{}}
	if cfg, err := json.Marshal(p.cfg.Programme); err == nil {
		sum := sha256.Sum256(cfg)
		b.Programme = hex.EncodeToString(sum[:])
	}
	for _, dist := range d.Districts {
		for _, s := range dist.Sources {
			b.Files = append(b.Files, basisFile{District: dist.AGS, Quarter: s.Quarter, File: s.File, SHA256: s.SHA256,
				Received: s.Received.Format("2006-01-02 15:04:05"), Current: s.Current})
		}
	}
	payouts, err := st.StatementPayouts(ctx)
	if err != nil {
		return nil, err
	}
	for _, py := range payouts {
		b.Payouts = append(b.Payouts, basisPayout{District: py.District, Date: py.Date.Format(time.DateOnly), Amount: py.Amount.String(), Reference: py.Reference})
	}
	return b, nil
}

// since names what differs between the basis a statement was written from
// (read from path) and b, in words for the person who asked for it again.
func (b *basis) since(path string) []string {
	raw, err := os.ReadFile(path)
	var old basis
	if err == nil {
		err = json.Unmarshal(raw, &old)
	}
	if err != nil {
		return []string{fmt.Sprintf("what it was made from is not known (%s unreadable)", report.BasisFile)}
	}
	var why []string
	if old.Lang != b.Lang {
		why = append(why, fmt.Sprintf("it was written in language %q, not %q", old.Lang, b.Lang))
	}
	if old.RuleSet != b.RuleSet {
		why = append(why, fmt.Sprintf("the rules changed (rule set %s, now %s)", short(old.RuleSet), short(b.RuleSet)))
	}
	if old.Programme != b.Programme {
		why = append(why, "the programme configuration changed")
	}
	for _, py := range missingFrom(old.Payouts, b.Payouts) {
		why = append(why, fmt.Sprintf("payout %s to %s of EUR %s dated %s is new (imported or configured since)", py.Reference, py.District, py.Amount, py.Date))
	}
	for _, py := range missingFrom(b.Payouts, old.Payouts) {
		why = append(why, fmt.Sprintf("payout %s to %s of EUR %s dated %s is gone", py.Reference, py.District, py.Amount, py.Date))
	}
	for _, f := range missingFrom(old.Files, b.Files) {
		why = append(why, fmt.Sprintf("file %s (%s, quarter %d, received %s) counts now (ingested since)", f.File, f.District, f.Quarter, f.Received))
	}
	for _, f := range missingFrom(b.Files, old.Files) {
		why = append(why, fmt.Sprintf("file %s (%s, quarter %d, received %s) no longer counts", f.File, f.District, f.Quarter, f.Received))
	}
	if len(why) == 0 {
		why = append(why, "none of the files, payouts, rules or configuration it records changed, so grantpipe itself renders it differently (another version?)")
	}
	if len(why) > 6 {
		why = append(why[:5], fmt.Sprintf("%d more changes", len(why)-5))
	}
	return why
}

// missingFrom returns the items of b that a lacks.
func missingFrom[T comparable](a, b []T) []T {
	have := map[T]bool{}
	for _, x := range a {
		have[x] = true
	}
	var out []T
	for _, x := range b {
		if !have[x] {
			out = append(out, x)
		}
	}
	return out
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
