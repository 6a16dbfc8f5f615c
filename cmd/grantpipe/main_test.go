package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestMain lets tests run grantpipe as a separate process (to kill it, or to
// measure its memory) without building a binary: the test binary runs Main
// itself when GRANTPIPE_TEST_EXEC is set.
func TestMain(m *testing.M) {
	if os.Getenv("GRANTPIPE_TEST_EXEC") == "1" {
		code := process()
		if f := os.Getenv("GRANTPIPE_TEST_PEAK"); f != "" {
			os.WriteFile(f, []byte(fmt.Sprint(ownPeak())), 0o644)
		}
		os.Exit(code)
	}
	code := m.Run()
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

// child returns grantpipe as a child process.
func child(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(append(os.Environ(), "GRANTPIPE_TEST_EXEC=1"), env...)
	return cmd
}

// childPeak runs cmd (from child) and returns the child's own peak resident
// memory in MiB, which it writes on exit (the Maxrss that wait reports
// includes the test process's own peak on Linux).
func childPeak(t *testing.T, cmd *exec.Cmd) (int64, error) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "peak")
	cmd.Env = append(cmd.Env, "GRANTPIPE_TEST_PEAK="+f)
	err := cmd.Run()
	b, rerr := os.ReadFile(f)
	if rerr != nil {
		return -1, err
	}
	kib, _ := strconv.ParseInt(string(b), 10, 64)
	return kib >> 10, err
}

// run runs grantpipe in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, &out, &errOut, func(string) string { return "" })
	return code, out.String(), errOut.String()
}

func TestUsage(t *testing.T) {
	t.Run("no command prints the usage and exits 2", func(t *testing.T) {
		code, out, _ := run(t)
		if code != exitUsage || !strings.Contains(out, "usage: grantpipe") {
			t.Errorf("code %d, output %q", code, out)
		}
	})
	t.Run("an unknown command exits 2 naming it", func(t *testing.T) {
		code, _, errOut := run(t, "frobnicate")
		if code != exitUsage || !strings.Contains(errOut, `unknown command "frobnicate"`) {
			t.Errorf("code %d, stderr %q", code, errOut)
		}
	})
	t.Run("a bad flag exits 2", func(t *testing.T) {
		code, _, _ := run(t, "ingest", "--no-such-flag")
		if code != exitUsage {
			t.Errorf("code %d", code)
		}
	})
	t.Run("a bad language exits 2", func(t *testing.T) {
		code, _, errOut := run(t, "config", "--lang", "fr")
		if code != exitUsage || !strings.Contains(errOut, "--lang") {
			t.Errorf("code %d, stderr %q", code, errOut)
		}
	})
	t.Run("a bad log level exits 2", func(t *testing.T) {
		code, _, errOut := run(t, "config", "--log-level", "loud")
		if code != exitUsage || !strings.Contains(errOut, "--log-level") {
			t.Errorf("code %d, stderr %q", code, errOut)
		}
	})
	t.Run("a broken configuration file fails naming the key", func(t *testing.T) {
		f := t.TempDir() + "/p.toml"
		os.WriteFile(f, []byte("[[budget_year]]\nyear = 2026\nstate_budgett_eur = 1\n"), 0o644)
		code, _, errOut := run(t, "config", "--config", f)
		if code != exitError || !strings.Contains(errOut, "state_budgett_eur") {
			t.Errorf("code %d, stderr %q", code, errOut)
		}
	})
}

func TestConfigPrintsTheEffectiveConfigurationWhichLoadsAgain(t *testing.T) {
	code, out, errOut := run(t, "config")
	if code != 0 {
		t.Fatalf("config: %d %s", code, errOut)
	}
	for _, want := range []string{"state_budget_eur = 1540000.00", `name = "Mansfeld-Südharz"`, "district_cap_eur = 110000.00"} {
		if !strings.Contains(out, want) {
			t.Errorf("config output lacks %q", want)
		}
	}
	f := t.TempDir() + "/p.toml"
	os.WriteFile(f, []byte(out), 0o644)
	code, again, errOut := run(t, "config", "--config", f)
	if code != 0 || again != out {
		t.Errorf("config --config of its own output: code %d, %s, same=%v", code, errOut, again == out)
	}
}
