package viz

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/dom"
	"github.com/janpfeifer/gonb/gonbui/protocol"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// ConvSpec is the arithmetic of one convolution along both axes of a square input of N pixels:
// a square Kernel, Stride, Padding and Dilation (0 means 1 for Stride and Dilation), and for a
// Transposed convolution its OutputPadding. ConvAnimation draws it.
type ConvSpec struct {
	N, Kernel, Stride, Padding, Dilation int
	Transposed                           bool
	OutputPadding                        int
}

// ConvAnim is an animated figure of a convolution in the manner of Dumoulin and Visin's
// conv_arithmetic animations (chapter 10): the input grid (blue) with its zero padding (white),
// the kernel's taps (dark) sliding over it, and the output grid (green) filling in, one frame per
// output pixel. A transposed convolution is drawn as the direct convolution that computes it:
// stride−1 zeros stuffed between the input pixels, d(k−1)−p zeros around them, stride 1.
//
// The frames are encoded as an animated GIF (GIF, SaveGIF), which Display shows as image/gif:
// browsers animate a GIF in an <img>, but not one embedded in an SVG, so this figure is no SVG
// Figure; Animations lays several side by side.
type ConvAnim struct {
	title string
	spec  ConvSpec
	cell  int
	delay int
}

// ConvAnimation returns the animation of spec, titled title (an empty title: a caption made from
// spec, such as "3×3 kernel, stride 2, padding 1: 5×5 → 3×3").
func ConvAnimation(title string, spec ConvSpec) *ConvAnim {
	return &ConvAnim{title: title, spec: spec, cell: 14, delay: 50}
}

// errorf returns an error that names the animation.
func (a *ConvAnim) errorf(format string, args ...any) error {
	return fmt.Errorf("viz: ConvAnimation(%q): "+format, append([]any{a.title}, args...)...)
}

// Cell sets the side of one grid cell in pixels (default 14).
func (a *ConvAnim) Cell(px int) *ConvAnim { a.cell = px; return a }

// Delay sets the time each frame shows, in hundredths of a second (default 50).
func (a *ConvAnim) Delay(centiseconds int) *ConvAnim { a.delay = centiseconds; return a }

// The animation's colours, which are also its GIF palette, in palette order.
var convPalette = color.Palette{
	color.RGBA{255, 255, 255, 255}, // background
	color.RGBA{238, 238, 238, 255}, // a zero: padding, or stuffed between input pixels
	color.RGBA{111, 168, 220, 255}, // an input pixel
	color.RGBA{31, 59, 115, 255},   // a kernel tap on an input pixel
	color.RGBA{120, 120, 120, 255}, // a kernel tap on a zero
	color.RGBA{221, 241, 228, 255}, // an output pixel still to compute
	color.RGBA{118, 199, 160, 255}, // an output pixel computed
	color.RGBA{27, 122, 75, 255},   // the output pixel being computed
	color.RGBA{60, 60, 60, 255},    // the outline of the kernel's span
}

// Indices into convPalette.
const (
	cBackground uint8 = iota
	cZero
	cInput
	cTapInput
	cTapZero
	cOutTodo
	cOutDone
	cOutNow
	cOutline
)

// geometry is what the frames draw: the side of the (padded, stuffed) input grid, which of its
// cells hold input pixels, the output side, the stride over the grid and the kernel.
type convGeometry struct {
	grid, out, stride, kernel, dilation int
	isInput                             []bool // along one axis
}

func (a *ConvAnim) geometry() (convGeometry, error) {
	s := a.spec
	st, d := max(s.Stride, 1), max(s.Dilation, 1)
	if s.N < 1 || s.Kernel < 1 || s.Stride < 0 || s.Dilation < 0 || s.Padding < 0 || s.OutputPadding < 0 {
		return convGeometry{}, a.errorf("%+v: want N and Kernel ≥ 1 and no negative setting", s)
	}
	if a.cell < 2 || a.delay < 1 {
		return convGeometry{}, a.errorf("cell %d px and delay %d: want a cell ≥ 2 px and a delay ≥ 1", a.cell, a.delay)
	}
	span := d*(s.Kernel-1) + 1
	g := convGeometry{stride: st, kernel: s.Kernel, dilation: d}
	if s.Transposed {
		before := span - 1 - s.Padding
		if before < 0 {
			return convGeometry{}, a.errorf("padding %d exceeds d(k−1) = %d: the transposed convolution crops, "+
				"which the drawing cannot show", s.Padding, span-1)
		}
		if s.OutputPadding >= max(st, d) {
			return convGeometry{}, a.errorf("output padding %d, want less than the stride or the dilation", s.OutputPadding)
		}
		g.grid = (s.N-1)*st + 1 + 2*before + s.OutputPadding
		g.isInput = make([]bool, g.grid)
		for i := range s.N {
			g.isInput[before+i*st] = true
		}
		g.stride = 1
	} else {
		g.grid = s.N + 2*s.Padding
		g.isInput = make([]bool, g.grid)
		for i := range s.N {
			g.isInput[s.Padding+i] = true
		}
	}
	if g.grid < span {
		return convGeometry{}, a.errorf("the kernel spans %d cells, more than the %d of the padded input", span, g.grid)
	}
	g.out = (g.grid-span)/g.stride + 1
	if g.grid*g.grid > 64*64 || g.out*g.out > 400 {
		return convGeometry{}, a.errorf("a %d×%d grid with %d frames is too large to animate", g.grid, g.grid, g.out*g.out)
	}
	return g, nil
}

// Caption describes the animation: the title, or the spec in words with the sizes.
func (a *ConvAnim) Caption() string {
	if a.title != "" {
		return a.title
	}
	s := a.spec
	words := fmt.Sprintf("%d×%d kernel", s.Kernel, s.Kernel)
	if s.Transposed {
		words = "transposed, " + words
	}
	for _, o := range []struct {
		name   string
		v, def int
	}{{"stride", s.Stride, 1}, {"padding", s.Padding, 0}, {"dilation", s.Dilation, 1}, {"output padding", s.OutputPadding, 0}} {
		if o.v != o.def && !(o.v == 0 && o.def == 1) {
			words += fmt.Sprintf(", %s %d", o.name, o.v)
		}
	}
	if g, err := a.geometry(); err == nil {
		words += fmt.Sprintf(": %d×%d → %d×%d", s.N, s.N, g.out, g.out)
	}
	return words
}

// Frames draws the animation: one paletted image per output pixel, in row-major order.
func (a *ConvAnim) Frames() ([]*image.Paletted, error) {
	g, err := a.geometry()
	if err != nil {
		return nil, err
	}
	c := a.cell
	margin, gap := c/2, 2*c
	w := 2*margin + (g.grid+g.out)*c + gap
	h := 2*margin + g.grid*c
	outTop := margin + (g.grid-g.out)*c/2
	outLeft := margin + g.grid*c + gap
	var frames []*image.Paletted
	for n := range g.out * g.out {
		r, q := n/g.out, n%g.out
		img := image.NewPaletted(image.Rect(0, 0, w, h), convPalette)
		// The input grid, then the kernel's taps over it.
		for i := range g.grid {
			for j := range g.grid {
				fill := cZero
				if g.isInput[i] && g.isInput[j] {
					fill = cInput
				}
				box(img, margin+j*c, margin+i*c, c, fill)
			}
		}
		top, left := r*g.stride, q*g.stride
		span := g.dilation*(g.kernel-1) + 1
		outline(img, margin+left*c-1, margin+top*c-1, span*c+1, span*c+1)
		for u := range g.kernel {
			for v := range g.kernel {
				i, j := top+u*g.dilation, left+v*g.dilation
				fill := cTapZero
				if g.isInput[i] && g.isInput[j] {
					fill = cTapInput
				}
				box(img, margin+j*c, margin+i*c, c, fill)
			}
		}
		// The output grid: computed, being computed, to compute.
		for i := range g.out {
			for j := range g.out {
				fill := cOutTodo
				switch k := i*g.out + j; {
				case k < n:
					fill = cOutDone
				case k == n:
					fill = cOutNow
				}
				box(img, outLeft+j*c, outTop+i*c, c, fill)
			}
		}
		frames = append(frames, img)
	}
	return frames, nil
}

// box fills a cell of side c at (x, y), leaving a one-pixel background border between cells.
func box(img *image.Paletted, x, y, c int, fill uint8) {
	for yy := y + 1; yy < y+c; yy++ {
		for xx := x + 1; xx < x+c; xx++ {
			img.SetColorIndex(xx, yy, fill)
		}
	}
}

// outline draws a rectangle's border, w×h pixels from (x, y).
func outline(img *image.Paletted, x, y, w, h int) {
	for k := 0; k <= w; k++ {
		img.SetColorIndex(x+k, y, cOutline)
		img.SetColorIndex(x+k, y+h, cOutline)
	}
	for k := 0; k <= h; k++ {
		img.SetColorIndex(x, y+k, cOutline)
		img.SetColorIndex(x+w, y+k, cOutline)
	}
}

// GIF encodes the frames as an animated GIF that loops forever, holding the last frame longer.
func (a *ConvAnim) GIF() ([]byte, error) {
	frames, err := a.Frames()
	if err != nil {
		return nil, err
	}
	anim := &gif.GIF{Image: frames, Delay: make([]int, len(frames))}
	for i := range anim.Delay {
		anim.Delay[i] = a.delay
	}
	anim.Delay[len(frames)-1] = 4 * a.delay
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, anim); err != nil {
		return nil, a.errorf("encoding GIF: %v", err)
	}
	return b.Bytes(), nil
}

// SaveGIF writes the animated GIF to path.
func (a *ConvAnim) SaveGIF(path string) error {
	data, err := a.GIF()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("viz: %w", err)
	}
	return nil
}

// Display shows the animation in a GoNB notebook, as image/gif with its caption as the text
// alternative; outside a notebook it only checks that it draws.
func (a *ConvAnim) Display() error { return Animations(a).Display() }

// AnimationRow is several conv-arithmetic animations side by side in one GIF; make it with
// Animations.
type AnimationRow struct{ anims []*ConvAnim }

// Animations lays the animations out left to right, top-aligned, in one GIF: frame i shows
// frame i of each, and an animation with fewer frames holds its last one until all have ended.
// They share the first one's delay.
func Animations(anims ...*ConvAnim) *AnimationRow { return &AnimationRow{anims: anims} }

// Captions lists the animations' captions, left to right.
func (r *AnimationRow) Captions() []string {
	out := make([]string, len(r.anims))
	for i, a := range r.anims {
		out[i] = a.Caption()
	}
	return out
}

// GIF encodes the row as an animated GIF that loops forever, holding the last frame longer.
func (r *AnimationRow) GIF() ([]byte, error) {
	if len(r.anims) == 0 {
		return nil, fmt.Errorf("viz: Animations: no animation")
	}
	var all [][]*image.Paletted
	w, h, n := 0, 0, 0
	for _, a := range r.anims {
		frames, err := a.Frames()
		if err != nil {
			return nil, err
		}
		all = append(all, frames)
		b := frames[0].Bounds()
		w, h, n = w+b.Dx(), max(h, b.Dy()), max(n, len(frames))
	}
	anim := &gif.GIF{}
	for i := range n {
		img := image.NewPaletted(image.Rect(0, 0, w, h), convPalette)
		x := 0
		for _, frames := range all {
			f := frames[min(i, len(frames)-1)]
			draw.Draw(img, f.Bounds().Add(image.Pt(x, 0)), f, image.Point{}, draw.Src)
			x += f.Bounds().Dx()
		}
		anim.Image = append(anim.Image, img)
		anim.Delay = append(anim.Delay, r.anims[0].delay)
	}
	anim.Delay[n-1] = 4 * r.anims[0].delay
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, anim); err != nil {
		return nil, fmt.Errorf("viz: Animations: encoding GIF: %w", err)
	}
	return b.Bytes(), nil
}

// Display prints the captions ("left to right: …") and shows the row in a GoNB notebook as
// image/gif; outside a notebook it only checks that the GIF encodes.
func (r *AnimationRow) Display() error {
	data, err := r.GIF()
	if err != nil {
		if gonbui.IsNotebook {
			fmt.Fprintln(os.Stderr, err)
		}
		return err
	}
	if !gonbui.IsNotebook {
		return nil
	}
	captions := strings.Join(r.Captions(), " · ")
	if len(r.anims) > 1 {
		captions = "left to right: " + captions
	}
	fmt.Println(captions)
	drainOutput()
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		"image/gif":            data,
		protocol.MIMETextPlain: "animation: " + captions,
	}})
	gonbui.Sync()
	if err := gonbui.Error(); err != nil {
		return fmt.Errorf("viz: displaying %s: %w", captions, err)
	}
	return nil
}

// Interactive reports whether this program runs in a notebook a person is looking at: a GoNB
// cell in a kernel that Jupyter Server started for an open notebook (it sets $JPY_SESSION_NAME;
// nbclient, which the book's harness and site builds run notebooks with, does not), unless
// $GODL_STATIC is set. Widgets wait for the browser to answer, so cells use them only then.
func Interactive() bool {
	return gonbui.IsNotebook && os.Getenv("JPY_SESSION_NAME") != "" && os.Getenv("GODL_STATIC") == ""
}

// ExploreLimit is how long ConvExplorer's sliders stay live before the cell ends.
const ExploreLimit = 15 * time.Minute

// ConvExplorer lets the reader set the kernel, stride, padding and dilation of a convolution
// of an n×n input with sliders and redraws its animation at every change — in JupyterLab
// (Interactive), for ExploreLimit or until the cell is interrupted. Elsewhere — the harness,
// the book's site — it displays the fixed animations instead, three to a row, and returns at
// once.
func ConvExplorer(n int, fixed ...*ConvAnim) error {
	static := func() error {
		for start := 0; start < len(fixed); start += 3 {
			if err := Animations(fixed[start:min(start+3, len(fixed))]...).Display(); err != nil {
				return err
			}
		}
		return nil
	}
	if !Interactive() {
		return static()
	}
	// A slider's Done waits for the browser's first answer; if none comes, show the fixed ones.
	names := []string{"kernel", "stride", "padding", "dilation"}
	ranges := [][3]int{{1, 5, 3}, {1, 3, 1}, {0, 3, 0}, {1, 3, 1}} // min, max, start
	built := make(chan []*widgets.SliderBuilder, 1)
	go func() {
		controls := "conv_controls_" + gonbui.UniqueId()
		gonbui.DisplayHTML(fmt.Sprintf(`<div id=%q style="display:grid;grid-template-columns:auto auto;gap:2px 8px"></div>`, controls))
		var sliders []*widgets.SliderBuilder
		for i, name := range names {
			dom.Append(controls, fmt.Sprintf("<span>%s</span>", name))
			sliders = append(sliders, widgets.Slider(ranges[i][0], ranges[i][1], ranges[i][2]).AppendTo(controls).Done())
		}
		built <- sliders
	}()
	var sliders []*widgets.SliderBuilder
	select {
	case sliders = <-built:
	case <-time.After(widgetWait):
		fmt.Println("(the notebook's widgets did not answer: the fixed animations instead)")
		return static()
	}
	var mu sync.Mutex
	values := []int{ranges[0][2], ranges[1][2], ranges[2][2], ranges[3][2]}
	changed := make(chan struct{}, 1)
	for i, s := range sliders {
		updates := s.Listen().LatestOnly()
		go func() {
			for v := range updates.C {
				mu.Lock()
				values[i] = v
				mu.Unlock()
				select {
				case changed <- struct{}{}:
				default:
				}
			}
		}()
	}
	figure := "conv_figure_" + gonbui.UniqueId()
	deadline := time.After(ExploreLimit)
	for {
		mu.Lock()
		spec := ConvSpec{N: n, Kernel: values[0], Stride: values[1], Padding: values[2], Dilation: values[3]}
		mu.Unlock()
		a := ConvAnimation("", spec)
		html := "<pre>" + esc(a.Caption()) + "</pre>"
		if data, err := a.GIF(); err != nil {
			html = "<pre>" + esc(err.Error()) + "</pre>"
		} else {
			html += `<img src="data:image/gif;base64,` + base64.StdEncoding.EncodeToString(data) + `">`
		}
		gonbui.UpdateHTML(figure, html)
		select {
		case <-changed:
		case <-deadline:
			return nil
		}
	}
}

// widgetWait is how long ConvExplorer waits for the browser to answer its sliders.
const widgetWait = 10 * time.Second
