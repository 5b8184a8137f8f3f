package audio

import (
	"fmt"
	"math"
)

// Resample converts x from rate from to rate to (Hz) with a polyphase windowed-sinc filter, the
// same filter and alignment as scipy.signal.resample_poly(x, up, down) with up/down = to/from in
// lowest terms: a low-pass at the lower of the two Nyquist frequencies, 20·max(up, down)+1 taps
// of sinc times a Kaiser window (β = 5), zeros outside x. The output has ⌈len(x)·up/down⌉ samples.
// Chapter 12 brings clips to one rate before computing features.
func Resample(x []float32, from, to int) ([]float32, error) {
	if from <= 0 || to <= 0 {
		return nil, fmt.Errorf("audio: resample from %d Hz to %d Hz; rates must be positive", from, to)
	}
	g := gcd(from, to)
	up, down := to/g, from/g
	if up == 1 && down == 1 {
		return append([]float32(nil), x...), nil
	}
	rate := max(up, down)
	if rate > 1<<16 {
		return nil, fmt.Errorf("audio: resample from %d Hz to %d Hz: ratio %d/%d needs a filter of %d taps; "+
			"round a rate first", from, to, up, down, 20*rate+1)
	}
	h := lowpass(10*rate, 1/float64(rate), float64(up))
	half := 10 * rate
	n := (len(x)*up + down - 1) / down
	y := make([]float32, n)
	for m := range y {
		// y[m] = Σ_k x[k]·h[m·down − k·up + half], over the k where the index is in [0, 2·half].
		c := m*down + half
		kLo := max(0, (c-2*half+up-1)/up)
		kHi := min(len(x)-1, c/up)
		var sum float64
		for k := kLo; k <= kHi; k++ {
			sum += float64(x[k]) * h[c-k*up]
		}
		y[m] = float32(sum)
	}
	return y, nil
}

// lowpass returns scipy.signal.firwin(2·half+1, cutoff, window=("kaiser", 5)) times gain:
// cutoff·sinc(cutoff·(i−half)) times a Kaiser window, scaled to a DC gain of exactly gain.
func lowpass(half int, cutoff, gain float64) []float64 {
	h := make([]float64, 2*half+1)
	var sum float64
	i0 := besselI0(5)
	for i := range h {
		t := float64(i - half)
		s := cutoff
		if t != 0 {
			s = math.Sin(math.Pi*cutoff*t) / (math.Pi * t)
		}
		r := t / float64(half)
		h[i] = s * besselI0(5*math.Sqrt(math.Max(0, 1-r*r))) / i0
		sum += h[i]
	}
	for i := range h {
		h[i] *= gain / sum
	}
	return h
}

// besselI0 is the modified Bessel function of the first kind of order 0, by its power series
// Σ ((x/2)^k / k!)², which converges fast for the window's arguments (0 to 5).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / 2) / float64(k)
		sum += term * term
		if term*term < 1e-17*sum {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
