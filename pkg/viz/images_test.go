package viz

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func decodePNG(t *testing.T, raw []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	return img
}

// checkPixels compares pixels of img at the given points.
func checkPixels(t *testing.T, img image.Image, want map[image.Point]color.RGBA) {
	t.Helper()
	for p, w := range want {
		r, g, b, a := img.At(p.X, p.Y).RGBA()
		got := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
		if got != w {
			t.Errorf("pixel %v = %v, want %v", p, got, w)
		}
	}
}

var (
	white = color.RGBA{255, 255, 255, 255}
	black = color.RGBA{0, 0, 0, 255}
	grey  = func(v uint8) color.RGBA { return color.RGBA{v, v, v, 255} }
)

func TestImagesPNG(t *testing.T) {
	// Two 2×2 grey images at 3×: tiles of 6×6 pixels, 10 pixels of padding around each.
	pix := []float32{0, 0.5, 1, 0.25, 1, 1, 1, 1}
	g := Images(pix, 2, 2, 1).Scale(3).Cols(2).Wrong(1)
	raw, err := g.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, raw)
	if got := img.Bounds().Size(); got != (image.Point{42, 26}) {
		t.Fatalf("size %v, want 42×26 (10 + 2·(6+10) by 10 + 6 + 10)", got)
	}
	checkPixels(t, img, map[image.Point]color.RGBA{
		{0, 0}:   white,         // background
		{9, 9}:   white,         // padding next to a correct image: no frame
		{10, 10}: black,         // image 0, pixel (0, 0) = 0
		{12, 12}: black,         // … enlarged 3×
		{13, 10}: grey(128),     // pixel (0, 1) = 0.5
		{10, 13}: white,         // pixel (1, 0) = 1
		{15, 15}: grey(64),      // pixel (1, 1) = 0.25
		{26, 10}: white,         // image 1
		{24, 8}:  rgb(0xd62728), // red frame around the wrong image 1
		{34, 18}: rgb(0xd62728), // … on all sides
		{20, 12}: white,         // between the columns
		{41, 25}: white,         // far corner
	})
	path := filepath.Join(t.TempDir(), "grid.png")
	if err := g.SavePNG(path); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(saved, raw) {
		t.Errorf("SavePNG wrote %d bytes (%v), want the %d bytes of PNG()", len(saved), err, len(raw))
	}
}

func TestImagesValuesAndChannels(t *testing.T) {
	cases := []struct {
		name string
		grid *ImageGrid
		want map[image.Point]color.RGBA
	}{
		{"RGB", Images([]float64{1, 0, 0, 0, 0, 1}, 1, 2, 3).Scale(1),
			map[image.Point]color.RGBA{{10, 10}: {255, 0, 0, 255}, {11, 10}: {0, 0, 255, 255}}},
		{"outside [0,1] stretches", Images([]float32{10, 20, 15}, 1, 3, 1).Scale(1),
			map[image.Point]color.RGBA{{10, 10}: black, {11, 10}: white, {12, 10}: grey(128)}},
		{"bytes are /255", Images([]uint8{0, 255, 51}, 1, 3, 1).Scale(1),
			map[image.Point]color.RGBA{{10, 10}: black, {11, 10}: white, {12, 10}: grey(51)}},
		{"Normalize stretches each image", Images([]float32{0.2, 0.4, 0.5, 0.6}, 1, 2, 1).Scale(1).Normalize().Cols(2),
			map[image.Point]color.RGBA{{10, 10}: black, {11, 10}: white, {22, 10}: black, {23, 10}: white}},
		{"constant image is mid grey", Images([]float32{7, 7}, 1, 2, 1).Scale(1),
			map[image.Point]color.RGBA{{10, 10}: grey(128)}},
	}
	for _, c := range cases {
		raw, err := c.grid.PNG()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		t.Run(c.name, func(t *testing.T) { checkPixels(t, decodePNG(t, raw), c.want) })
	}
}

func TestPredictionsSVG(t *testing.T) {
	classes := []string{"T-shirt/top", "Coat", "Shirt"}
	pix := make([]float32, 3*28*28)
	d := mustSVG(t, Predictions(pix, 28, 28, 1, classes, []int{0, 2, 1}, []int{0, 1, 1}))
	if got := d.texts("caption"); !equalStrings(got, []string{"T-shirt/top", "Shirt", "true: Coat", "Coat"}) {
		t.Errorf("captions = %q", got)
	}
	var fills []string
	for _, e := range d.byClass["caption"] {
		fills = append(fills, e.attr["fill"])
	}
	if !equalStrings(fills, []string{"#222", red, red, "#222"}) {
		t.Errorf("caption colours = %q, want the wrong prediction's two lines in red", fills)
	}
	if n := len(d.byClass["wrong"]); n != 1 {
		t.Errorf("%d red frames, want 1", n)
	}
	imgs := d.byClass["cell-image"]
	if len(imgs) != 3 {
		t.Fatalf("%d embedded images, want 3", len(imgs))
	}
	for _, e := range imgs {
		img := decodeDataURI(t, e.attr["xlink:href"])
		if got := img.Bounds().Size(); got != (image.Point{84, 84}) {
			t.Errorf("embedded image %v, want 28×28 at 3× = 84×84", got)
		}
		if atof(t, e.attr["width"]) != 84 || atof(t, e.attr["height"]) != 84 {
			t.Errorf("image drawn at %s×%s, want 84×84", e.attr["width"], e.attr["height"])
		}
	}
	// Captions are centred under their image and do not overlap the next column's.
	x0 := atof(t, d.byClass["caption"][0].attr["x"])
	x1 := atof(t, d.byClass["caption"][1].attr["x"])
	if gap := x1 - x0; gap < textWidth("T-shirt/top", captionSize)/2+textWidth("true: Coat", captionSize)/2 {
		t.Errorf("caption centres %v apart, too close for their text", gap)
	}
}

func TestImagesColumns(t *testing.T) {
	d := mustSVG(t, Images(make([]float32, 10*4), 2, 2, 1).Cols(4).Scale(10))
	imgs := d.byClass["cell-image"]
	rows := map[string]int{}
	for _, e := range imgs {
		rows[e.attr["y"]]++
	}
	if len(imgs) != 10 || len(rows) != 3 {
		t.Errorf("%d images in %d rows, want 10 in 3", len(imgs), len(rows))
	}
}
