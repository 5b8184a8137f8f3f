package detection

import (
	"fmt"
	"math"
	"slices"
)

// NMS is greedy non-maximum suppression (非极大值抑制), as torchvision's nms: visit the boxes
// from the highest score down, keep a box unless a box kept before it overlaps it with IoU
// greater than iouThreshold. It returns the indices of the kept boxes, highest score first.
// Chapter 19 runs the loop by hand first.
func NMS(boxes []Box, scores []float64, iouThreshold float64) ([]int, error) {
	if err := checkScored("NMS", boxes, scores); err != nil {
		return nil, err
	}
	order := ByScore(scores)
	suppressed := make([]bool, len(boxes))
	var keep []int
	for k, i := range order {
		if suppressed[i] {
			continue
		}
		keep = append(keep, i)
		for _, j := range order[k+1:] {
			if !suppressed[j] && IoU(boxes[i], boxes[j]) > iouThreshold {
				suppressed[j] = true
			}
		}
	}
	return keep, nil
}

// BatchedNMS runs NMS within each class separately, as torchvision's batched_nms: boxes of
// different classes never suppress each other. It returns the kept indices, highest score first.
func BatchedNMS(boxes []Box, scores []float64, classes []int, iouThreshold float64) ([]int, error) {
	if err := checkScored("BatchedNMS", boxes, scores); err != nil {
		return nil, err
	}
	if len(classes) != len(boxes) {
		return nil, fmt.Errorf("detection: BatchedNMS: %d classes for %d boxes", len(classes), len(boxes))
	}
	groups := map[int][]int{}
	for i, c := range classes {
		groups[c] = append(groups[c], i)
	}
	var keep []int
	for _, idx := range groups {
		sub := make([]Box, len(idx))
		subScores := make([]float64, len(idx))
		for k, i := range idx {
			sub[k], subScores[k] = boxes[i], scores[i]
		}
		kept, _ := NMS(sub, subScores, iouThreshold) // checked above
		for _, k := range kept {
			keep = append(keep, idx[k])
		}
	}
	slices.SortStableFunc(keep, func(a, b int) int {
		if scores[a] != scores[b] {
			if scores[a] > scores[b] {
				return -1
			}
			return 1
		}
		return a - b
	})
	return keep, nil
}

// SoftMethod is how soft-NMS lowers the score of a box that overlaps a kept one.
type SoftMethod int

const (
	// SoftLinear multiplies the score by 1 − IoU when IoU ≥ the threshold Nt, else leaves it.
	SoftLinear SoftMethod = iota
	// SoftGaussian multiplies the score by exp(−IoU²/σ), whatever the overlap.
	SoftGaussian
)

// SoftNMS is soft non-maximum suppression (Bodla et al. 2017, Algorithm 1): repeatedly take the
// box M with the highest current score, then rescale every remaining box's score s by f(IoU(M, b))
// — linear: s·(1 − IoU) if IoU ≥ nt; Gaussian: s·exp(−IoU²/sigma) — instead of deleting it.
// Boxes whose score falls below scoreThreshold are dropped. It returns the kept indices in the
// order they were taken and their final scores. Chapter 19 checks a case by hand.
func SoftNMS(boxes []Box, scores []float64, method SoftMethod, nt, sigma, scoreThreshold float64) (keep []int, kept []float64, err error) {
	if err := checkScored("SoftNMS", boxes, scores); err != nil {
		return nil, nil, err
	}
	if method == SoftGaussian && !(sigma > 0) {
		return nil, nil, fmt.Errorf("detection: SoftNMS: Gaussian sigma %v, want > 0", sigma)
	}
	s := slices.Clone(scores)
	left := make([]int, len(boxes))
	for i := range left {
		left[i] = i
	}
	for len(left) > 0 {
		best := 0
		for k, i := range left {
			if s[i] > s[left[best]] {
				best = k
			}
		}
		m := left[best]
		left = slices.Delete(left, best, best+1)
		if s[m] < scoreThreshold {
			break // every score left is lower still
		}
		keep, kept = append(keep, m), append(kept, s[m])
		for _, i := range left {
			iou := IoU(boxes[m], boxes[i])
			switch method {
			case SoftLinear:
				if iou >= nt {
					s[i] *= 1 - iou
				}
			case SoftGaussian:
				s[i] *= math.Exp(-iou * iou / sigma)
			}
		}
	}
	return keep, kept, nil
}

// ByScore returns the indices of scores from the highest score down, ties by index: the order
// in which NMS and the evaluations visit detections (chapter 19 sorts with it by hand).
func ByScore(scores []float64) []int {
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})
	return order
}

func checkScored(where string, boxes []Box, scores []float64) error {
	if len(scores) != len(boxes) {
		return fmt.Errorf("detection: %s: %d scores for %d boxes", where, len(scores), len(boxes))
	}
	for i, s := range scores {
		if math.IsNaN(s) {
			return fmt.Errorf("detection: %s: score %d is NaN", where, i)
		}
	}
	return checkBoxes(where, boxes)
}
