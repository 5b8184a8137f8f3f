// Package synth draws the synthetic detection set of Part IV (chapters 19–26): coloured shapes
// of four classes — and, given templates, MNIST digits or Fashion-MNIST items (Config.Items) —
// of varied size and colour, overlapping and occluding each other, on textured noisy canvases,
// each with its boxes and classes. A seed fixes every canvas, so any number can
// be made, offline, and the set is the same on every machine. Boxes bound what stays visible
// of each object after the objects drawn over it, as PASCAL VOC's annotations do; an object
// hidden below Config.MinVisible of its pixels is left out of the image.
//
// Beside the data, the package draws canvases with their boxes (Draw, DrawTruth, Labeled), makes
// stand-ins for a detector whose faults are known (Candidates before NMS, Jittered for mAP), and
// holds chapter 19's mAP example worked by hand (WorkedExample).
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/godl-book/godl/pkg/detection"
)

// Classes are the names of the set's classes, by class index.
var Classes = []string{"disc", "square", "triangle", "cross"}

// Config sets the canvas and its objects.
type Config struct {
	Size                   int     // canvas side in pixels (square canvas)
	MinObjects, MaxObjects int     // objects drawn per canvas, before occluded ones are dropped
	MinSide, MaxSide       int     // object sides in pixels, drawn log-uniformly
	Noise                  float64 // standard deviation of the pixel noise, on [0, 1] intensities
	MinVisible             float64 // fraction of an object's pixels that must stay visible
	// Items, if set, are grey templates drawn as objects besides the shapes, each with its class
	// name; ItemShare is the fraction of objects drawn from them (0 means one half).
	Items     *Items
	ItemShare float64
}

// Items are grey templates to draw as objects: n images H×W of one channel, 0 to 255, one after
// the other, as datasets.Dataset.Sample returns MNIST digits or Fashion-MNIST clothes, with the
// class name of each. A template's pixels above half intensity belong to its object, drawn in
// one colour and stretched to the object's size; its box bounds the visible ones.
type Items struct {
	Pix   []uint8
	H, W  int
	Names []string
}

// ClassNames returns the names of cfg's classes by class index: Classes, then the distinct
// names of Items in the order they first appear.
func (c Config) ClassNames() []string {
	names := slices.Clone(Classes)
	if c.Items != nil {
		for _, n := range c.Items.Names {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// DefaultConfig is chapter 19's: 96×96 canvases with 2 to 6 objects of sides 10 to 40 pixels,
// noise 0.06, objects kept while at least 40% visible.
func DefaultConfig() Config {
	return Config{Size: 96, MinObjects: 2, MaxObjects: 6, MinSide: 10, MaxSide: 40, Noise: 0.06, MinVisible: 0.4}
}

// Sample is one canvas: Image is Size×Size×3 in HWC order with values in [0, 1]; object k has
// box Boxes[k] (continuous coordinates: pixel column x covers [x, x+1)) and class Classes[k],
// named Names[Classes[k]] (Config.ClassNames).
type Sample struct {
	Image   []float32
	Size    int
	Boxes   []detection.Box
	Classes []int
	Names   []string
}

func (c Config) check() error {
	switch {
	case c.Size < 8:
		return fmt.Errorf("synth: canvas size %d, want at least 8", c.Size)
	case c.MinObjects < 0 || c.MaxObjects < c.MinObjects:
		return fmt.Errorf("synth: objects %d to %d, want 0 ≤ min ≤ max", c.MinObjects, c.MaxObjects)
	case c.MinSide < 3 || c.MaxSide < c.MinSide || c.MaxSide > c.Size:
		return fmt.Errorf("synth: sides %d to %d, want 3 ≤ min ≤ max ≤ canvas %d", c.MinSide, c.MaxSide, c.Size)
	case !(c.Noise >= 0) || !(c.MinVisible >= 0 && c.MinVisible <= 1) || !(c.ItemShare >= 0 && c.ItemShare <= 1):
		return fmt.Errorf("synth: noise %v, min visible %v, item share %v: want noise ≥ 0, the others in [0, 1]",
			c.Noise, c.MinVisible, c.ItemShare)
	}
	if it := c.Items; it != nil {
		n := len(it.Names)
		if it.H <= 0 || it.W <= 0 || n == 0 || len(it.Pix) != n*it.H*it.W {
			return fmt.Errorf("synth: items: %d values for %d templates of %d×%d", len(it.Pix), n, it.H, it.W)
		}
	}
	return nil
}

// Generate draws n canvases; canvas i depends only on seed and i, so a prefix of a longer set is
// the shorter set.
func Generate(cfg Config, n int, seed uint64) ([]Sample, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("synth: %d canvases, want ≥ 0", n)
	}
	out := make([]Sample, n)
	for i := range out {
		out[i] = draw(cfg, rand.New(rand.NewPCG(seed, uint64(i))))
	}
	return out, nil
}

// shape is one object before occlusion: its class, colour and the pixels inside it.
type shape struct {
	class int
	rgb   [3]float32
	in    func(x, y float64) bool
}

func draw(cfg Config, r *rand.Rand) Sample {
	s := cfg.Size
	img := background(s, r)
	owner := make([]int, s*s)
	for i := range owner {
		owner[i] = -1
	}
	count := cfg.MinObjects + r.IntN(cfg.MaxObjects-cfg.MinObjects+1)
	shapes := make([]shape, count)
	drawn := make([]int, count)
	for k := range shapes {
		shapes[k] = randomShape(cfg, r)
		for y := range s {
			for x := range s {
				if shapes[k].in(float64(x)+0.5, float64(y)+0.5) {
					owner[y*s+x] = k
					drawn[k]++
				}
			}
		}
	}
	sample := Sample{Size: s, Names: cfg.ClassNames()}
	visible := make([]int, count)
	bounds := make([]detection.Box, count)
	for k := range bounds {
		bounds[k] = detection.Box{X1: math.Inf(1), Y1: math.Inf(1), X2: math.Inf(-1), Y2: math.Inf(-1)}
	}
	for y := range s {
		for x := range s {
			k := owner[y*s+x]
			if k < 0 {
				continue
			}
			visible[k]++
			b := &bounds[k]
			b.X1, b.Y1 = min(b.X1, float64(x)), min(b.Y1, float64(y))
			b.X2, b.Y2 = max(b.X2, float64(x+1)), max(b.Y2, float64(y+1))
			for c := range 3 {
				img[(y*s+x)*3+c] = shapes[k].rgb[c]
			}
		}
	}
	for k := range shapes {
		if drawn[k] > 0 && float64(visible[k]) >= cfg.MinVisible*float64(drawn[k]) {
			sample.Boxes = append(sample.Boxes, bounds[k])
			sample.Classes = append(sample.Classes, shapes[k].class)
		}
	}
	for i, v := range img {
		img[i] = float32(min(1, max(0, float64(v)+r.NormFloat64()*cfg.Noise)))
	}
	sample.Image = img
	return sample
}

// background is a smooth texture: a grey level plus three random plane waves per channel.
func background(s int, r *rand.Rand) []float32 {
	img := make([]float32, s*s*3)
	base := 0.35 + 0.3*r.Float64()
	type wave struct{ fx, fy, phase, amp float64 }
	var waves [3][3]wave
	for c := range waves {
		for k := range waves[c] {
			waves[c][k] = wave{(r.Float64() - 0.5) * 0.5, (r.Float64() - 0.5) * 0.5, r.Float64() * 2 * math.Pi, 0.04 + 0.06*r.Float64()}
		}
	}
	for y := range s {
		for x := range s {
			for c := range 3 {
				v := base
				for _, w := range waves[c] {
					v += w.amp * math.Sin(w.fx*float64(x)+w.fy*float64(y)+w.phase)
				}
				img[(y*s+x)*3+c] = float32(v)
			}
		}
	}
	return img
}

func randomShape(cfg Config, r *rand.Rand) shape {
	side := math.Exp(math.Log(float64(cfg.MinSide)) + r.Float64()*(math.Log(float64(cfg.MaxSide))-math.Log(float64(cfg.MinSide))))
	w := side * (0.8 + 0.4*r.Float64())
	h := side * (0.8 + 0.4*r.Float64())
	x0 := r.Float64() * (float64(cfg.Size) - w)
	y0 := r.Float64() * (float64(cfg.Size) - h)
	cx, cy := x0+w/2, y0+h/2
	if it := cfg.Items; it != nil {
		share := cfg.ItemShare
		if share == 0 {
			share = 0.5
		}
		if r.Float64() < share {
			k := r.IntN(len(it.Names))
			mask := it.Pix[k*it.H*it.W : (k+1)*it.H*it.W]
			return shape{class: slices.Index(cfg.ClassNames(), it.Names[k]), rgb: vivid(r),
				in: func(x, y float64) bool {
					tx, ty := int((x-x0)/w*float64(it.W)), int((y-y0)/h*float64(it.H))
					return tx >= 0 && ty >= 0 && tx < it.W && ty < it.H && mask[ty*it.W+tx] > 127
				}}
		}
	}
	class := r.IntN(len(Classes))
	sh := shape{class: class, rgb: vivid(r)}
	switch Classes[class] {
	case "disc":
		sh.in = func(x, y float64) bool {
			dx, dy := (x-cx)/(w/2), (y-cy)/(h/2)
			return dx*dx+dy*dy <= 1
		}
	case "square":
		sh.in = func(x, y float64) bool { return x >= x0 && x < x0+w && y >= y0 && y < y0+h }
	case "triangle":
		up := r.IntN(2) == 0
		sh.in = func(x, y float64) bool {
			t := (y - y0) / h // 0 at the top, 1 at the bottom
			if !up {
				t = 1 - t
			}
			return t >= 0 && t <= 1 && math.Abs(x-cx) <= t*w/2
		}
	default: // cross: a plus sign whose bars are a third of the box
		sh.in = func(x, y float64) bool {
			inBox := x >= x0 && x < x0+w && y >= y0 && y < y0+h
			return inBox && (math.Abs(x-cx) <= w/6 || math.Abs(y-cy) <= h/6)
		}
	}
	return sh
}

// vivid is a saturated colour of random hue, so that objects stand out from the greyish canvas
// by colour as well as by shape.
func vivid(r *rand.Rand) [3]float32 {
	h := r.Float64() * 6
	v, sat := 0.55+0.45*r.Float64(), 0.6+0.4*r.Float64()
	c := v * sat
	x := c * (1 - math.Abs(math.Mod(h, 2)-1))
	var rgb [3]float64
	switch int(h) {
	case 0:
		rgb = [3]float64{c, x, 0}
	case 1:
		rgb = [3]float64{x, c, 0}
	case 2:
		rgb = [3]float64{0, c, x}
	case 3:
		rgb = [3]float64{0, x, c}
	case 4:
		rgb = [3]float64{x, 0, c}
	default:
		rgb = [3]float64{c, 0, x}
	}
	m := v - c
	return [3]float32{float32(rgb[0] + m), float32(rgb[1] + m), float32(rgb[2] + m)}
}

// Truths returns the ground truths of samples as detection.Truth, image i being samples[i].
func Truths(samples []Sample) []detection.Truth {
	var out []detection.Truth
	for i, s := range samples {
		for k, b := range s.Boxes {
			out = append(out, detection.Truth{Image: i, Class: s.Classes[k], Box: b})
		}
	}
	return out
}
