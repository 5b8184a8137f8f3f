package book

import "github.com/godl-book/godl/pkg/viz"

// MelFilterFigure draws the triangles of a mel filterbank (the rows of audio.MelFilterbank for
// an nFFT-point STFT at rate Hz) against frequency in Hz, one unnamed line per filter, for
// chapter 12.
func MelFilterFigure(title string, fb [][]float32, rate, nFFT int) *viz.LinePlot {
	hz := make([]float64, nFFT/2+1)
	for k := range hz {
		hz[k] = float64(k) * float64(rate) / float64(nFFT)
	}
	var lines []viz.Series
	for _, row := range fb {
		y := make([]float64, len(row))
		for k, w := range row {
			y[k] = float64(w)
		}
		lines = append(lines, viz.Series{X: hz[:len(y)], Y: y})
	}
	return viz.Lines(title, lines...).XLabel("Hz").YLabel("weight")
}

// FilterAreas returns the area of each filter of a filterbank in Hz: the sum of its weights
// times the bins' spacing rate/nFFT. librosa's Slaney normalisation makes every area 1, up to
// the sampling of the triangles by the bins.
func FilterAreas(fb [][]float32, rate, nFFT int) []float64 {
	areas := make([]float64, len(fb))
	for m, row := range fb {
		for _, w := range row {
			areas[m] += float64(w)
		}
		areas[m] *= float64(rate) / float64(nFFT)
	}
	return areas
}
