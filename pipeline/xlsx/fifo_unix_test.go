//go:build unix

package xlsx

import (
	"path/filepath"
	"syscall"
	"testing"
)

func TestOpenNamedPipe(t *testing.T) {
	t.Run("a named pipe is refused without blocking", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "pipe.xlsx")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("no fifo: %v", err)
		}
		_, err := Open(fifo, Limits{})
		if err == nil || problemOf(err) != 0 {
			t.Errorf("error = %v, want a plain error", err)
		}
	})
}
