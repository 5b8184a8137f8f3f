package book

import (
	"math"
	"testing"

	"github.com/godl-book/godl/pkg/detection"
)

// The worked example's AP, worked out by hand in chapter 19: all-point 17/30, 11-point 6.2/11,
// COCO's AP50 (26 + 25·2/3 + 25·3/5)/101.
func TestMAPExample(t *testing.T) {
	dets, truths := MAPExample()
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
	if _, err := MAPExampleFigure().SVG(); err != nil {
		t.Error(err)
	}
}

func TestPhoto(t *testing.T) {
	p, err := Photo("chelsea")
	if err != nil {
		t.Fatal(err)
	}
	if p.W != 256 || p.H != 170 || len(p.Pix) != 256*170*3 || p.Credit == "" {
		t.Errorf("chelsea: %d×%d, %d values, credit %q", p.W, p.H, len(p.Pix), p.Credit)
	}
	for _, v := range p.Pix {
		if v < 0 || v > 1 {
			t.Fatalf("value %v outside [0, 1]", v)
		}
	}
	if _, err := Photo("nope"); err == nil {
		t.Error("Photo(\"nope\"): no error")
	}
}

func TestFallingAndJitterFigure(t *testing.T) {
	for _, c := range []struct {
		v    []float64
		want bool
	}{{nil, true}, {[]float64{3, 2, 2, 1}, true}, {[]float64{1, 2}, false}} {
		if Falling(c.v) != c.want {
			t.Errorf("Falling(%v) = %v", c.v, !c.want)
		}
	}
	s := []float64{0, 0.1}
	if _, err := JitterFigure(s, []float64{0.8, 0.3}, []float64{0.8, 0.7}, []float64{0.8, 0.1}).SVG(); err != nil {
		t.Error(err)
	}
}
