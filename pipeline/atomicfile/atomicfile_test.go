package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestWriteReplacesWholeAndLeavesNoTemporary(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "r.pdf")
	if err := Write(p, []byte("eins")); err != nil {
		t.Fatal(err)
	}
	changed, err := WriteIfChanged(p, []byte("eins"))
	if err != nil || changed {
		t.Errorf("same content: changed %v, %v", changed, err)
	}
	changed, err = WriteIfChanged(p, []byte("zwei"))
	if err != nil || !changed {
		t.Errorf("new content: changed %v, %v", changed, err)
	}
	if b, _ := os.ReadFile(p); string(b) != "zwei" {
		t.Errorf("content %q", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Errorf("folder holds %v", entries)
	}
}

func TestFilesAreReadableByStaffUnderTheUsualUmask(t *testing.T) {
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o002, 0o644}, {0o027, 0o640}, {0o077, 0o600}} {
		old := syscall.Umask(c.umask)
		p := filepath.Join(t.TempDir(), "f")
		err := Write(p, []byte("x"))
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := os.Stat(p)
		if info.Mode().Perm() != c.want {
			t.Errorf("umask %03o: mode %v, want %v", c.umask, info.Mode().Perm(), c.want)
		}
	}
}

func TestCopyKeepsTheReceivedTimeAndMoveWorks(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "a.xlsx")
	os.WriteFile(src, []byte("x"), 0o600)
	april := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	os.Chtimes(src, april, april)
	dst := filepath.Join(dir, "archiv", "a.xlsx")
	if err := Copy(src, dst); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(dst); !info.ModTime().Equal(april) {
		t.Errorf("copy dated %v", info.ModTime())
	}
	moved := filepath.Join(dir, "weg", "a.xlsx")
	if err := Move(src, moved); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(src); !os.IsNotExist(err) {
		t.Error("the source is still there")
	}
	if IsTemporary("a.xlsx") || !IsTemporary(prefix+"0011"+suffix) {
		t.Error("IsTemporary")
	}
}
