package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"grantpipe/pipeline/atomicfile"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/store"
)

// Document is one file of a period's reports and the fingerprint of what it
// is made from.
type Document struct {
	Name        string // as WriteAll names it in the period's folder
	Fingerprint string
}

// Fingerprints returns, in the order WriteAll writes them, the documents of
// d's period with the fingerprint of what each document of d's period is made from: a sha256
// over everything its renderer reads. d is as Load left it (no district's
// receipts loaded); the receipts and income lines are stood for by the
// district's lines in the database (lines, store.DistrictLines of d's
// year: its current submissions and which of their lines count). salt is what the caller
// adds: the version of grantpipe and of the message catalogue, so that
// another renderer renders again.
//
// A district's documents are made from the period's settings, the
// district's own data (its figures, findings, sources, payouts, data time
// …) and its lines; the state's and the settlement overview from the
// period's settings and every district's data. So a file from one district
// changes its own documents and the state's, and no other district's.
func Fingerprints(ctx context.Context, d *Data, cat *messages.Catalog, salt string, ql []store.QuarterLines) ([]Document, error) {
	first, last := d.Period.span()
	lines := map[string]*strings.Builder{}
	for _, q := range ql {
		if q.Quarter < first || q.Quarter > last {
			continue
		}
		b := lines[q.District]
		if b == nil {
			b = &strings.Builder{}
			lines[q.District] = b
		}
		fmt.Fprintf(b, "Q%d:%s\n", q.Quarter, q.Text)
	}
	period, err := json.Marshal(periodInputs{Salt: salt, Period: d.Period, Lang: d.Lang, AsOf: d.AsOf, RuleSet: d.RuleSet,
		Location: locationName(d.Location), StateBudget: d.StateBudget.String(), DistrictCap: d.DistrictCap.String(),
		FundingRatePct: d.FundingRatePct, LineTolerance: d.LineTolerance, Population: d.Population,
		Categories: d.Categories, ActivityTypes: d.ActivityTypes, IncomeTypes: d.IncomeTypes})
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", d.Period.Slug(), err)
	}
	var state string
	var out []Document
	for _, j := range reportJobs(ctx, d, cat) {
		var fp string
		if j.dist == nil {
			if state == "" {
				// The run's id is no input: a check of the same data
				// renders the same documents.
				whole := *d
				whole.RunID = 0
				if state, err = fingerprint(period, &whole, ""); err != nil {
					return nil, fmt.Errorf("report %s: %w", d.Period.Slug(), err)
				}
			}
			fp = state
		} else {
			var l string
			if b := lines[j.dist.AGS]; b != nil {
				l = b.String()
			}
			if fp, err = fingerprint(period, j.dist, l); err != nil {
				return nil, fmt.Errorf("report %s: %w", d.Period.Slug(), err)
			}
		}
		for _, n := range j.names {
			out = append(out, Document{n, fp})
		}
	}
	return out, nil
}

// periodInputs is what every document of a period reads besides its
// district's (or the state's) data.
type periodInputs struct {
	Salt           string
	Period         Period
	Lang           string
	AsOf           time.Time
	RuleSet        string
	Location       string
	StateBudget    string
	DistrictCap    string
	FundingRatePct int64
	LineTolerance  int64
	Population     int
	Categories     []Category
	ActivityTypes  []ActivityType
	IncomeTypes    []IncomeType
}

func locationName(l *time.Location) string {
	if l == nil {
		return ""
	}
	return l.String()
}

// fingerprint is the sha256 of the period's inputs, v as JSON (maps in key
// order, so the same data gives the same text) and lines.
func fingerprint(period []byte, v any, lines string) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(period)
	h.Write([]byte{0})
	h.Write(data)
	h.Write([]byte{0})
	h.Write([]byte(lines))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// WriteOnly is WriteAll for the documents named in want: the documents of a
// district (or the state) are rendered together when want names any of
// them. The others are neither rendered nor touched, nor returned.
func WriteOnly(ctx context.Context, dir string, d *Data, cat *messages.Catalog, load func(*District) error, want map[string]bool) ([]Written, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("reports %s: %w", d.Period.Slug(), err)
	}
	var jobs []reportJob
	for _, j := range reportJobs(ctx, d, cat) {
		for _, n := range j.names {
			if want[n] {
				jobs = append(jobs, j)
				break
			}
		}
	}
	if len(jobs) == 0 {
		return nil, nil
	}
	out := filepath.Join(dir, d.Period.Slug())
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("reports %s: %w", d.Period.Slug(), err)
	}
	return writeJobs(ctx, d, jobs, load, func(name string, data []byte) (Written, error) {
		path := filepath.Join(out, name)
		changed, err := atomicfile.WriteIfChanged(path, data)
		return Written{Path: path, Changed: changed}, err
	})
}
