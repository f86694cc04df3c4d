//go:build unix

package face

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, all threads: on a shared
// machine it says more of the work done than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
