package datasets

import (
	"math/bits"
	"math/rand/v2"
)

// Permutation returns a random order of 0…n-1 that depends only on seed and stream (the epoch, in
// a Loader). It draws from a PCG generator with its own Fisher–Yates shuffle rather than
// rand.Shuffle, so the order stays the same across Go releases and a run can be repeated.
func Permutation(n int, seed, stream uint64) []int {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	src := rand.NewPCG(seed, stream)
	for i := n - 1; i > 0; i-- {
		j := int(uniform(src, uint64(i+1)))
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm
}

// uniform returns an unbiased number in [0, n) by Lemire's multiply-and-reject method.
func uniform(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		threshold := -n % n
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}
