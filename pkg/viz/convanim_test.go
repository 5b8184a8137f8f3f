package viz_test

import (
	"bytes"
	"fmt"
	"image/color"
	"image/gif"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/viz"
)

// TestConvAnimationFrames checks the conv-arithmetic animations of chapter 10: one frame per
// output pixel, the image size the grids need, and what one frame shows where.
func TestConvAnimationFrames(t *testing.T) {
	cases := []struct {
		name      string
		spec      viz.ConvSpec
		grid, out int // cells per side: padded (stuffed) input, output
		caption   string
	}{
		{"no padding", viz.ConvSpec{N: 4, Kernel: 3}, 4, 2, "3×3 kernel: 4×4 → 2×2"},
		{"padding", viz.ConvSpec{N: 5, Kernel: 4, Padding: 2}, 9, 6, "4×4 kernel, padding 2: 5×5 → 6×6"},
		{"same", viz.ConvSpec{N: 5, Kernel: 3, Padding: 1}, 7, 5, "3×3 kernel, padding 1: 5×5 → 5×5"},
		{"stride 2", viz.ConvSpec{N: 5, Kernel: 3, Stride: 2}, 5, 2, "3×3 kernel, stride 2: 5×5 → 2×2"},
		{"dilation 2", viz.ConvSpec{N: 7, Kernel: 3, Dilation: 2}, 7, 3, "3×3 kernel, dilation 2: 7×7 → 3×3"},
		// The transpose of "stride 2": 2 pixels, one zero between, 2 around each side.
		{"transposed", viz.ConvSpec{N: 2, Kernel: 3, Stride: 2, Transposed: true}, 7, 5,
			"transposed, 3×3 kernel, stride 2: 2×2 → 5×5"},
	}
	const cell = 10
	for _, c := range cases {
		a := viz.ConvAnimation("", c.spec).Cell(cell)
		if got := a.Caption(); got != c.caption {
			t.Errorf("%s: caption %q, want %q", c.name, got, c.caption)
		}
		frames, err := a.Frames()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(frames) != c.out*c.out {
			t.Fatalf("%s: %d frames, want %d", c.name, len(frames), c.out*c.out)
		}
		b := frames[0].Bounds()
		if w, h := cell+(c.grid+c.out)*cell+2*cell, cell+c.grid*cell; b.Dx() != w || b.Dy() != h {
			t.Errorf("%s: frames %d×%d, want %d×%d", c.name, b.Dx(), b.Dy(), w, h)
		}
		data, err := a.GIF()
		if err != nil {
			t.Fatal(err)
		}
		g, err := gif.DecodeAll(bytes.NewReader(data))
		if err != nil || len(g.Image) != len(frames) {
			t.Fatalf("%s: GIF decodes to %v frames, error %v", c.name, len(g.Image), err)
		}
	}
}

// TestAnimationsRow checks the row layout: widths add up, the height is the tallest, the frame
// count the largest, and the shorter animation holds its last frame.
func TestAnimationsRow(t *testing.T) {
	short := viz.ConvAnimation("", viz.ConvSpec{N: 4, Kernel: 3}).Cell(10)            // 4 frames
	long := viz.ConvAnimation("", viz.ConvSpec{N: 5, Kernel: 3, Padding: 1}).Cell(10) // 25 frames
	row := viz.Animations(short, long)
	data, err := row.GIF()
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sf, _ := short.Frames()
	lf, _ := long.Frames()
	sb, lb := sf[0].Bounds(), lf[0].Bounds()
	if len(g.Image) != 25 || g.Config.Width != sb.Dx()+lb.Dx() || g.Config.Height != max(sb.Dy(), lb.Dy()) {
		t.Errorf("row: %d frames of %d×%d, want 25 of %d×%d", len(g.Image), g.Config.Width, g.Config.Height,
			sb.Dx()+lb.Dx(), max(sb.Dy(), lb.Dy()))
	}
	// Frame 10 of the row shows the short animation's last frame on the left.
	last := sf[len(sf)-1]
	for _, p := range [][2]int{{30, 20}, {sb.Dx() - 20, 30}} {
		if got, want := hex(g.Image[10].At(p[0], p[1])), hex(last.At(p[0], p[1])); got != want {
			t.Errorf("row frame 10 at %v: %s, want the short one's last frame's %s", p, got, want)
		}
	}
	if got := row.Captions(); len(got) != 2 || got[0] != "3×3 kernel: 4×4 → 2×2" {
		t.Errorf("captions %q", got)
	}
	if _, err := viz.Animations().GIF(); err == nil {
		t.Error("an empty row: no error")
	}
}

// TestConvAnimationPixels reads the colours of single cells: on the stride-2 animation's second
// frame the kernel's first tap sits on input pixel (0, 2), the first output is done and the
// second in progress; on the dilation-2 animation the cell between two taps is untouched input.
func TestConvAnimationPixels(t *testing.T) {
	const cell, margin = 10, 5
	centre := func(i, j int) (x, y int) { return margin + j*cell + cell/2, margin + i*cell + cell/2 }
	frames, err := viz.ConvAnimation("", viz.ConvSpec{N: 5, Kernel: 3, Stride: 2}).Cell(cell).Frames()
	if err != nil {
		t.Fatal(err)
	}
	f := frames[1]
	at := func(i, j int) string { x, y := centre(i, j); return hex(f.At(x, y)) }
	outAt := func(i, j int) string { // the output grid starts after 5 input cells and a 2-cell gap
		x, y := margin+(5+2+j)*cell+cell/2, margin+(5-2)*cell/2+i*cell+cell/2
		return hex(f.At(x, y))
	}
	checks := []struct{ what, got, want string }{
		{"tap on input (0, 2)", at(0, 2), "#1f3b73"},
		{"input (0, 1), left of the window", at(0, 1), "#6fa8dc"},
		{"tap on input (2, 4)", at(2, 4), "#1f3b73"},
		{"output (0, 0), done", outAt(0, 0), "#76c7a0"},
		{"output (0, 1), now", outAt(0, 1), "#1b7a4b"},
		{"output (1, 0), to do", outAt(1, 0), "#ddf1e4"},
	}
	frames, err = viz.ConvAnimation("", viz.ConvSpec{N: 7, Kernel: 3, Dilation: 2}).Cell(cell).Frames()
	if err != nil {
		t.Fatal(err)
	}
	f = frames[0]
	checks = append(checks,
		struct{ what, got, want string }{"dilated tap (0, 2)", at(0, 2), "#1f3b73"},
		struct{ what, got, want string }{"between taps (0, 1)", at(0, 1), "#6fa8dc"})
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: colour %s, want %s", c.what, c.got, c.want)
		}
	}
	// Padding is drawn as zeros: the padded animation's corner cell.
	frames, err = viz.ConvAnimation("", viz.ConvSpec{N: 5, Kernel: 3, Padding: 1}).Cell(cell).Frames()
	if err != nil {
		t.Fatal(err)
	}
	f = frames[len(frames)-1]
	if got := at(0, 0); got != "#eeeeee" {
		t.Errorf("padding corner on the last frame: colour %s, want #eeeeee", got)
	}
	if got := at(6, 6); got != "#787878" {
		t.Errorf("tap on the padding corner (6, 6) on the last frame: colour %s, want #787878", got)
	}
}

// TestConvAnimationRejects checks that impossible or unshowable settings are errors.
func TestConvAnimationRejects(t *testing.T) {
	for _, s := range []viz.ConvSpec{
		{N: 2, Kernel: 3},                               // kernel larger than the input
		{N: 5, Kernel: 3, Padding: -1},                  // negative padding
		{N: 4, Kernel: 3, Transposed: true, Padding: 3}, // crops
		{N: 4, Kernel: 3, Transposed: true, Stride: 2, OutputPadding: 2},
		{N: 80, Kernel: 3}, // too large
	} {
		if _, err := viz.ConvAnimation("", s).Frames(); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
}

func hex(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// TestConvExplorerOutsideJupyterLab checks that the explorer does not wait for sliders where no
// browser answers: outside a notebook it is never interactive, even with Jupyter Server's
// variable set, and it returns at once — with the error of an animation that cannot be drawn.
func TestConvExplorerOutsideJupyterLab(t *testing.T) {
	t.Setenv("JPY_SESSION_NAME", "10-convolution.ipynb")
	if viz.Interactive() {
		t.Fatal("Interactive() outside a notebook")
	}
	ok := viz.ConvAnimation("", viz.ConvSpec{N: 4, Kernel: 3})
	if err := viz.ConvExplorer(5, ok, ok, ok, ok); err != nil {
		t.Errorf("ConvExplorer: %v", err)
	}
	bad := viz.ConvAnimation("bad", viz.ConvSpec{N: 2, Kernel: 3})
	if err := viz.ConvExplorer(5, ok, bad); err == nil || !strings.Contains(err.Error(), "spans 3 cells") {
		t.Errorf("ConvExplorer with an impossible animation: error %v", err)
	}
}
