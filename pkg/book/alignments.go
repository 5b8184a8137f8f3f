package book

import (
	"fmt"
	"math"
	"slices"
)

// CTCByEnumeration is CTC's negative log-likelihood computed the slow way, for chapter 06
// ("06-losses") to check losses.CTC against: it walks every one of the C^T paths through the
// frames' log-probabilities logProbs[t][c], collapses each (merge repeats, then drop blanks) and
// adds the probabilities of those that spell target. It returns +Inf when none does.
func CTCByEnumeration(logProbs [][]float64, target []int, blank int) (float64, error) {
	numFrames := len(logProbs)
	if numFrames == 0 {
		return 0, fmt.Errorf("book: CTCByEnumeration: no frames")
	}
	numClasses := len(logProbs[0])
	for t, frame := range logProbs {
		if len(frame) != numClasses || numClasses == 0 {
			return 0, fmt.Errorf("book: CTCByEnumeration: frame %d has %d classes, frame 0 %d: "+
				"want the same, at least 1", t, len(frame), numClasses)
		}
	}
	if blank < 0 || blank >= numClasses {
		return 0, fmt.Errorf("book: CTCByEnumeration: blank %d is not a class in [0, %d)", blank, numClasses)
	}
	if math.Pow(float64(numClasses), float64(numFrames)) > 1e7 {
		return 0, fmt.Errorf("book: CTCByEnumeration: %d^%d paths are too many to walk", numClasses, numFrames)
	}
	path := make([]int, numFrames)
	total := 0.0
	for {
		if slices.Equal(collapse(path, blank), target) {
			logP := 0.0
			for t, c := range path {
				logP += logProbs[t][c]
			}
			total += math.Exp(logP)
		}
		t := 0 // next path: count in base C
		for ; t < numFrames && path[t] == numClasses-1; t++ {
			path[t] = 0
		}
		if t == numFrames {
			return -math.Log(total), nil
		}
		path[t]++
	}
}

// collapse merges repeated labels of a path, then drops its blanks: CTC's many-to-one map.
func collapse(path []int, blank int) []int {
	out := []int{}
	for i, c := range path {
		if c != blank && (i == 0 || c != path[i-1]) {
			out = append(out, c)
		}
	}
	return out
}
