package detection

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"
)

// The goldens are torchvision 0.14 / torch 1.13 and pycocotools 2.0.11 in float64, written by
// tools/goldens/detection.py. Box operations agree to rounding (1e-12 relative); the coder's
// logs and exps to 1e-12; NMS and anchors exactly; COCO and VOC AP to 1e-12.

type goldenDoc struct {
	Torch string `json:"torch_version"`
	Boxes struct {
		A, B, IoU, GIoU, CXCYWH [][]float64
		Clip                    struct {
			Boxes, Clipped [][]float64
			Width, Height  float64
		}
	}
	NMS []struct {
		Boxes     [][]float64
		Scores    []float64
		Classes   []int
		Threshold float64 `json:"iou_threshold"`
		Keep      []int
	}
	BatchedNMS []struct {
		Boxes     [][]float64
		Scores    []float64
		Classes   []int
		Threshold float64 `json:"iou_threshold"`
		Keep      []int
	} `json:"batched_nms"`
	Coder struct {
		Weights                              [4]float64
		Clip                                 float64
		GT, Anchors, Encoded, Codes, Decoded [][]float64
	}
	Anchors []struct {
		BaseSize   float64 `json:"base_size"`
		Scales     []float64
		Ratios     []float64
		Stride     int
		Rows, Cols int
		Anchors    [][]float64
	}
	COCO []struct {
		Truths     []goldenObject
		Detections []goldenObject
		Stats      []float64
	}
	VOC []struct {
		Classes    int
		Truths     []goldenObject
		Detections []goldenObject
		AP11       []*float64
		APAll      []*float64 `json:"ap_all"`
	}
}

type goldenObject struct {
	Image, Class int
	XYWH, XYXY   []float64
	Score        float64
	Difficult    bool
}

func (o goldenObject) box() Box {
	if o.XYXY != nil {
		return Box{o.XYXY[0], o.XYXY[1], o.XYXY[2], o.XYXY[3]}
	}
	return FromXYWH(o.XYWH[0], o.XYWH[1], o.XYWH[2], o.XYWH[3])
}

func objects(g []goldenObject) ([]Detection, []Truth) {
	var d []Detection
	var t []Truth
	for _, o := range g {
		d = append(d, Detection{o.Image, o.Class, o.box(), o.Score})
		t = append(t, Truth{o.Image, o.Class, o.box(), o.Difficult})
	}
	return d, t
}

func loadGolden(t *testing.T) *goldenDoc {
	t.Helper()
	data, err := os.ReadFile("testdata/detection_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenDoc
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("testdata/detection_golden.json: %v", err)
	}
	return &g
}

func boxes(rows [][]float64) []Box {
	out := make([]Box, len(rows))
	for i, r := range rows {
		out[i] = Box{r[0], r[1], r[2], r[3]}
	}
	return out
}

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

func checkMatrix(t *testing.T, name string, got, want [][]float64, tol float64) {
	t.Helper()
	for i := range want {
		for j := range want[i] {
			if !near(got[i][j], want[i][j], tol) {
				t.Errorf("%s[%d][%d] = %.17g, torchvision %.17g", name, i, j, got[i][j], want[i][j])
			}
		}
	}
}

func TestGoldenBoxes(t *testing.T) {
	g := loadGolden(t)
	a, b := boxes(g.Boxes.A), boxes(g.Boxes.B)
	checkMatrix(t, "box_iou", IoUMatrix(a, b), g.Boxes.IoU, 1e-12)
	checkMatrix(t, "generalized_box_iou", GIoUMatrix(a, b), g.Boxes.GIoU, 1e-12)
	var cx [][]float64
	for _, p := range a {
		x, y, w, h := p.CXCYWH()
		cx = append(cx, []float64{x, y, w, h})
	}
	checkMatrix(t, "box_convert cxcywh", cx, g.Boxes.CXCYWH, 1e-12)
	var clipped [][]float64
	for _, p := range boxes(g.Boxes.Clip.Boxes) {
		c := p.Clip(g.Boxes.Clip.Width, g.Boxes.Clip.Height)
		clipped = append(clipped, []float64{c.X1, c.Y1, c.X2, c.Y2})
	}
	checkMatrix(t, "clip_boxes_to_image", clipped, g.Boxes.Clip.Clipped, 0)
}

func TestGoldenNMS(t *testing.T) {
	g := loadGolden(t)
	for i, c := range g.NMS {
		keep, err := NMS(boxes(c.Boxes), c.Scores, c.Threshold)
		if err != nil || !slices.Equal(keep, c.Keep) {
			t.Errorf("nms case %d (IoU %v): keep %v, %v; torchvision %v", i, c.Threshold, keep, err, c.Keep)
		}
	}
	for i, c := range g.BatchedNMS {
		keep, err := BatchedNMS(boxes(c.Boxes), c.Scores, c.Classes, c.Threshold)
		if err != nil || !slices.Equal(keep, c.Keep) {
			t.Errorf("batched_nms case %d: keep %v, %v; torchvision %v", i, keep, err, c.Keep)
		}
	}
}

func TestGoldenCoder(t *testing.T) {
	g := loadGolden(t).Coder
	c := DefaultCoder()
	if c.Weights != g.Weights || c.Clip != g.Clip {
		t.Fatalf("DefaultCoder %+v, torchvision weights %v clip %v", c, g.Weights, g.Clip)
	}
	gt, anchors := boxes(g.GT), boxes(g.Anchors)
	var enc, dec [][]float64
	for i := range gt {
		e, err := c.Encode(gt[i], anchors[i])
		if err != nil {
			t.Fatal(err)
		}
		enc = append(enc, e[:])
		d := c.Decode([4]float64(g.Codes[i]), anchors[i])
		dec = append(dec, []float64{d.X1, d.Y1, d.X2, d.Y2})
	}
	checkMatrix(t, "BoxCoder.encode_single", enc, g.Encoded, 1e-12)
	checkMatrix(t, "BoxCoder.decode_single", dec, g.Decoded, 1e-12)
}

func TestGoldenAnchors(t *testing.T) {
	for i, c := range loadGolden(t).Anchors {
		a := Anchors{BaseSize: c.BaseSize, Scales: c.Scales, Ratios: c.Ratios, Stride: c.Stride}
		got, err := a.Grid(c.Rows, c.Cols)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.Anchors) {
			t.Fatalf("case %d: %d anchors, torchvision %d", i, len(got), len(c.Anchors))
		}
		for k, b := range boxes(c.Anchors) {
			if got[k] != b {
				t.Errorf("case %d anchor %d: %v, torchvision %v", i, k, got[k], b)
			}
		}
	}
}

func TestGoldenCOCO(t *testing.T) {
	names := []string{"AP", "AP50", "AP75", "APsmall", "APmedium", "APlarge"}
	for i, c := range loadGolden(t).COCO {
		dets, _ := objects(c.Detections)
		_, truths := objects(c.Truths)
		r, err := COCOmAP(dets, truths)
		if err != nil {
			t.Fatal(err)
		}
		got := []float64{r.AP, r.AP50, r.AP75, r.APSmall, r.APMedium, r.APLarge}
		for k, want := range c.Stats {
			if !near(got[k], want, 1e-12) {
				t.Errorf("case %d %s = %.17g, pycocotools %.17g", i, names[k], got[k], want)
			}
		}
	}
}

func TestGoldenVOC(t *testing.T) {
	for i, c := range loadGolden(t).VOC {
		dets, _ := objects(c.Detections)
		_, truths := objects(c.Truths)
		for k := range c.Classes {
			pr, err := VOCCurve(dets, truths, k, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			if c.AP11[k] == nil {
				if pr.Positives != 0 {
					t.Errorf("case %d class %d: %d positives, the script found none", i, k, pr.Positives)
				}
				continue
			}
			if got := pr.AP11(); !near(got, *c.AP11[k], 1e-12) {
				t.Errorf("case %d class %d: 11-point AP %.17g, devkit rules %.17g", i, k, got, *c.AP11[k])
			}
			if got := pr.APAll(); !near(got, *c.APAll[k], 1e-12) {
				t.Errorf("case %d class %d: all-points AP %.17g, devkit rules %.17g", i, k, got, *c.APAll[k])
			}
		}
	}
}
