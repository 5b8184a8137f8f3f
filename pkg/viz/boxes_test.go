package viz

import (
	"math"
	"strings"
	"testing"
)

func TestImageBoxes(t *testing.T) {
	pix := make([]float32, 10*20*3) // a 20 wide, 10 high black image
	fig := ImageBoxes(pix, 10, 20, 3,
		LabeledBox{X1: 2, Y1: 1, X2: 8, Y2: 9, Label: "disc 0.93", Class: 1},
		LabeledBox{X1: 10, Y1: 4, X2: 19, Y2: 8, Class: 2, Dashed: true},
	).Scale(4).Title("truth")
	svg, err := fig.SVG()
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, svg)
	img := d.byClass["image"]
	if len(img) != 1 || img[0].attr["width"] != "80" || img[0].attr["height"] != "40" {
		t.Fatalf("image elements %v, want one 80×40", img)
	}
	x0, y0 := atof(t, img[0].attr["x"]), atof(t, img[0].attr["y"])
	boxes := d.byClass["box"]
	if len(boxes) != 2 {
		t.Fatalf("%d boxes, want 2", len(boxes))
	}
	// Box 0 starts at pixel (2, 1), 4× enlarged: 8 and 4 pixels from the image's corner.
	if atof(t, boxes[0].attr["x"])-x0 != 8 || atof(t, boxes[0].attr["y"])-y0 != 4 ||
		boxes[0].attr["width"] != "24" || boxes[0].attr["height"] != "32" {
		t.Errorf("box 0 at %v, want x+8, y+4, 24×32", boxes[0].attr)
	}
	if boxes[0].attr["stroke"] != palette[1] || boxes[1].attr["stroke"] != palette[2] {
		t.Errorf("stroke colours %s %s, want the palette's classes 1 and 2", boxes[0].attr["stroke"], boxes[1].attr["stroke"])
	}
	if boxes[0].attr["stroke-dasharray"] != "" || boxes[1].attr["stroke-dasharray"] == "" {
		t.Error("only the second box should be dashed")
	}
	var labels []string
	for _, e := range d.byClass["box-label"] {
		if e.name == "text" {
			labels = append(labels, e.text)
		}
	}
	if strings.Join(labels, "|") != "disc 0.93" {
		t.Errorf("labels %q, want just \"disc 0.93\"", labels)
	}
}

func TestImageBoxesErrors(t *testing.T) {
	pix := make([]float64, 4*4)
	for name, fig := range map[string]*BoxImage{
		"two images": ImageBoxes(make([]float64, 32), 4, 4, 1),
		"channels":   ImageBoxes(pix, 4, 2, 2),
		"scale":      ImageBoxes(pix, 4, 4, 1).Scale(0),
		"NaN corner": ImageBoxes(pix, 4, 4, 1, LabeledBox{X1: math.NaN(), X2: 1, Y2: 1}),
	} {
		if _, err := fig.SVG(); err == nil || !strings.Contains(err.Error(), "ImageBoxes") {
			t.Errorf("%s: error %v, want one naming ImageBoxes", name, err)
		}
	}
}

// Two boxes with the same top-left corner: the second label moves so as not to cover the first.
func TestImageBoxesLabelsDoNotOverlap(t *testing.T) {
	pix := make([]float32, 40*40)
	svg, err := ImageBoxes(pix, 40, 40, 1,
		LabeledBox{X1: 5, Y1: 10, X2: 30, Y2: 30, Label: "first"},
		LabeledBox{X1: 5, Y1: 10, X2: 25, Y2: 35, Label: "second"},
	).Scale(4).SVG()
	if err != nil {
		t.Fatal(err)
	}
	var ys []float64
	for _, e := range parseSVG(t, svg).byClass["box-label"] {
		if e.name == "rect" {
			ys = append(ys, atof(t, e.attr["y"]))
		}
	}
	if len(ys) != 2 || math.Abs(ys[0]-ys[1]) < boxLabelSize+4 {
		t.Errorf("label tops %v, want two labels at least one label height apart", ys)
	}
}
