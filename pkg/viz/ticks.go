package viz

import (
	"math"
	"strconv"
	"strings"
)

// tick is one axis tick: its value and its label.
type tick struct {
	v     float64
	label string
}

// niceStep returns a step of 1, 2 or 5 times a power of ten that cuts span into about n parts.
func niceStep(span float64, n int) float64 {
	if n < 1 {
		n = 1
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch norm := raw / mag; {
	case norm < 1.5:
		return mag
	case norm < 3:
		return 2 * mag
	case norm < 7:
		return 5 * mag
	default:
		return 10 * mag
	}
}

// linearTicks returns ticks at multiples of a nice step within [lo, hi], about n of them.
func linearTicks(lo, hi float64, n int) []tick { return stepTicks(lo, hi, niceStep(hi-lo, n)) }

// stepTicks returns ticks at the multiples of step within [lo, hi].
func stepTicks(lo, hi, step float64) []tick {
	first := math.Ceil(lo/step - 1e-9)
	var ticks []tick
	for k := first; k*step <= hi+step*1e-9; k++ {
		v := k*step + 0 // +0 turns -0 into 0
		ticks = append(ticks, tick{v, formatTick(v, step)})
	}
	return ticks
}

// formatTick formats v with as many decimals as step needs, so 0.1+0.2 prints as 0.3.
func formatTick(v, step float64) string {
	if math.Abs(v) < step*1e-6 {
		return "0"
	}
	if math.Abs(v) >= 1e6 || step < 1e-4 {
		return trimExp(strconv.FormatFloat(v, 'g', 3, 64))
	}
	dec := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// trimExp shortens Go's exponent format: 1e-05 → 1e-5.
func trimExp(s string) string {
	if i := strings.IndexAny(s, "e"); i >= 0 {
		mant, exp := s[:i], s[i+1:]
		sign := ""
		if exp[0] == '-' || exp[0] == '+' {
			if exp[0] == '-' {
				sign = "-"
			}
			exp = exp[1:]
		}
		exp = strings.TrimLeft(exp, "0")
		if exp == "" {
			exp = "0"
		}
		return mant + "e" + sign + exp
	}
	return s
}

// logTicks returns ticks for a log axis over [lo, hi] (both > 0): powers of ten when the range
// holds at least two, else also 2× and 5× them, else every integer multiple.
func logTicks(lo, hi float64, n int) []tick {
	kLo, kHi := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	collect := func(mults []float64, every int) []tick {
		var ticks []tick
		for k := kLo; k <= kHi; k++ {
			if (k-kLo)%every != 0 {
				continue
			}
			for _, m := range mults {
				v := m * math.Pow(10, float64(k))
				if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
					ticks = append(ticks, tick{v, formatLog(m, k)})
				}
			}
		}
		return ticks
	}
	every := max(1, (kHi-kLo+n-1)/n)
	if t := collect([]float64{1}, every); len(t) >= 2 {
		return t
	}
	if t := collect([]float64{1, 2, 5}, 1); len(t) >= 3 {
		return t
	}
	return collect([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1)
}

// formatLog formats m·10^k: plainly between 1e-4 and 1e5, else as 2e-6.
func formatLog(m float64, k int) string {
	if k >= -4 && k < 5 {
		return strconv.FormatFloat(m*math.Pow(10, float64(k)), 'f', max(0, -k), 64)
	}
	return strconv.FormatFloat(m, 'f', -1, 64) + "e" + strconv.Itoa(k)
}

// formatValue formats a value shown in a cell or above a bar: integers as integers, other
// values with three significant digits.
func formatValue(v float64) string {
	if v == math.Round(v) && math.Abs(v) < 1e7 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	a := math.Abs(v)
	if a >= 1e-3 && a < 1e5 {
		dec := max(0, 2-int(math.Floor(math.Log10(a))))
		s := strconv.FormatFloat(v, 'f', dec, 64)
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	return trimExp(strconv.FormatFloat(v, 'g', 3, 64))
}
