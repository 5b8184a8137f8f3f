package augment

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

//go:embed augment_golden.json
var goldenJSON []byte

// goldenDoc is tools/goldens/augment.py's output: torchvision 0.14's transforms.functional on two
// small images.
type goldenDoc struct {
	Torch       string `json:"torch_version"`
	Torchvision string `json:"torchvision_version"`
	Images      map[string]struct {
		H, W, C int
		Pix     []float32
	}
	Cases []struct {
		Op      string
		Image   string
		Args    goldenArgs
		H, W, C int
		Want    []float32
	}
}

type goldenArgs struct {
	Top, Left, H, W  int
	Right, Bottom    int
	F, Angle, Scale  float64
	Translate, Shear [2]float64
	Mode             string
	Fill             json.RawMessage
	Mean, Std, Value []float32
}

// GoldenResult is how far one operation of this package came from torchvision on the golden
// cases: the largest absolute difference over all their pixels.
type GoldenResult struct {
	Op       string  // torchvision's name: hflip, pad, rotate, hue, …
	Cases    int     // how many cases used it
	MaxError float64 // largest |this package − torchvision|
}

// Goldens replays the embedded cases that tools/goldens/augment.py computed with
// torchvision.transforms.functional — every deterministic operation of this package on a 5×7 RGB
// and a 6×5 grey image — and returns the versions of torch and torchvision that made them with
// the largest error per operation, in the order the cases first use them (chapter 11 prints
// them; TestGoldens bounds them).
func Goldens() (torch, torchvision string, results []GoldenResult, err error) {
	var doc goldenDoc
	if err := json.Unmarshal(goldenJSON, &doc); err != nil {
		return "", "", nil, fmt.Errorf("augment: augment_golden.json: %w", err)
	}
	for i, c := range doc.Cases {
		src, ok := doc.Images[c.Image]
		if !ok {
			return "", "", nil, fmt.Errorf("augment: golden case %d: no image %q", i, c.Image)
		}
		im := Image{Pix: slices.Clone(src.Pix), H: src.H, W: src.W, C: src.C}
		got, err := goldenOp(c.Op, c.Args, im)
		if err != nil {
			return "", "", nil, fmt.Errorf("augment: golden case %d (%s): %w", i, c.Op, err)
		}
		if got.H != c.H || got.W != c.W || got.C != c.C || len(c.Want) != len(got.Pix) {
			return "", "", nil, fmt.Errorf("augment: golden case %d (%s): size %d×%d×%d, torchvision %d×%d×%d",
				i, c.Op, got.H, got.W, got.C, c.H, c.W, c.C)
		}
		k := slices.IndexFunc(results, func(r GoldenResult) bool { return r.Op == c.Op })
		if k < 0 {
			results = append(results, GoldenResult{Op: c.Op})
			k = len(results) - 1
		}
		results[k].Cases++
		for p, want := range c.Want {
			results[k].MaxError = max(results[k].MaxError, math.Abs(float64(got.Pix[p]-want)))
		}
	}
	return doc.Torch, doc.Torchvision, results, nil
}

// goldenOp runs the operation a golden case names with its arguments.
func goldenOp(op string, a goldenArgs, im Image) (Image, error) {
	switch op {
	case "hflip":
		return im.HFlip()
	case "vflip":
		return im.VFlip()
	case "crop":
		return im.Crop(a.Top, a.Left, a.H, a.W)
	case "resize":
		return im.Resize(a.H, a.W)
	case "resized_crop":
		return im.ResizedCrop(a.Top, a.Left, a.H, a.W)
	case "pad":
		modes := map[string]PadMode{"constant": Constant, "edge": Edge, "reflect": Reflect, "symmetric": Symmetric}
		mode, ok := modes[a.Mode]
		if !ok {
			return Image{}, fmt.Errorf("unknown padding mode %q", a.Mode)
		}
		var fill float32
		if err := json.Unmarshal(a.Fill, &fill); err != nil {
			return Image{}, err
		}
		return im.Pad(a.Left, a.Top, a.Right, a.Bottom, mode, fill)
	case "rotate", "affine":
		var fill []float32
		if err := json.Unmarshal(a.Fill, &fill); err != nil {
			return Image{}, err
		}
		if op == "rotate" {
			return im.Rotate(a.Angle, fill)
		}
		return im.Affine(Affine{Angle: a.Angle, Translate: a.Translate, Scale: a.Scale, Shear: a.Shear}, fill)
	case "grayscale":
		return im.Grayscale()
	case "brightness":
		return im.AdjustBrightness(a.F)
	case "contrast":
		return im.AdjustContrast(a.F)
	case "saturation":
		return im.AdjustSaturation(a.F)
	case "hue":
		return im.AdjustHue(a.F)
	case "normalize":
		return im.Normalize(a.Mean, a.Std)
	case "erase":
		return im.Erase(a.Top, a.Left, a.H, a.W, a.Value)
	}
	return Image{}, fmt.Errorf("unknown op %q", op)
}
