package synth

import (
	"math"
	"testing"

	"github.com/godl-book/godl/pkg/detection"
)

func TestLabeledAndDraw(t *testing.T) {
	boxes := []detection.Box{{X1: 1, Y1: 2, X2: 10, Y2: 12}, {X1: 5, Y1: 5, X2: 9, Y2: 9}}
	l := Labeled(boxes, []int{2, 0}, []float64{0.934, 0.5}, true)
	if l[0].Label != "triangle 0.93" || l[1].Label != "disc 0.50" || l[0].Class != 2 || !l[1].Dashed {
		t.Errorf("Labeled: %+v", l)
	}
	if l[0].X1 != 1 || l[0].Y2 != 12 {
		t.Errorf("Labeled moved the box: %+v", l[0])
	}
	if o := Outlines(boxes, nil, false); o[1].Label != "" || o[1].Class != 0 {
		t.Errorf("Outlines without classes: %+v", o[1])
	}
	s, err := Generate(DefaultConfig(), 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DrawTruth(s[0]).SVG(); err != nil {
		t.Error(err)
	}
}

// NMS at 0.5 keeps one candidate per object on the canvas chapter 19 shows, and each
// candidate overlaps its own object by more than 0.5.
func TestCandidates(t *testing.T) {
	s, _ := Generate(DefaultConfig(), 1, 3)
	boxes, scores, classes := Candidates(s[0], 6, 1)
	if len(boxes) != 6*len(s[0].Boxes) || len(scores) != len(boxes) || len(classes) != len(boxes) {
		t.Fatalf("%d boxes, %d scores, %d classes for %d objects", len(boxes), len(scores), len(classes), len(s[0].Boxes))
	}
	for i, b := range boxes {
		own := s[0].Boxes[i/6]
		iou := detection.IoU(b, own)
		if iou < 0.5 || classes[i] != s[0].Classes[i/6] || math.Abs(scores[i]-(0.5+0.45*iou)) > 0.05 {
			t.Errorf("candidate %d: IoU %.3f with its object, class %d, score %.3f", i, iou, classes[i], scores[i])
		}
	}
	keep, err := detection.BatchedNMS(boxes, scores, classes, 0.5)
	if err != nil || len(keep) != len(s[0].Boxes) {
		t.Errorf("NMS kept %d (%v) of %d, want one per object", len(keep), err, len(boxes))
	}
}

func TestJittered(t *testing.T) {
	samples, _ := Generate(DefaultConfig(), 50, 2)
	truths := Truths(samples)
	exact := Jittered(samples, 0, 7)
	// σ = 0: every detection that is not one of the two false positives per canvas is exact.
	found := 0
	for _, d := range exact {
		for _, tr := range truths {
			if tr.Image == d.Image && tr.Box == d.Box {
				found++
				break
			}
		}
	}
	if fp := len(exact) - found; fp != 2*len(samples) || found < len(truths)*8/10 || found >= len(truths) {
		t.Errorf("σ = 0: %d exact of %d objects, %d others; want ~90%% found and 2 false positives a canvas", found, len(truths), fp)
	}
	// The same random numbers for every σ: only the boxes move.
	moved := Jittered(samples, 0.1, 7)
	if len(moved) != len(exact) {
		t.Fatalf("σ = 0.1: %d detections, σ = 0: %d", len(moved), len(exact))
	}
	for i := range moved {
		if moved[i].Score != exact[i].Score || moved[i].Class != exact[i].Class {
			t.Fatalf("detection %d: score or class changed with σ", i)
		}
	}
	a, _ := detection.COCOmAP(exact, truths)
	b, _ := detection.COCOmAP(moved, truths)
	if !(b.AP < a.AP) || a.AP > 0.9 {
		t.Errorf("AP %.3f at σ = 0 and %.3f at σ = 0.1: want below 0.9 and falling", a.AP, b.AP)
	}
}
