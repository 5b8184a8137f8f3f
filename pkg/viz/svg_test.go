package viz

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// elem is one parsed SVG element: its name, attributes and the text directly inside it.
type elem struct {
	name string
	attr map[string]string
	text string
}

// doc is a parsed SVG document, its elements indexed by class.
type doc struct {
	w, h    float64
	all     []*elem
	byClass map[string][]*elem
}

// parseSVG decodes the whole document with encoding/xml in strict mode, failing the test on
// any syntax error, and checks that the root is an <svg> with a size.
func parseSVG(t *testing.T, svg string) *doc {
	t.Helper()
	d := &doc{byClass: map[string][]*elem{}}
	dec := xml.NewDecoder(strings.NewReader(svg))
	dec.Strict = true
	var stack []*elem
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &elem{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				key := a.Name.Local
				if a.Name.Space == "http://www.w3.org/1999/xlink" || a.Name.Space == "xlink" {
					key = "xlink:" + key
				}
				e.attr[key] = a.Value
			}
			if depth == 0 {
				roots++
				if e.name != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root element is %v, want svg in the SVG namespace", tok.Name)
				}
				d.w = atof(t, e.attr["width"])
				d.h = atof(t, e.attr["height"])
				// A page may shrink the figure to the width it has, keeping its proportions.
				if vb := "0 0 " + e.attr["width"] + " " + e.attr["height"]; e.attr["viewBox"] != vb {
					t.Fatalf("viewBox %q, want %q", e.attr["viewBox"], vb)
				}
				if st := e.attr["style"]; st != "max-width:100%;height:auto" {
					t.Fatalf("root style %q, want it to let the figure shrink", st)
				}
			}
			d.all = append(d.all, e)
			if c := e.attr["class"]; c != "" {
				d.byClass[c] = append(d.byClass[c], e)
			}
			stack = append(stack, e)
			depth++
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			depth--
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	if roots != 1 {
		t.Fatalf("%d root elements, want 1", roots)
	}
	return d
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return v
}

// texts returns the text of the elements of class c, in order.
func (d *doc) texts(c string) []string {
	var s []string
	for _, e := range d.byClass[c] {
		s = append(s, e.text)
	}
	return s
}

func (d *doc) count(name string) int {
	n := 0
	for _, e := range d.all {
		if e.name == name {
			n++
		}
	}
	return n
}

// mustSVG renders f and parses it.
func mustSVG(t *testing.T, f Figure) *doc {
	t.Helper()
	svg, err := f.SVG()
	if err != nil {
		t.Fatalf("SVG: %v", err)
	}
	return parseSVG(t, svg)
}

// decodeDataURI decodes an embedded PNG.
func decodeDataURI(t *testing.T, uri string) image.Image {
	t.Helper()
	const prefix = "data:image/png;base64,"
	if !strings.HasPrefix(uri, prefix) {
		t.Fatalf("href %.40q is not a PNG data URI", uri)
	}
	raw, err := base64.StdEncoding.DecodeString(uri[len(prefix):])
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestEveryFigureSavesAndDisplays saves each kind of figure to a file, reads the file back as
// SVG, and displays it outside a notebook, where Display only checks that it draws.
func TestEveryFigureSavesAndDisplays(t *testing.T) {
	figs := map[string]Figure{
		"lines":     Lines("loss", Series{"train", nil, []float64{3, 2, 1}}),
		"one point": Lines("one", Series{"a", nil, []float64{5}}),
		"flat":      Lines("flat", Series{"a", []float64{0.5, 1.5}, []float64{2, 2}}).LogY(),
		"contour":   Contour("bowl", func(x, y float64) float64 { return x*x + y*y }, -1, 1, -1, 1),
		"images":    Images([]float32{0, 1, 1, 0}, 2, 2, 1),
		"confusion": Confusion("c", []string{"a", "b"}, []int{0, 1}, []int{0, 0}),
		"heatmap":   Heatmap("h", [][]float64{{1, 2}, {3, 4}}),
		"bars":      Bars("b", []string{"x", "y"}, []float64{1, 2}),
		"row":       Row(Heatmap("h", [][]int{{1}}), Bars("b", []string{"x"}, []float64{1})),
	}
	dir := t.TempDir()
	for name, f := range figs {
		path := filepath.Join(dir, name+".svg")
		if err := f.SaveSVG(path); err != nil {
			t.Fatalf("%s: SaveSVG: %v", name, err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d := parseSVG(t, string(raw))
		if d.w <= 0 || d.h <= 0 {
			t.Errorf("%s: size %v×%v", name, d.w, d.h)
		}
		if err := f.Display(); err != nil {
			t.Errorf("%s: Display outside a notebook: %v", name, err)
		}
	}
}

// TestBadInputIsAnError checks that every way of building a figure that cannot be drawn comes
// back from SVG, Display and SaveSVG as an error naming the problem, and writes no file.
func TestBadInputIsAnError(t *testing.T) {
	nan := func() float64 { var z float64; return z / z }()
	inf := func() float64 { var z float64; return 1 / z }()
	rosen := func(x, y float64) float64 { return (1-x)*(1-x) + 100*(y-x*x)*(y-x*x) }
	cases := []struct {
		name string
		fig  Figure
		want string
	}{
		{"no series", Lines("loss"), "no series"},
		{"mismatched lengths", Lines("loss", Series{"train", []float64{1, 2, 3}, []float64{1, 2}}), `"train": 3 x values, 2 y values`},
		{"empty series", Lines("loss", Series{"train", nil, nil}), `"train": no points`},
		{"NaN y", Lines("loss", Series{"train", nil, []float64{1, nan, 3}}), "Y[1] is NaN"},
		{"Inf x", Lines("loss", Series{"a", []float64{0, inf}, []float64{1, 2}}), "X[1] is +Inf"},
		{"zero on log axis", Lines("loss", Series{"a", nil, []float64{1, 0}}).LogY(), "Y[1] = 0 cannot go on a log axis"},
		{"empty y range", Lines("acc", Series{"a", nil, []float64{1, 2}}).YRange(1, 1), "y range [1, 1] is empty"},
		{"negative log range", Lines("l", Series{"a", nil, []float64{1, 2}}).LogY().YRange(-1, 1), "cannot go on a log axis"},
		{"tiny size", Lines("l", Series{"a", nil, []float64{1}}).Size(10, 10), "too small"},
		{"contour without f", Contour("c", nil, 0, 1, 0, 1), "no function"},
		{"contour NaN", Contour("c", func(x, y float64) float64 { return nan }, 0, 1, 0, 1), "= NaN"},
		{"contour empty range", Contour("c", rosen, 1, 1, 0, 1), "x range [1, 1] is empty"},
		{"contour path without X", Contour("c", rosen, -1, 1, -1, 1).Paths(Series{"gd", nil, []float64{1}}), `"gd": no X`},
		{"contour path NaN", Contour("c", rosen, -1, 1, -1, 1).Paths(Series{"gd", []float64{0, 1}, []float64{0, nan}}), "Y[1] is NaN"},
		{"contour level NaN", Contour("c", rosen, -1, 1, -1, 1).Levels(1, nan), "level[1] is NaN"},
		{"contour mark Inf", Contour("c", rosen, -1, 1, -1, 1).Mark(inf, 0, "x"), "mark 0"},
		{"no images", Images([]float32{}, 28, 28, 1), "no images"},
		{"partial image", Images(make([]float32, 5), 2, 2, 1), "5 values are not a whole number of 2×2×1 images"},
		{"two channels", Images(make([]float32, 8), 2, 2, 2), "2 channels"},
		{"zero size", Images(make([]float32, 8), 0, 2, 1), "image size 0×2"},
		{"NaN pixel", Images([]float64{0, 1, nan, 0, 0, 0, 0, 0}, 2, 2, 1), "image 0: pixel[2] is NaN"},
		{"captions count", Images(make([]float32, 8), 2, 2, 1).Captions("one"), "2 images, 1 captions"},
		{"wrong index", Images(make([]float32, 8), 2, 2, 1).Wrong(2), "Wrong(2): 2 images"},
		{"negative cols", Images(make([]float32, 8), 2, 2, 1).Cols(-1), "Cols(-1)"},
		{"predictions count", Predictions(make([]float32, 8), 2, 2, 1, []string{"a"}, []int{0}, []int{0, 0}), "2 images, 1 predictions, 2 true labels"},
		{"prediction out of range", Predictions(make([]float32, 4), 2, 2, 1, []string{"a"}, []int{1}, []int{0}), "pred[0] = 1, not one of 1 classes"},
		{"confusion no classes", Confusion("c", nil, []int{0}, []int{0}), "no classes"},
		{"confusion lengths", Confusion("c", []string{"a"}, []int{0, 0}, []int{0}), "2 true labels, 1 predictions"},
		{"confusion no examples", Confusion("c", []string{"a"}, nil, nil), "no examples"},
		{"confusion label", Confusion("c", []string{"a", "b"}, []int{0, 2}, []int{0, 1}), "example 1: true 2, predicted 1"},
		{"counts ragged", ConfusionCounts("c", []string{"a", "b"}, [][]int{{1, 2}, {3}}), "row 1 has 1 counts"},
		{"counts negative", ConfusionCounts("c", []string{"a"}, [][]int{{-1}}), "counts[0][0] = -1"},
		{"counts rows", ConfusionCounts("c", []string{"a", "b"}, [][]int{{1, 2}}), "1 rows of counts, 2 classes"},
		{"heatmap empty", Heatmap[float64]("h", nil), "no values"},
		{"heatmap ragged", Heatmap("h", [][]float32{{1, 2}, {3}}), "row 1 has 1 values, row 0 has 2"},
		{"heatmap NaN", Heatmap("h", [][]float64{{1, 2}, {nan, 4}}), "value [1][0] is NaN"},
		{"heatmap flat size", HeatmapFlat("h", []float32{1, 2, 3}, 2, 2), "3 values for 2×2"},
		{"heatmap range", Heatmap("h", [][]int{{1}}).Range(2, 1), "range [2, 1] is empty"},
		{"bars empty", Bars("b", nil, nil), "no values"},
		{"bars mismatched", Bars("b", []string{"a", "b"}, []float64{1}), "2 labels, 1 values"},
		{"bars NaN", Bars("b", []string{"a"}, []float64{nan}), "values[0] is NaN"},
		{"row empty", Row(), "no figures"},
		{"row bad child", Row(Bars("ok", []string{"a"}, []float64{1}), Lines("bad")), `figure 1: viz: Lines("bad"): no series`},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svg, err := c.fig.SVG()
			if err == nil {
				t.Fatalf("SVG() succeeded, want an error containing %q", c.want)
			}
			if svg != "" {
				t.Errorf("SVG() returned a document with its error")
			}
			if !strings.HasPrefix(err.Error(), "viz: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to start with \"viz: \" and contain %q", err, c.want)
			}
			if derr := c.fig.Display(); derr == nil || derr.Error() != err.Error() {
				t.Errorf("Display() = %v, want %v", derr, err)
			}
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".svg")
			if serr := c.fig.SaveSVG(path); serr == nil {
				t.Errorf("SaveSVG succeeded")
			}
			if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
				t.Errorf("SaveSVG left a file: %v", serr)
			}
		})
	}
}

// TestPNGBadInputIsAnError checks the PNG outputs report bad input the same way.
func TestPNGBadInputIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.png")
	if _, err := Images([]float32{}, 2, 2, 1).PNG(); err == nil || !strings.Contains(err.Error(), "no images") {
		t.Errorf("Images PNG error = %v", err)
	}
	if err := Heatmap("h", [][]float64{{1}, {}}).SavePNG(path); err == nil || !strings.Contains(err.Error(), "row 1 has 0 values") {
		t.Errorf("Heatmap SavePNG error = %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("SavePNG left a file: %v", err)
	}
}

// TestSaveToMissingDirectory checks a write error carries the path.
func TestSaveToMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "f.svg")
	err := Bars("b", []string{"a"}, []float64{1}).SaveSVG(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("SaveSVG to a missing directory: %v, want an error naming %s", err, path)
	}
}

// TestTextIsEscaped puts XML's special characters, a control character and Chinese into every
// place text goes, and checks the document parses and gives the text back.
func TestTextIsEscaped(t *testing.T) {
	nasty := `<b>"损失" & 'loss'</b>` + "\x01"
	want := `<b>"损失" & 'loss'</b>` + "\uFFFD" // XML cannot hold U+0001
	d := mustSVG(t, Lines(nasty, Series{nasty, nil, []float64{1, 2}}).XLabel(nasty).YLabel(nasty))
	for _, class := range []string{"title", "legend-label", "xlabel", "ylabel"} {
		if got := d.texts(class); !equalStrings(got, []string{want}) {
			t.Errorf("%s text = %q, want %q", class, got, want)
		}
	}
	d = mustSVG(t, Images(make([]float32, 8), 2, 2, 1).Captions(nasty, "卷积核 kernel").Title(nasty))
	if got := d.texts("caption"); !equalStrings(got, []string{want, "卷积核 kernel"}) {
		t.Errorf("captions = %q", got)
	}
	d = mustSVG(t, Confusion(nasty, []string{nasty, "b"}, []int{0}, []int{1}))
	if got := d.texts("row-label"); !equalStrings(got, []string{want, "b"}) {
		t.Errorf("row labels = %q", got)
	}
}

// TestFontFamilyNamesCJKFonts checks the root declares fonts that hold Chinese.
func TestFontFamilyNamesCJKFonts(t *testing.T) {
	d := mustSVG(t, Bars("准确率 accuracy", []string{"a"}, []float64{1}))
	ff := d.all[0].attr["font-family"]
	for _, font := range []string{"'Noto Sans CJK SC'", "'WenQuanYi Zen Hei'", "sans-serif"} {
		if !strings.Contains(ff, font) {
			t.Errorf("font-family %q lacks %s", ff, font)
		}
	}
	if got := d.texts("title"); !equalStrings(got, []string{"准确率 accuracy"}) {
		t.Errorf("title = %q", got)
	}
}

// TestNoIDs checks figures use no ids, so several inline SVGs cannot collide in one page.
func TestNoIDs(t *testing.T) {
	for _, f := range []Figure{
		Lines("l", Series{"a", nil, []float64{1, 2}}),
		Contour("c", func(x, y float64) float64 { return x * y }, -1, 1, -1, 1),
		Confusion("c", []string{"a"}, []int{0}, []int{0}),
		HeatmapFlat("h", make([]float64, 50*50), 50, 50),
	} {
		for _, e := range mustSVG(t, f).all {
			if _, ok := e.attr["id"]; ok {
				t.Errorf("element <%s> has an id", e.name)
			}
		}
	}
}

func TestTextWidth(t *testing.T) {
	latin, cjk := textWidth("ab", 10), textWidth("损失", 10)
	if latin <= 0 || cjk != 20 || cjk <= latin {
		t.Errorf("textWidth: latin %v, CJK %v; want 0 < latin < CJK = 20", latin, cjk)
	}
}
