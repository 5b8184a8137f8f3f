package book

import "testing"

// TestFilterAreas: two triangles of height 1 and 2 over bins 31.25 Hz apart (16 kHz, N = 512).
func TestFilterAreas(t *testing.T) {
	fb := [][]float32{{0, 0.5, 1, 0.5, 0}, {0, 0, 0, 2, 0}}
	if got := FilterAreas(fb, 16000, 512); got[0] != 62.5 || got[1] != 62.5 {
		t.Errorf("FilterAreas = %v, want [62.5 62.5]", got)
	}
	if _, err := MelFilterFigure("two", fb, 16000, 512).SVG(); err != nil {
		t.Errorf("MelFilterFigure: %v", err)
	}
}
