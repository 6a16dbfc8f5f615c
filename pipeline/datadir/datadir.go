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

// Payouts keeps the payout lists imported through grantpipe serve, as they
// were received.
func (d Dir) Payouts() string { return filepath.Join(d.Root, "payouts") }

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

// Reasons an inbox entry is left where it is.
const (
	SkipSymlink  = "symlink"  // a symbolic link: never followed
	SkipFolder   = "folder"   // a folder below a district's folder
	SkipSpecial  = "special"  // a FIFO, socket or device
	SkipSettling = "settling" // modified less than the settle time ago: may still be being written
)

// Skipped is an inbox entry that is not taken, and why; it stays where it is
// and is named in the run's output and in status, never dropped silently.
type Skipped struct {
	Path   string
	Reason string // one of the Skip… constants
}

// Inbox is what a look into the inbox found.
type Inbox struct {
	Files   []InboxFile // to be taken, oldest first
	Skipped []Skipped   // left where they are, in path order
}

// InboxFiles lists the files waiting in the inbox and its district folders,
// oldest first (so a later file supersedes an earlier one for the same
// quarter). See ScanInbox.
func (d Dir) InboxFiles(now time.Time, settle time.Duration) ([]InboxFile, error) {
	in, err := d.ScanInbox(now, settle)
	return in.Files, err
}

// ScanInbox looks into the inbox and its district folders. Hidden files,
// office lock files and error notes are no submissions and are passed over.
// Files modified less than settle before now are left for the next run:
// they may still be being copied in. A modification time in the future
// does not hold a file back (a writer sets the time to now while it
// writes; a time ahead of the clock was set on purpose, after writing).
// Symbolic links, folders below a district folder and special files are
// reported as skipped.
func (d Dir) ScanInbox(now time.Time, settle time.Duration) (Inbox, error) {
	var in Inbox
	err := filepath.WalkDir(d.Inbox(), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == d.Inbox() {
				return fs.SkipAll
			}
			return err
		}
		if p == d.Inbox() {
			return nil
		}
		depth := strings.Count(d.Rel(p), "/")
		hidden := strings.HasPrefix(e.Name(), ".")
		switch {
		case e.IsDir():
			if hidden {
				return fs.SkipDir
			}
			if depth > 1 {
				in.Skipped = append(in.Skipped, Skipped{Path: p, Reason: SkipFolder})
				return fs.SkipDir
			}
			return nil
		case Ignored(e.Name()):
			return nil
		case e.Type()&fs.ModeSymlink != 0:
			in.Skipped = append(in.Skipped, Skipped{Path: p, Reason: SkipSymlink})
			return nil
		case !e.Type().IsRegular():
			in.Skipped = append(in.Skipped, Skipped{Path: p, Reason: SkipSpecial})
			return nil
		}
		info, err := e.Info()
		if err != nil {
			if os.IsNotExist(err) {
				return nil // gone since the folder was read
			}
			return err
		}
		if settle > 0 && !info.ModTime().After(now) && now.Sub(info.ModTime()) < settle {
			in.Skipped = append(in.Skipped, Skipped{Path: p, Reason: SkipSettling})
			return nil
		}
		in.Files = append(in.Files, InboxFile{Path: p, ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return Inbox{}, fmt.Errorf("inbox: %w", err)
	}
	sort.Slice(in.Files, func(i, j int) bool {
		if !in.Files[i].ModTime.Equal(in.Files[j].ModTime) {
			return in.Files[i].ModTime.Before(in.Files[j].ModTime)
		}
		return in.Files[i].Path < in.Files[j].Path
	})
	return in, nil
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
