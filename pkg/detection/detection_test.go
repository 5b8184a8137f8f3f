package detection

import (
	"image"
	"image/color"
	"math"
	"slices"
	"testing"
)

// Cases worked out by hand; the goldens check the same functions against torchvision.
func TestIoUByHand(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b Box
		conv Convention
		iou  float64
	}{
		{"half-overlapping squares", Box{0, 0, 2, 2}, Box{1, 1, 3, 3}, Continuous, 1.0 / 7},
		{"same box", Box{1, 2, 5, 9}, Box{1, 2, 5, 9}, Continuous, 1},
		{"touching edges", Box{0, 0, 1, 1}, Box{1, 0, 2, 1}, Continuous, 0},
		{"touching edges, VOC pixels share a column", Box{0, 0, 1, 1}, Box{1, 0, 2, 1}, VOCPixels, 2.0 / 6},
		{"VOC: 10×10 pixels vs its left half", Box{0, 0, 9, 9}, Box{0, 0, 4, 9}, VOCPixels, 0.5},
		{"empty box", Box{3, 3, 3, 3}, Box{3, 3, 3, 3}, Continuous, 0},
	} {
		if got := IoUOf(c.a, c.b, c.conv); math.Abs(got-c.iou) > 1e-15 {
			t.Errorf("%s: IoU = %v, want %v", c.name, got, c.iou)
		}
	}
	// Disjoint boxes 1×1, 2 apart: IoU 0, GIoU = −(3 − 2)/3 with hull 3×1.
	if got := GIoU(Box{0, 0, 1, 1}, Box{2, 0, 3, 1}); math.Abs(got+1.0/3) > 1e-15 {
		t.Errorf("GIoU of disjoint boxes = %v, want −1/3", got)
	}
}

func TestSoftNMSByHand(t *testing.T) {
	// A and B overlap with IoU 1/2; C is far away.
	boxes := []Box{{0, 0, 10, 10}, {0, 0, 10, 5}, {20, 20, 30, 30}}
	scores := []float64{0.9, 0.8, 0.7}
	for _, c := range []struct {
		name      string
		method    SoftMethod
		threshold float64
		keep      []int
		scores    []float64
	}{
		{"linear", SoftLinear, 0, []int{0, 2, 1}, []float64{0.9, 0.7, 0.8 * 0.5}},
		{"linear, B below 0.45", SoftLinear, 0.45, []int{0, 2}, []float64{0.9, 0.7}},
		{"Gaussian σ=0.5", SoftGaussian, 0, []int{0, 2, 1}, []float64{0.9, 0.7, 0.8 * math.Exp(-0.25/0.5)}},
	} {
		keep, s, err := SoftNMS(boxes, scores, c.method, 0.3, 0.5, c.threshold)
		if err != nil || !slices.Equal(keep, c.keep) {
			t.Errorf("%s: keep %v (%v), want %v", c.name, keep, err, c.keep)
			continue
		}
		for i := range s {
			if math.Abs(s[i]-c.scores[i]) > 1e-15 {
				t.Errorf("%s: scores %v, want %v", c.name, s, c.scores)
			}
		}
	}
	// Hard NMS at 0.3 deletes B instead.
	if keep, _ := NMS(boxes, scores, 0.3); !slices.Equal(keep, []int{0, 2}) {
		t.Errorf("NMS keep %v, want [0 2]", keep)
	}
}

// handExample is chapter 19's worked example: 4 objects and a difficult one, 7 detections.
// From the top: TP, FP, TP, duplicate (FP), on the difficult object (ignored), TP, FP.
// Precision/recall: 1/1 @ 1/4, 1/2 @ 1/4, 2/3 @ 2/4, 2/4 @ 2/4, 3/5 @ 3/4, 3/6 @ 3/4.
// All-points AP = (1 + 2/3 + 3/5)/4 = 17/30; 11-point AP = (3·1 + 3·2/3 + 2·3/5)/11 = 6.2/11.
func handExample() ([]Detection, []Truth) {
	truths := []Truth{
		{0, 0, Box{10, 10, 50, 50}, false}, {0, 0, Box{60, 10, 90, 40}, false},
		{1, 0, Box{20, 20, 60, 70}, false}, {1, 0, Box{70, 60, 95, 90}, false},
		{1, 0, Box{5, 75, 25, 95}, true},
	}
	dets := []Detection{
		{0, 0, Box{12, 11, 50, 52}, 0.95}, {0, 0, Box{10, 60, 40, 90}, 0.90},
		{1, 0, Box{22, 18, 58, 70}, 0.80}, {0, 0, Box{8, 10, 48, 47}, 0.70},
		{1, 0, Box{6, 74, 26, 94}, 0.60}, {0, 0, Box{61, 12, 90, 42}, 0.50},
		{1, 0, Box{40, 0, 70, 15}, 0.40},
	}
	return dets, truths
}

func TestVOCByHand(t *testing.T) {
	dets, truths := handExample()
	pr, err := VOCCurve(dets, truths, 0, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	wantP := []float64{1, 1. / 2, 2. / 3, 2. / 4, 3. / 5, 3. / 6}
	wantR := []float64{.25, .25, .5, .5, .75, .75}
	if pr.Positives != 4 || !slices.Equal(pr.Precision, wantP) || !slices.Equal(pr.Recall, wantR) {
		t.Fatalf("curve %+v, want precision %v recall %v over 4 positives", pr, wantP, wantR)
	}
	if got := pr.APAll(); math.Abs(got-17.0/30) > 1e-15 {
		t.Errorf("all-points AP = %v, want 17/30", got)
	}
	if got := pr.AP11(); math.Abs(got-6.2/11) > 1e-15 {
		t.Errorf("11-point AP = %v, want 6.2/11", got)
	}
}

func TestCoderRoundTrip(t *testing.T) {
	c := DefaultCoder()
	anchor, gt := Box{10, 20, 74, 52}, Box{15, 18, 80, 60}
	d, err := c.Encode(gt, anchor)
	if err != nil {
		t.Fatal(err)
	}
	// By hand: centres (42, 36) and (47.5, 39), sizes 64×32 and 65×42.
	want := [4]float64{10 * 5.5 / 64, 10 * 3.0 / 32, 5 * math.Log(65.0/64), 5 * math.Log(42.0/32)}
	for i := range d {
		if math.Abs(d[i]-want[i]) > 1e-14 {
			t.Fatalf("Encode = %v, want %v", d, want)
		}
	}
	back := c.Decode(d, anchor)
	for i, v := range [4]float64{back.X1 - gt.X1, back.Y1 - gt.Y1, back.X2 - gt.X2, back.Y2 - gt.Y2} {
		if math.Abs(v) > 1e-12 {
			t.Errorf("Decode(Encode) corner %d off by %v: %v", i, v, back)
		}
	}
	if _, err := c.Encode(Box{0, 0, 0, 5}, anchor); err == nil {
		t.Error("Encode of a box without width: no error")
	}
}

func TestLetterbox(t *testing.T) {
	// 200×100 into 64×64: scale 0.32, image 64×32, 16 pixels of padding above and below.
	l, err := NewLetterbox(200, 100, 64, 64)
	if err != nil {
		t.Fatal(err)
	}
	if l.Scale != 0.32 || l.NewW != 64 || l.NewH != 32 || l.PadX != 0 || l.PadY != 16 {
		t.Fatalf("letterbox %+v", l)
	}
	b := Box{50, 25, 150, 75}
	f := l.Forward(b)
	if f != (Box{16, 24, 48, 40}) {
		t.Errorf("Forward(%v) = %v, want [16 24 48 40]", b, f)
	}
	if back := l.Back(f); math.Abs(back.X1-b.X1)+math.Abs(back.Y2-b.Y2) > 1e-12 {
		t.Errorf("Back(Forward(%v)) = %v", b, back)
	}
	img := make([]float32, 200*100)
	for i := range img {
		img[i] = 1
	}
	out, err := l.Image(img, 1, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != 0.5 || out[20*64+10] != 1 || out[63*64] != 0.5 {
		t.Errorf("letterboxed image: pad %v, inside %v, bottom pad %v", out[0], out[20*64+10], out[63*64])
	}
	if _, err := l.Image(img[:10], 1, 0); err == nil {
		t.Error("Image of 10 values: no error")
	}
	if _, err := NewLetterbox(0, 10, 64, 64); err == nil {
		t.Error("NewLetterbox of a 0-wide image: no error")
	}
}

func TestAnchorsDefault(t *testing.T) {
	// Faster R-CNN: 9 anchors per location; a 3×4 map has 108.
	a := DefaultAnchors()
	grid, err := a.Grid(3, 4)
	if err != nil || a.PerLocation() != 9 || len(grid) != 108 {
		t.Fatalf("PerLocation %d, %d anchors (%v), want 9 and 108", a.PerLocation(), len(grid), err)
	}
	// The square anchor of scale 8 is 128×128 around the cell's corner.
	if grid[3] != (Box{-64, -64, 64, 64}) {
		t.Errorf("anchor 3 = %v, want [-64 -64 64 64]", grid[3])
	}
	if _, err := (Anchors{BaseSize: 16, Stride: 16}).Grid(2, 2); err == nil {
		t.Error("anchors without scales or ratios: no error")
	}
}

func TestBadInput(t *testing.T) {
	nan := math.NaN()
	good := []Box{{0, 0, 1, 1}}
	for name, err := range map[string]error{
		"NMS lengths":        second(NMS(good, []float64{1, 2}, 0.5)),
		"NMS NaN score":      second(NMS(good, []float64{nan}, 0.5)),
		"NMS inverted box":   second(NMS([]Box{{2, 0, 1, 1}}, []float64{1}, 0.5)),
		"BatchedNMS lengths": second(BatchedNMS(good, []float64{1}, nil, 0.5)),
		"SoftNMS sigma":      third(SoftNMS(good, []float64{1}, SoftGaussian, 0.3, 0, 0)),
		"COCOmAP NaN box":    second(COCOmAP([]Detection{{Box: Box{nan, 0, 1, 1}}}, nil)),
		"VOCmAP no truths":   third(VOCmAP(nil, nil, 2, true)),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func second[A any](_ A, err error) error        { return err }
func third[A, B any](_ A, _ B, err error) error { return err }

func TestAnchorsBest(t *testing.T) {
	a := Anchors{BaseSize: 8, Scales: []float64{1, 2, 4}, Ratios: []float64{0.5, 1, 2}, Stride: 8}
	// A 16×16 box centred on the cell corner (48, 48) is exactly the square anchor of scale 2.
	best, ious, err := a.Best(12, 12, []Box{{40, 40, 56, 56}, {0, 0, 1, 1}})
	if err != nil || best[0] != (Box{40, 40, 56, 56}) || ious[0] != 1 {
		t.Errorf("Best: %v %v (%v), want the box itself with IoU 1", best, ious, err)
	}
	if ious[1] <= 0 || ious[1] > 0.1 {
		t.Errorf("a 1-pixel box: best IoU %v, want small but positive", ious[1])
	}
	if _, _, err := a.Best(0, 12, nil); err == nil {
		t.Error("Best on a 0-row map: no error")
	}
}

func TestBestMatch(t *testing.T) {
	dets, truths := handExample()
	for _, c := range []struct {
		det, truth int
		iou        float64
	}{
		{0, 0, IoUOf(dets[0].Box, truths[0].Box, VOCPixels)},
		{1, -1, 0}, // overlaps nothing
		{4, 4, IoUOf(dets[4].Box, truths[4].Box, VOCPixels)},
	} {
		i, iou := BestMatch(dets[c.det], truths, VOCPixels)
		if i != c.truth || iou != c.iou {
			t.Errorf("detection %d: best %d IoU %v, want %d %v", c.det, i, iou, c.truth, c.iou)
		}
	}
}

func TestVOCCurveWithoutPositives(t *testing.T) {
	dets := []Detection{{Box: Box{0, 0, 5, 5}, Score: 0.9}, {Box: Box{1, 1, 5, 5}, Score: 0.8}}
	truths := []Truth{{Box: Box{0, 0, 5, 5}, Difficult: true}}
	pr, err := VOCCurve(dets, truths, 0, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	// Both detections find the difficult object: ignored; nothing else to find.
	if pr.Positives != 0 || len(pr.Recall) != 0 || pr.APAll() != 0 || pr.AP11() != 0 {
		t.Errorf("curve %+v, AP %v %v; want empty and 0", pr, pr.APAll(), pr.AP11())
	}
	pr, _ = VOCCurve(dets, nil, 0, 0.5)
	for _, r := range pr.Recall {
		if r != 0 {
			t.Errorf("recall %v without ground truth, want 0", pr.Recall)
		}
	}
}

func TestLetterboxImageOf(t *testing.T) {
	// A 4×2 image, left half red, right half blue, into 4×4: one row of padding above and below.
	img := image.NewRGBA(image.Rect(0, 0, 4, 2))
	for y := range 2 {
		for x := range 4 {
			c := color.RGBA{255, 0, 0, 255}
			if x >= 2 {
				c = color.RGBA{0, 0, 255, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	l, _ := NewLetterbox(4, 2, 4, 4)
	out, err := l.ImageOf(img, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	px := func(x, y int) []float32 { return out[(y*4+x)*3 : (y*4+x)*3+3] }
	if !slices.Equal(px(0, 0), []float32{0.5, 0.5, 0.5}) || !slices.Equal(px(0, 1), []float32{1, 0, 0}) ||
		!slices.Equal(px(3, 2), []float32{0, 0, 1}) || !slices.Equal(px(3, 3), []float32{0.5, 0.5, 0.5}) {
		t.Errorf("letterboxed pixels: pad %v, red %v, blue %v, pad %v", px(0, 0), px(0, 1), px(3, 2), px(3, 3))
	}
	if _, err := l.ImageOf(image.NewRGBA(image.Rect(0, 0, 3, 3)), 0); err == nil {
		t.Error("ImageOf of a 3×3 image for a 4×2 letterbox: no error")
	}
}
