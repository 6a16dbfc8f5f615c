package feedback

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/store"
)

// Suffix ends the name of every feedback workbook that is an .xlsx.
const Suffix = ".feedback.xlsx"

// ODSSuffix ends the name of a feedback workbook that is an .ods: the
// district's own .ods with the findings marked (Result.ODS). It lives at
// Path with Suffix replaced by ODSSuffix (see ODSPath).
const ODSSuffix = ".feedback.ods"

// ODSPath is where the feedback of a submission lives when it is an .ods,
// given its Path.
func ODSPath(path string) string {
	return strings.TrimSuffix(path, Suffix) + ODSSuffix
}

// Path returns where the feedback workbook of a submission lives: in the
// data directory's reports/feedback, at the place of the submission's
// stored file (storedPath, relative to the data directory as the database
// keeps it) with its extension replaced by Suffix. The archive's own folder
// is left out, a rejected file keeps its folder under rejected/:
//
//	archive/15090/2026-Q1/3f2a…_Meldung.xlsx → reports/feedback/15090/2026-Q1/3f2a…_Meldung.feedback.xlsx
//	rejected/15090/Meldung.xlsx           → reports/feedback/rejected/15090/Meldung.feedback.xlsx
//
// A district that corrects its feedback workbook and sends it back sends a
// file whose name ends in ".feedback" already; that ending is not doubled:
//
//	archive/15090/2026-Q1/9c1d…_Meldung.feedback.xlsx → reports/feedback/15090/2026-Q1/9c1d…_Meldung.feedback.xlsx
//
// Every submission has a stored file of its own, so every submission has a
// feedback workbook of its own: two districts that both send Meldung.xlsx,
// or one that sends two quarters under that name, get one each. (Two
// rejected files of one folder whose names differ only in the extension or
// that ending would share a path; WriteAll numbers the later ones.) Each
// part of the path is made safe and short enough with datadir.StoredName,
// and the result never leaves reports/feedback.
func Path(d datadir.Dir, storedPath string) string {
	return numberedPath(d, storedPath, 1)
}

// numberedPath is Path, with " (n)" after the name for n > 1.
func numberedPath(d datadir.Dir, storedPath string, n int) string {
	p := path.Clean("/" + strings.ReplaceAll(storedPath, `\`, "/"))
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if len(parts) > 1 && parts[0] == "archive" {
		parts = parts[1:]
	}
	out := []string{d.Reports(), "feedback"}
	for i, part := range parts {
		if i == len(parts)-1 {
			stem := strings.TrimSuffix(part, path.Ext(part))
			if stem == "" {
				stem = part
			}
			stem = withoutFeedbackEnding(stem)
			suffix := Suffix
			if n > 1 {
				suffix = fmt.Sprintf(" (%d)%s", n, Suffix)
			}
			out = append(out, datadir.StoredName("", stem, suffix))
			break
		}
		out = append(out, datadir.StoredName("", part, ""))
	}
	return filepath.Join(out...)
}

// feedbackEnding ends the stem of a feedback workbook's name (Suffix
// without the extension).
var feedbackEnding = strings.TrimSuffix(Suffix, path.Ext(Suffix))

// withoutFeedbackEnding strips from a name's stem the ".feedback" endings a
// feedback workbook sent back carries (in any case: a file system or a
// mail program may change it), unless nothing of the name would be left.
func withoutFeedbackEnding(stem string) string {
	for len(stem) > len(feedbackEnding) && strings.EqualFold(stem[len(stem)-len(feedbackEnding):], feedbackEnding) {
		rest := stem[:len(stem)-len(feedbackEnding)]
		if strings.TrimSpace(rest) == "" || strings.HasSuffix(rest, "/") {
			break
		}
		stem = rest
	}
	return stem
}

// Paths gives every stored file of subs (store.SentFiles, oldest first)
// the path of its feedback workbook, as WriteAll writes it: for a front
// end that hands a district its workbook.
func Paths(d datadir.Dir, subs []store.Sent) map[string]string { return paths(d, subs) }

// paths gives every stored file of subs its feedback workbook's path: Path,
// or, when an earlier file (in the order of subs, oldest first) already has
// that path, the first numbered one free. The same stored file named twice
// gets one path.
func paths(d datadir.Dir, subs []store.Sent) map[string]string {
	out := map[string]string{}
	taken := map[string]bool{}
	for _, s := range subs {
		if _, done := out[s.StoredPath]; done {
			continue
		}
		p := Path(d, s.StoredPath)
		for n := 2; taken[p]; n++ {
			p = numberedPath(d, s.StoredPath, n)
		}
		taken[p] = true
		out[s.StoredPath] = p
	}
	return out
}

// RemoveUnowned deletes the feedback workbooks under dir (the data
// directory's reports/feedback) that are not in keep: those of submissions
// that no longer exist, and those an earlier version named after the file
// alone. Only files whose names end in Suffix or ODSSuffix are touched, and folders that
// are left empty by it; everything else stays. It returns the paths removed.
func RemoveUnowned(dir string, keep []string) ([]string, error) {
	owned := make(map[string]bool, len(keep))
	for _, k := range keep {
		owned[filepath.Clean(k)] = true
	}
	var stale []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.Type().IsRegular() && (strings.HasSuffix(e.Name(), Suffix) || strings.HasSuffix(e.Name(), ODSSuffix)) && !owned[filepath.Clean(p)] {
			stale = append(stale, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	root := filepath.Clean(dir)
	emptied := map[string]bool{}
	for _, p := range stale {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("feedback: %w", err)
		}
		for d := filepath.Dir(p); d != root && strings.HasPrefix(d, root+string(filepath.Separator)); d = filepath.Dir(d) {
			emptied[d] = true
		}
	}
	// Deepest first, so that a folder emptied by removing its sub-folders
	// goes too; a folder that still holds anything stays (os.Remove fails).
	dirs := make([]string, 0, len(emptied))
	for d := range emptied {
		dirs = append(dirs, d)
	}
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
	for _, d := range dirs {
		_ = os.Remove(d)
	}
	return stale, nil
}
