// Package lock makes sure one grantpipe process at a time writes a data
// directory. The writer holds an advisory lock (flock) on grantpipe.lock and
// writes into it who it is, so that a second writer can be told exactly
// which process holds the directory, since when, and for what. The
// operating system releases the lock when the process ends, however it ends,
// so a crash never leaves a stale lock behind.
package lock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// FileName is the lock file inside the data directory.
const FileName = "grantpipe.lock"

// Info says who holds a data directory.
type Info struct {
	PID     int       `json:"pid"`
	Since   time.Time `json:"since"`
	Command string    `json:"command"`
	Job     string    `json:"job,omitempty"`      // the scheduler's running job
	JobFrom time.Time `json:"job_from,omitempty"` // since when it runs
}

// HeldError is returned when another process holds the directory.
type HeldError struct {
	Dir  string
	Info Info
}

func (e *HeldError) Error() string {
	msg := fmt.Sprintf("the data directory %s is in use by another grantpipe process: pid %d, %q, since %s",
		e.Dir, e.Info.PID, e.Info.Command, e.Info.Since.Local().Format("2006-01-02 15:04:05"))
	if e.Info.Job != "" {
		msg += fmt.Sprintf(", now running the job %s (since %s)", e.Info.Job, e.Info.JobFrom.Local().Format("15:04:05"))
	}
	return msg + "; only one process may write it at a time"
}

// Lock is a held data directory.
type Lock struct {
	f    *os.File
	info Info
}

// Acquire takes the data directory dir for this process, or returns a
// *HeldError naming the process that has it.
func Acquire(dir, command string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			info, _ := Read(dir)
			return nil, &HeldError{Dir: dir, Info: info}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	l := &Lock{f: f, info: Info{PID: os.Getpid(), Since: time.Now().UTC().Truncate(time.Second), Command: command}}
	if err := l.write(); err != nil {
		l.Release()
		return nil, err
	}
	return l, nil
}

// SetJob records which job the holder is running ("" when idle), for
// anyone who finds the directory busy.
func (l *Lock) SetJob(job string) error {
	l.info.Job = job
	l.info.JobFrom = time.Time{}
	if job != "" {
		l.info.JobFrom = time.Now().UTC().Truncate(time.Second)
	}
	return l.write()
}

func (l *Lock) write() error {
	b, _ := json.Marshal(l.info)
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	if _, err := l.f.WriteAt(append(b, '\n'), 0); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	return nil
}

// Release gives the directory free.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := l.f.Close() // closing drops the flock
	l.f = nil
	return err
}

// Read tells who holds dir, if anyone wrote so. A process that holds no
// lock may have left its information; callers that need certainty use
// Acquire.
func Read(dir string) (Info, bool) {
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil || len(b) == 0 {
		return Info{}, false
	}
	var info Info
	if json.Unmarshal(b, &info) != nil {
		return Info{}, false
	}
	return info, true
}
