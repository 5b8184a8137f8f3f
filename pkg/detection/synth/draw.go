package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/godl-book/godl/pkg/detection"
	"github.com/godl-book/godl/pkg/viz"
)

// Labeled turns boxes of the shape classes into boxes to draw, each labelled with its class
// name and, when scores is not nil, its score; dashed draws them dashed. Chapter 19 draws
// ground truth and detections with it.
func Labeled(boxes []detection.Box, classes []int, scores []float64, dashed bool) []viz.LabeledBox {
	return LabeledAs(Classes, boxes, classes, scores, dashed)
}

// LabeledAs is Labeled with the class names given, e.g. a Sample's Names when it has Items.
func LabeledAs(names []string, boxes []detection.Box, classes []int, scores []float64, dashed bool) []viz.LabeledBox {
	out := Outlines(boxes, classes, dashed)
	for i := range out {
		if c := out[i].Class; c >= 0 && c < len(names) {
			out[i].Label = names[c]
		}
		if i < len(scores) {
			out[i].Label += fmt.Sprintf(" %.2f", scores[i])
		}
	}
	return out
}

// Outlines turns boxes into unlabelled boxes to draw, box i in the colour of classes[i] (0 when
// classes is shorter): anchors, candidates before NMS, boxes on a photograph.
func Outlines(boxes []detection.Box, classes []int, dashed bool) []viz.LabeledBox {
	out := make([]viz.LabeledBox, len(boxes))
	for i, b := range boxes {
		c := 0
		if i < len(classes) {
			c = classes[i]
		}
		out[i] = viz.LabeledBox{X1: b.X1, Y1: b.Y1, X2: b.X2, Y2: b.Y2, Class: c, Dashed: dashed}
	}
	return out
}

// Draw draws boxes on canvas s, enlarged 3×.
func Draw(s Sample, boxes ...viz.LabeledBox) *viz.BoxImage {
	return viz.ImageBoxes(s.Image, s.Size, s.Size, 3, boxes...).Scale(3)
}

// DrawTruth draws canvas s with its ground truth, enlarged 3×.
func DrawTruth(s Sample) *viz.BoxImage {
	return Draw(s, LabeledAs(s.Names, s.Boxes, s.Classes, nil, false)...)
}

// Candidates makes the raw output of an imaginary detector before NMS for canvas s: for each
// object, perObject boxes jittered around it by 8% of its size, scored higher the better they
// fit (0.5 + 0.45·IoU, less up to 0.05 of noise), with the object's class. Chapter 19
// suppresses them.
func Candidates(s Sample, perObject int, seed uint64) (boxes []detection.Box, scores []float64, classes []int) {
	r := rand.New(rand.NewPCG(seed, 19))
	for k, t := range s.Boxes {
		for range perObject {
			b := jitter(t, 0.08, r.NormFloat64(), r.NormFloat64(), r.NormFloat64(), r.NormFloat64())
			score := 0.5 + 0.45*detection.IoU(b, t) - 0.05*r.Float64()
			boxes, scores, classes = append(boxes, b), append(scores, score), append(classes, s.Classes[k])
		}
	}
	return boxes, scores, classes
}

// jitter moves box b's centre by sigma·(n1·w, n2·h) and scales its sides by exp(sigma·n3) and
// exp(sigma·n4).
func jitter(b detection.Box, sigma, n1, n2, n3, n4 float64) detection.Box {
	cx, cy, w, h := b.CXCYWH()
	return detection.FromCXCYWH(cx+sigma*w*n1, cy+sigma*h*n2, w*math.Exp(sigma*n3), h*math.Exp(sigma*n4))
}

// Jittered is a stand-in for a detector whose only faults are known, to show how AP responds to
// them (chapter 19): every object but one in ten is found, its box jittered by sigma (centre
// moved by sigma·size, sides scaled by e^{sigma·n}, n standard normal), with a score uniform in
// [0.3, 1]; and every canvas gets two false positives, random boxes of 10–40% of its side with
// scores uniform in [0, 0.7]. The random numbers depend on seed only, not on sigma: two sigmas
// jitter the same boxes in the same directions, by different amounts.
func Jittered(samples []Sample, sigma float64, seed uint64) []detection.Detection {
	r := rand.New(rand.NewPCG(seed, 1919))
	var out []detection.Detection
	for i, s := range samples {
		for k, t := range s.Boxes {
			n1, n2, n3, n4 := r.NormFloat64(), r.NormFloat64(), r.NormFloat64(), r.NormFloat64()
			score, missed := 0.3+0.7*r.Float64(), r.Float64() < 0.1
			if !missed {
				out = append(out, detection.Detection{Image: i, Class: s.Classes[k],
					Box: jitter(t, sigma, n1, n2, n3, n4), Score: score})
			}
		}
		side := float64(s.Size)
		for range 2 {
			w, h := side*(0.1+0.3*r.Float64()), side*(0.1+0.3*r.Float64())
			x, y := (side-w)*r.Float64(), (side-h)*r.Float64()
			out = append(out, detection.Detection{Image: i, Class: r.IntN(len(Classes)),
				Box: detection.FromXYWH(x, y, w, h), Score: 0.7 * r.Float64()})
		}
	}
	return out
}
