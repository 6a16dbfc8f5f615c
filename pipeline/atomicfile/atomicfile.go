// Package atomicfile writes files so that they appear whole or not at all:
// through a temporary file in the same folder, synced, renamed over the
// target, and the folder synced, so that a crash at any moment leaves either
// the old file or the new one. Every file grantpipe writes goes through it:
// archived copies, error notes, reports, feedback workbooks, forms.
//
// Files get mode 0644 less the process's umask, like any file a program
// creates with os.Create (os.CreateTemp would make them 0600 whatever the
// umask), so that the staff account can read what the service writes; a
// umask of 077 keeps them private, as it keeps their folders.
package atomicfile

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Mode is the mode files are created with, before the umask.
const Mode fs.FileMode = 0o644

// prefix and suffix mark this package's temporary files; IsTemporary
// recognises them.
const (
	prefix = ".atomic-"
	suffix = ".tmp"
)

// IsTemporary tells whether name is a temporary file of this package: one a
// process killed mid-write left behind, safe to remove when no write is
// running.
func IsTemporary(name string) bool {
	return strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix)
}

// Write puts data at path, creating its folder if need be.
func Write(path string, data []byte) error {
	return write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}, time.Time{})
}

// WriteIfChanged writes data to path unless path already holds exactly
// data; it tells whether it wrote.
func WriteIfChanged(path string, data []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	return true, Write(path, data)
}

// Copy copies src to dst, keeping src's modification time (for a district's
// file, the time it was received).
func Copy(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	return write(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	}, info.ModTime())
}

// Move renames src to dst durably, falling back to Copy and removing src
// when they are on different file systems.
func Move(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	err := os.Rename(src, dst)
	if err == nil {
		return syncDir(filepath.Dir(dst))
	}
	if !errors.Is(err, syscall.EXDEV) {
		return err
	}
	if err := Copy(src, dst); err != nil {
		return err
	}
	return os.Remove(src)
}

func write(path string, fill func(io.Writer) error, mtime time.Time) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := createTemp(dir)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fill(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(tmp.Name(), mtime, mtime); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// createTemp is os.CreateTemp with the package's mode (umask applies): a
// new (O_EXCL), hidden name in dir.
func createTemp(dir string) (*os.File, error) {
	var b [8]byte
	for range 100 {
		rand.Read(b[:])
		f, err := os.OpenFile(filepath.Join(dir, prefix+hex.EncodeToString(b[:])+suffix), os.O_RDWR|os.O_CREATE|os.O_EXCL, Mode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no unused temporary name in %s", dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some file systems cannot sync a folder; the rename itself stands.
	_ = d.Sync()
	return nil
}
