package imageproc

import (
	"fmt"
	"math"
)

// ZonePlate returns an n×n grey test chart for resampling filters (chapter 12), a zone plate: 127.5·(1 + cos(π r²/n)),
// r the distance from the centre in pixels. Its rings get finer outwards — at radius r they repeat
// r/n times per pixel — up to half a cycle per pixel, the finest pattern pixels can hold, at the
// middle of each edge.
func ZonePlate(n int) (*Image, error) {
	m, err := New(n, n, 1)
	if err != nil {
		return nil, fmt.Errorf("imageproc: ZonePlate: %w", err)
	}
	c := float64(n) / 2
	for y := range n {
		for x := range n {
			dx, dy := float64(x)+0.5-c, float64(y)+0.5-c
			m.Pix[y*n+x] = float32(127.5 * (1 + math.Cos(math.Pi*(dx*dx+dy*dy)/float64(n))))
		}
	}
	return m, nil
}

// Aliasing measures what a shrunk zone plate shows where it should be flat: the standard
// deviation of the pixels of m (a ZonePlate(n) shrunk by factor) whose rings were too fine for the
// smaller grid (more than 1/(2·factor) cycles per original pixel, with a margin of half as much
// again) and still inside the circle where the original held them. A filter that removed what the
// smaller grid cannot show leaves grey there; what remains is aliasing (混叠): rings that were
// not in the picture.
func Aliasing(m *Image, n int, factor float64) float64 {
	c := float64(m.W) / 2
	lo, hi := 1.5*float64(n)/(2*factor*factor), float64(n)/(2*factor)
	var sum, sum2, count float64
	for y := range m.H {
		for x := range m.W {
			r := math.Hypot(float64(x)+0.5-c, float64(y)+0.5-c)
			if r > lo && r < hi {
				v := float64(m.Pix[(y*m.W+x)*m.C])
				sum, sum2, count = sum+v, sum2+v*v, count+1
			}
		}
	}
	if count == 0 {
		return 0
	}
	mean := sum / count
	return math.Sqrt(max(sum2/count-mean*mean, 0))
}

// Diff returns the largest and the mean absolute difference between two images of one size,
// in their own units; chapter 12 compares Pillow's resize with OpenCV's with it.
func Diff(a, b *Image) (maxAbs, meanAbs float64, err error) {
	if a.H != b.H || a.W != b.W || a.C != b.C || len(a.Pix) != len(b.Pix) {
		return 0, 0, fmt.Errorf("imageproc: Diff: %d×%d×%d and %d×%d×%d images", a.H, a.W, a.C, b.H, b.W, b.C)
	}
	for i, v := range a.Pix {
		d := math.Abs(float64(v) - float64(b.Pix[i]))
		maxAbs, meanAbs = max(maxAbs, d), meanAbs+d
	}
	return maxAbs, meanAbs / float64(len(a.Pix)), nil
}
