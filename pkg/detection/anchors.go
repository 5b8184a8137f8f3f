package detection

import (
	"fmt"
	"math"
)

// Anchors describes a grid of anchor boxes (锚框) as Faster R-CNN lays them (Ren et al. 2015,
// section 3.1.1): at every cell of a feature map, one box for each pair of aspect ratio and
// scale, centred on the cell's corner in image pixels. Chapter 19 draws them; chapter 23 trains
// a region proposal network on them.
type Anchors struct {
	BaseSize float64   // the side a scale of 1 gives, in pixels (16: VGG's stride)
	Scales   []float64 // multiples of BaseSize: a box of scale s and ratio 1 is (s·BaseSize)²
	Ratios   []float64 // height/width
	Stride   int       // pixels between neighbouring cells
}

// DefaultAnchors are Faster R-CNN's: base 16, scales 8, 16, 32 (sides 128, 256, 512), ratios
// 0.5, 1, 2, stride 16 — 9 anchors per location.
func DefaultAnchors() Anchors {
	return Anchors{BaseSize: 16, Scales: []float64{8, 16, 32}, Ratios: []float64{0.5, 1, 2}, Stride: 16}
}

// PerLocation is the number of anchors at each cell: len(Ratios)·len(Scales).
func (a Anchors) PerLocation() int { return len(a.Ratios) * len(a.Scales) }

func (a Anchors) check() error {
	if a.BaseSize <= 0 || a.Stride <= 0 || len(a.Scales) == 0 || len(a.Ratios) == 0 {
		return fmt.Errorf("detection: anchors: base size %v, stride %d, %d scales, %d ratios: want positive base and stride and at least one scale and ratio",
			a.BaseSize, a.Stride, len(a.Scales), len(a.Ratios))
	}
	for _, v := range append(append([]float64{}, a.Scales...), a.Ratios...) {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("detection: anchors: scale or ratio %v, want positive", v)
		}
	}
	return nil
}

// Base returns the anchors of one location, centred on (0, 0): for each ratio r (outer) and
// scale s (inner), a box of width s·BaseSize/√r and height s·BaseSize·√r, corners rounded to
// whole pixels (half to even), as torchvision's AnchorGenerator.
func (a Anchors) Base() ([]Box, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	var out []Box
	for _, r := range a.Ratios {
		hr := math.Sqrt(r)
		for _, s := range a.Scales {
			size := s * a.BaseSize
			w, h := (1/hr)*size, hr*size
			out = append(out, Box{math.RoundToEven(-w / 2), math.RoundToEven(-h / 2),
				math.RoundToEven(w / 2), math.RoundToEven(h / 2)})
		}
	}
	return out, nil
}

// Grid returns the anchors of a feature map rows×cols: the Base anchors shifted to every cell
// (x·Stride, y·Stride), cells row by row, PerLocation anchors per cell — the order of
// torchvision's AnchorGenerator and of a network's per-cell outputs.
func (a Anchors) Grid(rows, cols int) ([]Box, error) {
	base, err := a.Base()
	if err != nil {
		return nil, err
	}
	if rows <= 0 || cols <= 0 {
		return nil, fmt.Errorf("detection: anchors: feature map %d×%d, want positive", rows, cols)
	}
	out := make([]Box, 0, rows*cols*len(base))
	for y := range rows {
		for x := range cols {
			sx, sy := float64(x*a.Stride), float64(y*a.Stride)
			for _, b := range base {
				out = append(out, Box{b.X1 + sx, b.Y1 + sy, b.X2 + sx, b.Y2 + sy})
			}
		}
	}
	return out, nil
}

// Best returns, for each box, the anchor of the rows×cols grid that overlaps it most and that
// IoU: the anchor that a region proposal network learns to move onto the box even when no
// anchor reaches its positive threshold (Faster R-CNN, section 3.1.2). Chapter 19 draws them.
func (a Anchors) Best(rows, cols int, boxes []Box) ([]Box, []float64, error) {
	grid, err := a.Grid(rows, cols)
	if err != nil {
		return nil, nil, err
	}
	best, ious := make([]Box, len(boxes)), make([]float64, len(boxes))
	for i, row := range IoUMatrix(boxes, grid) {
		for k, v := range row {
			if v > ious[i] {
				best[i], ious[i] = grid[k], v
			}
		}
	}
	return best, ious, nil
}
