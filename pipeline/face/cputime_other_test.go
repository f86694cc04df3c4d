//go:build !unix

package face

import "time"

func cpuTime() time.Duration { return 0 }
