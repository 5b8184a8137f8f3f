package imageproc

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
)

//go:embed resize_golden.json
var goldenJSON []byte

// PillowCase is one resize that tools/goldens/imageproc.py recorded with Pillow or OpenCV: an
// input image (HWC), a target size, a filter and the reference's output.
type PillowCase struct {
	Mode   string // "F" (Pillow, float32), "L" or "RGB" (Pillow, 8-bit), "cv2" (OpenCV, float32)
	Filter string // Pillow's NEAREST, BOX, BILINEAR, BICUBIC, or OpenCV's INTER_LINEAR, INTER_AREA
	InH    int    `json:"in_h"`
	InW    int    `json:"in_w"`
	C      int    `json:"c"`
	OutH   int    `json:"out_h"`
	OutW   int    `json:"out_w"`
	Input  []float64
	Output []float64
}

// PillowCases returns the recorded cases (67, embedded in the package) and the versions of
// Pillow and OpenCV that computed them; chapter 12 replays them.
func PillowCases() (versions string, cases []PillowCase, err error) {
	var doc struct {
		Pillow string `json:"pillow_version"`
		OpenCV string `json:"opencv_version"`
		Cases  []PillowCase
	}
	if err := json.Unmarshal(goldenJSON, &doc); err != nil {
		return "", nil, fmt.Errorf("imageproc: resize_golden.json: %w", err)
	}
	return fmt.Sprintf("Pillow %s, OpenCV %s", doc.Pillow, doc.OpenCV), doc.Cases, nil
}

// String names the case: mode, filter and sizes.
func (c PillowCase) String() string {
	return fmt.Sprintf("%s %s %d×%d→%d×%d", c.Mode, c.Filter, c.InH, c.InW, c.OutH, c.OutW)
}

// Replay resizes the case's input with this package — Resize for mode "F", ResizeImage for "L"
// and "RGB", ResizeNoAntialias for OpenCV's INTER_LINEAR and Resize with Box for INTER_AREA
// (shrinking by whole factors, where both average blocks) — and returns the largest absolute
// difference from the recorded output. For Pillow's modes it also returns the difference when
// the vertical pass runs first, the order Pillow 13.0 takes for some sizes; for OpenCV, +Inf.
func (c PillowCase) Replay() (diff, verticalFirst float64, err error) {
	m := &Image{H: c.InH, W: c.InW, C: c.C, Pix: make([]float32, len(c.Input))}
	for i, v := range c.Input {
		m.Pix[i] = float32(v)
	}
	f, ok := map[string]Filter{"NEAREST": Nearest, "BOX": Box, "BILINEAR": Bilinear,
		"BICUBIC": Bicubic, "INTER_AREA": Box}[c.Filter]
	if err := checkResize(m, c.OutW, c.OutH, f); err != nil || !ok && c.Filter != "INTER_LINEAR" {
		return 0, 0, fmt.Errorf("imageproc: case %v: bad case (%v)", c, err)
	}
	var got, other *Image
	switch c.Mode {
	case "F":
		got, other = resize(m, c.OutW, c.OutH, f, nil, false), resize(m, c.OutW, c.OutH, f, nil, true)
	case "L", "RGB":
		got = resize(m, c.OutW, c.OutH, f, fixedPoint, false)
		other = resize(m, c.OutW, c.OutH, f, fixedPoint, true)
	case "cv2":
		if c.Filter == "INTER_LINEAR" {
			got, err = ResizeNoAntialias(m, c.OutW, c.OutH)
		} else {
			got, err = Resize(m, c.OutW, c.OutH, Box)
		}
		if err != nil {
			return 0, 0, err
		}
	default:
		return 0, 0, fmt.Errorf("imageproc: case %v: unknown mode %q", c, c.Mode)
	}
	verticalFirst = math.Inf(1)
	if other != nil {
		verticalFirst = c.maxDiff(other.Pix)
	}
	return c.maxDiff(got.Pix), verticalFirst, nil
}

func (c PillowCase) maxDiff(got []float32) float64 {
	if len(got) != len(c.Output) {
		return math.Inf(1)
	}
	worst := 0.0
	for i, v := range got {
		worst = max(worst, math.Abs(float64(v)-c.Output[i]))
	}
	return worst
}

// Comparison sums up the replay of every PillowCase by Compare.
type Comparison struct {
	Versions            string   // of Pillow and OpenCV, as recorded
	Pillow, OpenCV      int      // how many cases each library made
	PillowExact         int      // Pillow's cases this package matches to the last bit
	PillowVerticalFirst int      // the others it matches exactly when the vertical pass runs first
	OpenCVMaxDiff       float64  // the largest |Δ| over OpenCV's cases, values 0…255
	Mismatched          []string // Pillow's cases matched neither way
}

// Compare replays every recorded case (see PillowCase.Replay) and sums up how they match;
// chapter 12 prints it.
func Compare() (*Comparison, error) {
	versions, cases, err := PillowCases()
	if err != nil {
		return nil, err
	}
	r := &Comparison{Versions: versions}
	for _, c := range cases {
		d, v, err := c.Replay()
		switch {
		case err != nil:
			return nil, err
		case c.Mode == "cv2":
			r.OpenCV++
			r.OpenCVMaxDiff = max(r.OpenCVMaxDiff, d)
			continue
		case d == 0:
			r.PillowExact++
		case v == 0:
			r.PillowVerticalFirst++
		default:
			r.Mismatched = append(r.Mismatched, fmt.Sprintf("%v: max |Δ| %g", c, d))
		}
		r.Pillow++
	}
	return r, nil
}
