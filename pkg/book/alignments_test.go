package book

import (
	"math"
	"strings"
	"testing"
)

func TestCTCByEnumeration(t *testing.T) {
	// Two frames, target [1]: the paths 1·_, _·1 and 1·1 spell it.
	p := [][]float64{{0.2, 0.5, 0.3}, {0.6, 0.1, 0.3}}
	lp := [][]float64{{math.Log(.2), math.Log(.5), math.Log(.3)}, {math.Log(.6), math.Log(.1), math.Log(.3)}}
	want := -math.Log(p[0][1]*p[1][0] + p[0][0]*p[1][1] + p[0][1]*p[1][1])
	got, err := CTCByEnumeration(lp, []int{1}, 0)
	if err != nil || math.Abs(got-want) > 1e-12 {
		t.Errorf("CTCByEnumeration(target [1]) = %v, %v, want %v", got, err, want)
	}
	// [1 1] needs a blank between the ones: three frames at least.
	if got, _ := CTCByEnumeration(lp, []int{1, 1}, 0); !math.IsInf(got, 1) {
		t.Errorf("CTCByEnumeration(target [1 1], 2 frames) = %v, want +Inf", got)
	}
	if _, err := CTCByEnumeration(make([][]float64, 3), nil, 0); err == nil {
		t.Errorf("frames of 0 classes: no error")
	}
	many := make([][]float64, 30)
	for i := range many {
		many[i] = make([]float64, 5)
	}
	if _, err := CTCByEnumeration(many, nil, 0); err == nil || !strings.Contains(err.Error(), "too many") {
		t.Errorf("5^30 paths: error %v, want \"too many\"", err)
	}
	_, err = CTCByEnumeration(nil, nil, 0)
	if err == nil || !strings.HasPrefix(err.Error(), "book: ") {
		t.Errorf("no frames: error %v, want one starting with \"book: \"", err)
	}
}
