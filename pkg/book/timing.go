package book

import (
	"slices"
	"time"
)

// MedianTime runs f runs times and returns the median duration, which a stray slow run (a
// compilation, another process on the core) does not move. Chapter 02 compares a forward
// pass with a forward and backward pass by it.
func MedianTime(runs int, f func()) time.Duration {
	times := make([]time.Duration, max(runs, 1))
	for i := range times {
		start := time.Now()
		f()
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	return times[len(times)/2]
}
