package datasets

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Transformed returns a copy of d, named d.Name + "+" + suffix, in which fn has been applied once
// to every image, with a random source drawn from seed and the example's position in d: a fixed
// test set of shifted or rotated images, say, to measure what chapter 11's augmentations teach a
// model. Pixels are stored back as bytes (rounded, clipped to [0, 255]), so a Loader reads the
// copy like any other data set.
func (d *Dataset) Transformed(suffix string, fn TransformFunc, seed uint64) (*Dataset, error) {
	if fn == nil {
		return nil, errors.New("datasets: Transformed: nil TransformFunc")
	}
	if d == nil || d.Len() == 0 {
		return nil, errors.New("datasets: Transformed: no examples")
	}
	size := d.ImageSize()
	pix := make([]uint8, d.Len()*size)
	img := make([]float32, size)
	for i := range d.Len() {
		dst := pix[i*size : (i+1)*size]
		if _, err := d.Read(i, dst); err != nil {
			return nil, fmt.Errorf("datasets: Transformed: %w", err)
		}
		for p, v := range dst {
			img[p] = float32(v) / 255
		}
		fn(rand.New(rand.NewPCG(seed, uint64(i))), img, d.Height, d.Width, d.Channels)
		for p, v := range img {
			dst[p] = uint8(min(max(v*255+0.5, 0), 255))
		}
	}
	out := newMemDataset(d.Name+"+"+suffix, d.Source, d.Classes, d.Height, d.Width, d.Channels, pix,
		append([]int32(nil), d.Labels...))
	return out, nil
}
