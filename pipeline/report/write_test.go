package report

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// Reports are read by a staff account, not by the service that writes
// them: they get mode 0644 less the process's umask, as os.Create would
// give them (os.CreateTemp gave 0600 whatever the umask). A umask of 077
// keeps them private, as it keeps the folders that hold them.
func TestReportFilesGetMode0644LessTheUmask(t *testing.T) {
	for _, c := range []struct {
		umask int
		want  fs.FileMode
	}{
		{0o022, 0o644},
		{0o002, 0o644},
		{0o027, 0o640},
		{0o077, 0o600},
	} {
		old := syscall.Umask(c.umask)
		dir := t.TempDir()
		written, err := WriteAll(context.Background(), dir, excelTestData("de"), excelCatalog(t), nil)
		if err != nil {
			syscall.Umask(old)
			t.Fatal(err)
		}
		syscall.Umask(old)
		if len(written) != 8 {
			t.Fatalf("%d reports written, want 8 (3 districts and the state, PDF and workbook)", len(written))
		}
		for _, path := range paths(written) {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != c.want {
				t.Errorf("umask %03o: %s has mode %03o, want %03o", c.umask, filepath.Base(path), got, c.want)
			}
		}
		left, _ := filepath.Glob(filepath.Join(dir, "*", ".report-*"))
		if len(left) > 0 {
			t.Errorf("temporary files left: %v", left)
		}
	}
}

// A cancelled context stops WriteAll before the next document; the
// reports already written stay, the one being rendered is not written.
func TestWriteAllStopsWhenCancelled(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var loaded atomic.Int32
	_, err := WriteAll(ctx, dir, excelTestData("de"), excelCatalog(t), func(*District) error {
		loaded.Add(1)
		cancel() // SIGTERM while the first district's receipts load
		return nil
	})
	if err == nil || ctx.Err() == nil {
		t.Fatalf("error %v after cancelling", err)
	}
	if n := loaded.Load(); n > 2 {
		t.Errorf("%d districts loaded after the context was cancelled, want at most one per core", n)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) > 4 {
		t.Errorf("%d files written after the context was cancelled: %v", len(files), files)
	}
}

// A district whose receipts cannot be loaded fails its documents, and the
// error says so, whichever job ran first.
func TestWriteAllReportsTheDocumentThatFailed(t *testing.T) {
	d := excelTestData("de")
	broken := d.Districts[1].AGS
	errBroken := errors.New("receipts unreadable")
	written, err := WriteAll(context.Background(), t.TempDir(), d, excelCatalog(t), func(dist *District) error {
		if dist.AGS == broken {
			return errBroken
		}
		return nil
	})
	if !errors.Is(err, errBroken) {
		t.Errorf("error %v, want the failed district's", err)
	}
	for _, w := range written {
		if strings.Contains(filepath.Base(w.Path), broken) {
			t.Errorf("%s written, though its receipts failed to load", w.Path)
		}
	}
}

func paths(ws []Written) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Path)
	}
	return out
}
