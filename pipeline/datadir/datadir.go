// Package datadir is the layout of grantpipe's data directory:
//
//	grantpipe.duckdb   the database
//	inbox/<AGS>/       one folder per district; files here are picked up
//	archive/           every accepted (and duplicate) file, after its commit
//	rejected/          files that could not be taken, each beside <name>.errors.txt
//	reports/           generated reports
package datadir

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Dir is a data directory.
type Dir struct {
	Root string
}

// New returns the data directory at root (not yet created).
func New(root string) Dir { return Dir{Root: root} }

// Database is the DuckDB file.
func (d Dir) Database() string { return filepath.Join(d.Root, "grantpipe.duckdb") }

// Programme is the data directory's own programme configuration: used when
// no --config is given and the file exists (the scaled demo writes one).
func (d Dir) Programme() string { return filepath.Join(d.Root, "programme.toml") }

// Inbox is where districts' files arrive.
func (d Dir) Inbox() string { return filepath.Join(d.Root, "inbox") }

// InboxOf is one district's inbox folder.
func (d Dir) InboxOf(ags string) string { return filepath.Join(d.Inbox(), ags) }

// Archive holds accepted files.
func (d Dir) Archive() string { return filepath.Join(d.Root, "archive") }

// Rejected holds rejected files and their error notes.
func (d Dir) Rejected() string { return filepath.Join(d.Root, "rejected") }

// Reports holds generated reports.
func (d Dir) Reports() string { return filepath.Join(d.Root, "reports") }

// Ensure creates the directory and its folders, with one inbox folder per
// district, if they do not exist yet.
func (d Dir) Ensure(districts []string) error {
	dirs := []string{d.Root, d.Inbox(), d.Archive(), d.Rejected(), d.Reports()}
	for _, ags := range districts {
		dirs = append(dirs, d.InboxOf(ags))
	}
	for _, p := range dirs {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
	}
	return nil
}

// Rel returns p relative to the data directory when it lies inside it, and p
// unchanged otherwise; paths stored in the database are relative so a data
// directory can be moved or restored elsewhere.
func (d Dir) Rel(p string) string {
	abs, err1 := filepath.Abs(p)
	root, err2 := filepath.Abs(d.Root)
	if err1 != nil || err2 != nil {
		return p
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return p
	}
	return filepath.ToSlash(rel)
}

// InboxDistrict tells whether path lies in the inbox, and in which district's
// folder ("" for the inbox itself).
func (d Dir) InboxDistrict(path string) (ags string, inInbox bool) {
	rel := d.Rel(path)
	if rel == path && !strings.HasPrefix(rel, "inbox/") {
		return "", false
	}
	parts := strings.Split(rel, "/")
	switch {
	case len(parts) == 2 && parts[0] == "inbox":
		return "", true
	case len(parts) == 3 && parts[0] == "inbox":
		return parts[1], true
	}
	return "", false
}

// InboxFile is a file waiting in the inbox.
type InboxFile struct {
	Path    string
	ModTime time.Time
}

// InboxFiles lists the files waiting in the inbox and its district folders,
// oldest first (so a later file supersedes an earlier one for the same
// quarter), skipping hidden files, office lock files and error notes.
// Files modified less than settle ago are left for the next run: they may
// still be being copied in.
func (d Dir) InboxFiles(now time.Time, settle time.Duration) ([]InboxFile, error) {
	var files []InboxFile
	err := filepath.WalkDir(d.Inbox(), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == d.Inbox() {
				return fs.SkipAll
			}
			return err
		}
		depth := strings.Count(d.Rel(p), "/")
		if e.IsDir() {
			if p != d.Inbox() && (depth > 1 || strings.HasPrefix(e.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() || Ignored(e.Name()) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if settle > 0 && now.Sub(info.ModTime()) < settle {
			return nil
		}
		files = append(files, InboxFile{Path: p, ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	sort.Slice(files, func(i, j int) bool {
		if !files[i].ModTime.Equal(files[j].ModTime) {
			return files[i].ModTime.Before(files[j].ModTime)
		}
		return files[i].Path < files[j].Path
	})
	return files, nil
}

// Ignored reports whether a file name is not a submission: hidden files,
// Excel's "~$" and LibreOffice's ".~lock" files, our own temporary files and
// error notes.
func Ignored(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") ||
		strings.HasSuffix(name, ".errors.txt") || strings.HasSuffix(name, ".tmp")
}

// FileSafe folds a name into a portable file name part: "Mansfeld-Südharz"
// becomes "Mansfeld-Suedharz", "Halle (Saale)" "Halle-Saale".
func FileSafe(s string) string { return fileSafe.Replace(s) }

var fileSafe = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "ß", "ss", " ", "-", "(", "", ")", "")

// MaxNameBytes is the longest file name grantpipe writes (the common
// file-system limit is 255 bytes); names built from a district's file name
// are shortened to fit, keeping their extension.
const MaxNameBytes = 255

// Printable returns s with every byte sequence that is not valid UTF-8 and
// every control character (newlines, ANSI escapes, …) written as \xNN (or
// \u{NNNN}), so that a name or a cell text can be stored in the database,
// printed on a console or written to a log line without forging anything.
// Text that is already printable comes back unchanged.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			fmt.Fprintf(&b, `\u{%04x}`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// StoredName is the name under which a district's file (or a file made from
// it) is written: prefix (may be empty) + the file's own name, made safe
// (Printable, with path separators and backslashes replaced by "_") and
// shortened in the middle of its base name, on a character boundary, so
// that the result plus suffix stays within MaxNameBytes. The extension is
// kept. The original name is kept in the database; this is only where the
// bytes live.
func StoredName(prefix, name, suffix string) string {
	safe := strings.NewReplacer("/", "_", `\`, "_").Replace(Printable(name))
	if safe == "" || safe == "." || safe == ".." {
		safe = "_" + safe
	}
	budget := MaxNameBytes - len(prefix) - len(suffix)
	if len(safe) <= budget {
		return prefix + safe + suffix
	}
	ext := filepath.Ext(safe)
	if len(ext) > 16 || strings.ContainsAny(ext, " ") {
		ext = ""
	}
	base := strings.TrimSuffix(safe, ext)
	const mark = "…"
	keep := budget - len(ext) - len(mark)
	if keep < 1 {
		keep = 1
	}
	cut := 0
	for i := range base {
		if i > keep {
			break
		}
		cut = i
	}
	if len(base) <= keep {
		cut = len(base)
	}
	return prefix + base[:cut] + mark + ext + suffix
}
