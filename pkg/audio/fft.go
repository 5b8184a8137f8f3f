package audio

import (
	"math"
	"math/bits"
	"math/cmplx"
)

// fft returns the discrete Fourier transform X[k] = Σ x[n]·e^(−2πikn/N) of x, for any length:
// iterative radix 2 for powers of two, Bluestein's chirp-z algorithm (three power-of-two FFTs)
// otherwise.
func fft(x []complex128) []complex128 {
	n := len(x)
	out := make([]complex128, n)
	copy(out, x)
	if n <= 1 {
		return out
	}
	if n&(n-1) == 0 {
		radix2(out, false)
		return out
	}
	return bluestein(out)
}

// radix2 transforms x in place; len(x) is a power of two. inverse flips the sign of the exponent
// (without the 1/N).
func radix2(x []complex128, inverse bool) {
	n := len(x)
	shift := 64 - bits.TrailingZeros(uint(n))
	for i := range x {
		if j := int(bits.Reverse64(uint64(i)) >> shift); j > i {
			x[i], x[j] = x[j], x[i]
		}
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	for size := 2; size <= n; size *= 2 {
		half := size / 2
		for k := 0; k < half; k++ {
			w := cmplx.Rect(1, sign*2*math.Pi*float64(k)/float64(size))
			for start := 0; start < n; start += size {
				a, b := x[start+k], w*x[start+k+half]
				x[start+k], x[start+k+half] = a+b, a-b
			}
		}
	}
}

// bluestein writes nk = (k² + n² − (k−n)²)/2, turning the DFT into a convolution with the chirp
// e^(iπm²/N), done with power-of-two FFTs of length ≥ 2N−1.
func bluestein(x []complex128) []complex128 {
	n := len(x)
	m := 1
	for m < 2*n-1 {
		m *= 2
	}
	chirp := make([]complex128, n)
	for k := range chirp {
		// k² mod 2N keeps the angle small, so large N loses no precision.
		k2 := (int64(k) * int64(k)) % int64(2*n)
		chirp[k] = cmplx.Rect(1, -math.Pi*float64(k2)/float64(n))
	}
	a := make([]complex128, m)
	b := make([]complex128, m)
	for k := 0; k < n; k++ {
		a[k] = x[k] * chirp[k]
		b[k] = cmplx.Conj(chirp[k])
		if k > 0 {
			b[m-k] = cmplx.Conj(chirp[k])
		}
	}
	radix2(a, false)
	radix2(b, false)
	for i := range a {
		a[i] *= b[i]
	}
	radix2(a, true)
	out := make([]complex128, n)
	for k := range out {
		out[k] = a[k] / complex(float64(m), 0) * chirp[k]
	}
	return out
}
