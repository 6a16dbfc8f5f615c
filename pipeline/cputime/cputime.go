// Package cputime measures what a benchmark costs in CPU time (user and
// system time of every thread of the process, DuckDB's too). On a shared
// machine the wall time of a run varies with what else runs, the CPU time
// it takes much less, so the benchmarks report both.
package cputime

import (
	"syscall"
	"testing"
	"time"
)

// PerOp starts counting; the function it returns reports the CPU time
// since, per op, as cpu-ms/op. It counts the stopped timer's work too.
func PerOp(b *testing.B) func() {
	start := Now(b)
	return func() {
		b.ReportMetric(float64((Now(b)-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

// Now is the process's CPU time so far.
func Now(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
