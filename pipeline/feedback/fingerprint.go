package feedback

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/store"
)

// fingerprintOf is the sha256 of what a file's feedback workbook is made
// from: version (grantpipe and its messages), the language and time zone,
// the file as recorded (its stored bytes never change), what replaced it,
// and its findings, and the stored file as it is on disk (src: its size and
// modification time; it is never changed, unless by hand).
func fingerprintOf(version, lang string, loc *time.Location, s store.Sent, findings []Finding, src string) (string, error) {
	zone := ""
	if loc != nil {
		zone = loc.String()
	}
	// Which run the findings come from is no input: a check of the same
	// data finds the same.
	s.FindingsRun = 0
	var size, mod int64 = -1, -1
	if fi, err := os.Stat(src); err == nil {
		size, mod = fi.Size(), fi.ModTime().UnixNano()
	}
	data, err := json.Marshal(struct {
		Version, Lang, Zone string
		Sent                store.Sent
		Findings            []Finding
		Size, Mod           int64
	}{version, lang, zone, s, findings, size, mod})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// records is what the workbooks under a folder were made from (see
// store.Rendered), and what this run made.
type records struct {
	folder string // the feedback folder, absolute, with a trailing separator: its own record's path
	have   map[string]store.Rendered
	set    map[string]store.Rendered
	gone   []string
}

func readRecords(ctx context.Context, st *store.Store, dir string) (*records, error) {
	abs, have, err := st.RenderedUnder(ctx, dir)
	if err != nil {
		return nil, err
	}
	return &records{folder: abs + string(filepath.Separator), have: have, set: map[string]store.Rendered{}}, nil
}

// allCurrent tells whether the folder was recorded with key (see
// WriteChanged) and every workbook recorded under it is on disk as
// written.
func (r *records) allCurrent(key string) bool {
	if key == "" {
		return false
	}
	if old, ok := r.have[r.folder]; !ok || old.Fingerprint != folderKey(key) {
		return false
	}
	for path, v := range r.have {
		if path == r.folder {
			continue
		}
		fi, err := os.Stat(path)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() != v.Size || fi.ModTime().UnixNano() != v.ModTime {
			return false
		}
	}
	return true
}

// done records that every workbook is current with key.
func (r *records) done(key string) {
	if key != "" {
		r.set[r.folder] = store.Rendered{Fingerprint: folderKey(key)}
	}
}

func folderKey(key string) string {
	sum := sha256.Sum256([]byte("feedback\x00" + key))
	return hex.EncodeToString(sum[:])
}

// current returns the path of the workbook of the file whose workbook
// belongs at path (or its .ods twin) when it was made from fingerprint and
// is on disk as written, with the note recorded with it; "" when it must
// be made again.
func (r *records) current(path, fingerprint string) (string, *store.Note) {
	for _, p := range []string{path, ODSPath(path)} {
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		old, ok := r.have[abs]
		if !ok || old.Fingerprint != fingerprint {
			continue
		}
		fi, err := os.Stat(abs)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() != old.Size || fi.ModTime().UnixNano() != old.ModTime {
			continue
		}
		var note *store.Note
		if old.Note != "" {
			note = &store.Note{}
			if json.Unmarshal([]byte(old.Note), note) != nil {
				return "", nil // unreadable: make it again
			}
		}
		return p, note
	}
	return "", nil
}

// rendered notes that the workbook at path was made from fingerprint, with
// note, as it is on disk now.
func (r *records) rendered(path, fingerprint string, note *store.Note) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return
	}
	fi, err := os.Stat(abs)
	if err != nil {
		r.gone = append(r.gone, abs)
		return
	}
	var n string
	if note != nil {
		if b, err := json.Marshal(note); err == nil {
			n = string(b)
		}
	}
	r.set[abs] = store.Rendered{Fingerprint: fingerprint, Size: fi.Size(), ModTime: fi.ModTime().UnixNano(), Note: n}
}

// save records what was made and forgets the workbooks removed.
func (r *records) save(ctx context.Context, st *store.Store, removed []string) error {
	for _, p := range removed {
		if abs, err := filepath.Abs(p); err == nil {
			r.gone = append(r.gone, abs)
		}
	}
	return st.RecordRendered(ctx, r.set, r.gone)
}

// sourcesKey is key with the size and modification time of every stored
// file (the archive's and the rejected ones'), so that the whole folder is
// taken as current only while none of them changed.
func sourcesKey(key string, d datadir.Dir) (string, error) {
	h := sha256.New()
	h.Write([]byte(key))
	for _, root := range []string{d.Archive(), d.Rejected()} {
		err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if e.IsDir() {
				return nil
			}
			fi, err := e.Info()
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "\x00%s\x00%d\x00%d", path, fi.Size(), fi.ModTime().UnixNano())
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
