package synth

import (
	"math"
	"testing"

	"github.com/godl-book/godl/pkg/detection"
)

// The worked example's AP, worked out by hand in chapter 19: all-point 17/30, 11-point 6.2/11,
// COCO's AP50 (26 + 25·2/3 + 25·3/5)/101.
func TestWorkedExample(t *testing.T) {
	dets, truths := WorkedExample()
	pr, err := detection.VOCCurve(dets, truths, 0, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(pr.APAll()-17.0/30) > 1e-15 || math.Abs(pr.AP11()-6.2/11) > 1e-15 {
		t.Errorf("AP all-point %v, 11-point %v; want 17/30 and 6.2/11", pr.APAll(), pr.AP11())
	}
	coco, err := detection.COCOmAP(dets, truths)
	if err != nil {
		t.Fatal(err)
	}
	if want := (26 + 25*2.0/3 + 25*3.0/5) / 101; math.Abs(coco.AP50-want) > 1e-15 || coco.AP75 != coco.AP50 {
		t.Errorf("COCO AP50 %v AP75 %v, want both %v", coco.AP50, coco.AP75, want)
	}
	if _, err := DrawWorkedExample().SVG(); err != nil {
		t.Error(err)
	}
}

func TestJitterFigure(t *testing.T) {
	s := []float64{0, 0.1}
	if _, err := JitterFigure(s, []float64{0.8, 0.3}, []float64{0.8, 0.7}, []float64{0.8, 0.1}).SVG(); err != nil {
		t.Error(err)
	}
	if _, err := JitterFigure(s, []float64{0.8}, nil, nil).SVG(); err == nil {
		t.Error("mismatched series: no error")
	}
}
