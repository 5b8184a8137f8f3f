package synth

import (
	"fmt"

	"github.com/godl-book/godl/pkg/detection"
	"github.com/godl-book/godl/pkg/viz"
)

// WorkedExample is chapter 19's mAP worked by hand: one class, two 100×100 images, four objects
// and a difficult one, seven detections. From the highest score down they are a true positive,
// a false positive, a true positive, a duplicate of the first (false positive), one on the
// difficult object (ignored), a true positive and a false positive.
func WorkedExample() ([]detection.Detection, []detection.Truth) {
	truths := []detection.Truth{
		{Image: 0, Box: detection.Box{X1: 10, Y1: 10, X2: 50, Y2: 50}},
		{Image: 0, Box: detection.Box{X1: 60, Y1: 10, X2: 90, Y2: 40}},
		{Image: 1, Box: detection.Box{X1: 20, Y1: 20, X2: 60, Y2: 70}},
		{Image: 1, Box: detection.Box{X1: 70, Y1: 60, X2: 95, Y2: 90}},
		{Image: 1, Box: detection.Box{X1: 5, Y1: 75, X2: 25, Y2: 95}, Difficult: true},
	}
	d := func(im int, x1, y1, x2, y2, s float64) detection.Detection {
		return detection.Detection{Image: im, Box: detection.Box{X1: x1, Y1: y1, X2: x2, Y2: y2}, Score: s}
	}
	dets := []detection.Detection{
		d(0, 12, 11, 50, 52, 0.95), d(0, 10, 60, 40, 90, 0.90), d(1, 22, 18, 58, 70, 0.80),
		d(0, 8, 10, 48, 47, 0.70), d(1, 6, 74, 26, 94, 0.60), d(0, 61, 12, 90, 42, 0.50),
		d(1, 40, 0, 70, 15, 0.40),
	}
	return dets, truths
}

// DrawWorkedExample draws WorkedExample's two images: ground truth dashed (the difficult object
// labelled so), detections solid, labelled with their rank and score.
func DrawWorkedExample() *viz.Layout {
	dets, truths := WorkedExample()
	var figs []viz.Figure
	for im := range 2 {
		var boxes []viz.LabeledBox
		for _, t := range truths {
			if t.Image == im {
				label := ""
				if t.Difficult {
					label = "difficult"
				}
				boxes = append(boxes, viz.LabeledBox{X1: t.Box.X1, Y1: t.Box.Y1, X2: t.Box.X2, Y2: t.Box.Y2,
					Label: label, Class: 7, Dashed: true})
			}
		}
		for k, d := range dets {
			if d.Image == im {
				boxes = append(boxes, viz.LabeledBox{X1: d.Box.X1, Y1: d.Box.Y1, X2: d.Box.X2, Y2: d.Box.Y2,
					Label: fmt.Sprintf("#%d %.2f", k+1, d.Score), Class: 3})
			}
		}
		grey := make([]float32, 100*100)
		for i := range grey {
			grey[i] = 0.93
		}
		figs = append(figs, viz.ImageBoxes(grey, 100, 100, 1, boxes...).Scale(3).Title(fmt.Sprintf("image %d", im)))
	}
	return viz.Row(figs...)
}

// JitterFigure plots COCO's AP, AP50 and AP75 against the sigma of Jittered (chapter 19).
func JitterFigure(sigmas, ap, ap50, ap75 []float64) *viz.LinePlot {
	return viz.Lines("AP against localization error",
		viz.Series{Name: "AP50 (VOC-like)", X: sigmas, Y: ap50},
		viz.Series{Name: "AP75", X: sigmas, Y: ap75},
		viz.Series{Name: "AP@[.5:.95] (COCO)", X: sigmas, Y: ap}).
		Markers().YRange(0, 1).XLabel("jitter σ (fraction of the object's size)").YLabel("AP")
}
