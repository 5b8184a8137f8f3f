// Package detection is the host-side toolkit of object detection that chapter 19
// ("19-boxes") teaches and chapters 20–26 build on: bounding boxes in corner and centre form,
// IoU and GIoU, clipping and letterbox resizing, anchor grids, the box coder of R-CNN's
// regression targets, greedy, per-class and soft non-maximum suppression, and the PASCAL VOC
// and COCO average precision. It works on float64 boxes on the host, as the evaluation tools
// do; graph.go holds GoMLX forms of IoU and the box coder for training losses.
//
// Evaluation sits in this package rather than its own: mAP is IoU matching plus bookkeeping,
// and a chapter that draws, matches and scores boxes imports one package.
//
// Values match torchvision 0.14's box_iou, generalized_box_iou, nms, batched_nms, BoxCoder
// and AnchorGenerator, and pycocotools' COCOeval (tools/goldens/detection.py).
package detection

import (
	"fmt"
	"math"
)

// Box is an axis-aligned rectangle in corner form (xyxy): (X1, Y1) is the top-left corner and
// (X2, Y2) the bottom-right one, in pixels, y pointing down. Chapter 19 introduces it.
type Box struct{ X1, Y1, X2, Y2 float64 }

// Convention says how a box's corners measure its size. Continuous coordinates (torchvision,
// COCO) treat a box as a region of the plane: width X2 − X1. PASCAL VOC's devkit numbers
// pixels and includes both end pixels: width X2 − X1 + 1, so a box from pixel 0 to pixel 9 is 10
// wide. Functions whose answer depends on it take it explicitly.
type Convention int

const (
	// Continuous measures width as X2 − X1 (torchvision, COCO, YOLO).
	Continuous Convention = iota
	// VOCPixels measures width as X2 − X1 + 1 (the PASCAL VOC devkit, Fast/Faster R-CNN's code).
	VOCPixels
)

func (c Convention) String() string {
	if c == VOCPixels {
		return "VOC +1 pixels"
	}
	return "continuous"
}

func (c Convention) extra() float64 {
	if c == VOCPixels {
		return 1
	}
	return 0
}

// FromCXCYWH returns the box with centre (cx, cy), width w and height h (continuous).
func FromCXCYWH(cx, cy, w, h float64) Box { return Box{cx - w/2, cy - h/2, cx + w/2, cy + h/2} }

// FromXYWH returns the box with top-left corner (x, y), width w and height h: COCO's form.
func FromXYWH(x, y, w, h float64) Box { return Box{x, y, x + w, y + h} }

// CXCYWH returns b's centre, width and height (continuous), as torchvision's box_convert.
func (b Box) CXCYWH() (cx, cy, w, h float64) {
	return (b.X1 + b.X2) / 2, (b.Y1 + b.Y2) / 2, b.X2 - b.X1, b.Y2 - b.Y1
}

// Width is b's width under convention c.
func (b Box) Width(c Convention) float64 { return b.X2 - b.X1 + c.extra() }

// Height is b's height under convention c.
func (b Box) Height(c Convention) float64 { return b.Y2 - b.Y1 + c.extra() }

// Area is b's area under convention c; 0 for a box that is empty or inverted.
func (b Box) Area(c Convention) float64 {
	return max(0, b.Width(c)) * max(0, b.Height(c))
}

// Valid reports whether b's coordinates are finite and its corners ordered (X1 ≤ X2, Y1 ≤ Y2).
func (b Box) Valid() bool {
	for _, v := range [4]float64{b.X1, b.Y1, b.X2, b.Y2} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return b.X1 <= b.X2 && b.Y1 <= b.Y2
}

func (b Box) String() string {
	return fmt.Sprintf("[%.4g %.4g %.4g %.4g]", b.X1, b.Y1, b.X2, b.Y2)
}

// Clip returns b with its corners clamped to an image w wide and h high, as torchvision's
// clip_boxes_to_image: x to [0, w] and y to [0, h].
func (b Box) Clip(w, h float64) Box {
	c := func(v, hi float64) float64 { return min(max(v, 0), hi) }
	return Box{c(b.X1, w), c(b.Y1, h), c(b.X2, w), c(b.Y2, h)}
}

// Intersection is the area a and b share under convention c.
func Intersection(a, b Box, c Convention) float64 {
	w := min(a.X2, b.X2) - max(a.X1, b.X1) + c.extra()
	h := min(a.Y2, b.Y2) - max(a.Y1, b.Y1) + c.extra()
	return max(0, w) * max(0, h)
}

// IoU is the intersection over union (交并比) of a and b in continuous coordinates:
// |a ∩ b| / |a ∪ b|, 0 when the union is empty. Chapter 19 works it out by hand.
func IoU(a, b Box) float64 { return IoUOf(a, b, Continuous) }

// IoUOf is the IoU of a and b with areas measured under convention c.
func IoUOf(a, b Box, c Convention) float64 {
	inter := Intersection(a, b, c)
	union := a.Area(c) + b.Area(c) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// GIoU is the generalized IoU of Rezatofighi et al. (2019) in continuous coordinates: IoU minus
// the share of the smallest enclosing box C that the union leaves empty, (|C| − |a ∪ b|)/|C|.
// It lies in (−1, 1] and, unlike IoU, still tells how far apart two disjoint boxes are.
func GIoU(a, b Box) float64 {
	inter := Intersection(a, b, Continuous)
	union := a.Area(Continuous) + b.Area(Continuous) - inter
	hull := Box{min(a.X1, b.X1), min(a.Y1, b.Y1), max(a.X2, b.X2), max(a.Y2, b.Y2)}.Area(Continuous)
	if union <= 0 || hull <= 0 {
		return 0
	}
	return inter/union - (hull-union)/hull
}

// IoUMatrix returns the IoU of every box of a with every box of b, rows for a: the N×M matrix
// torchvision's box_iou computes.
func IoUMatrix(a, b []Box) [][]float64 { return pairwise(a, b, IoU) }

// GIoUMatrix returns the GIoU of every box of a with every box of b, as torchvision's
// generalized_box_iou.
func GIoUMatrix(a, b []Box) [][]float64 { return pairwise(a, b, GIoU) }

func pairwise(a, b []Box, f func(a, b Box) float64) [][]float64 {
	m := make([][]float64, len(a))
	for i, p := range a {
		m[i] = make([]float64, len(b))
		for j, q := range b {
			m[i][j] = f(p, q)
		}
	}
	return m
}

// checkBoxes reports the first box of boxes that is not Valid, naming where.
func checkBoxes(where string, boxes []Box) error {
	for i, b := range boxes {
		if !b.Valid() {
			return fmt.Errorf("detection: %s: box %d %v has non-finite or unordered corners", where, i, b)
		}
	}
	return nil
}
