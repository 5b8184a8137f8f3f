package detection

import (
	"cmp"
	"math"
	"slices"
)

// COCO is the summary of COCO's box evaluation, as pycocotools' COCOeval.summarize prints
// its first six lines: average precision averaged over 10 IoU thresholds 0.50:0.05:0.95 and 101
// recall levels, at most 100 detections per image and class; AP at IoU 0.5 and 0.75; and AP of
// small (area < 32²), medium and large (> 96²) objects. A value is −1 where no class has a
// ground truth in range, as pycocotools.
type COCO struct {
	AP, AP50, AP75, APSmall, APMedium, APLarge float64
	// PerClass is each class's AP@[.5:.95] over all areas, by class index (−1: no ground truth).
	PerClass map[int]float64
}

var cocoAreas = [4][2]float64{{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}}

// COCOmAP evaluates detections against ground truths as pycocotools' COCOeval does for boxes
// (iscrowd 0): per image and class the 100 highest-scoring detections are matched greedily,
// from the highest score down, to the unmatched truth of highest IoU at or above each threshold,
// truths outside the area range only when no truth in range matches; a detection matched to an
// out-of-range truth, or unmatched and itself out of range, is ignored. Precision is made
// non-increasing in recall and read at 101 recall levels. Boxes are in continuous coordinates.
// pycocotools has no "difficult" flag: a Difficult truth here counts as out of every area range.
// Chapter 19 scores a jittered "detector" with it.
func COCOmAP(dets []Detection, truths []Truth) (COCO, error) {
	if err := checkEval(dets, truths); err != nil {
		return COCO{}, err
	}
	var thr [10]float64 // as numpy's linspace(.5, .95, 10)
	for i := range thr {
		thr[i] = 0.5 + float64(i)*(0.45/9)
	}
	thr[9] = 0.95
	type key struct{ image, class int }
	dByKey, tByKey := map[key][]Detection{}, map[key][]Truth{}
	imageSet, classSet := map[int]bool{}, map[int]bool{}
	for _, d := range dets {
		k := key{d.Image, d.Class}
		dByKey[k] = append(dByKey[k], d)
		imageSet[d.Image], classSet[d.Class] = true, true
	}
	for _, t := range truths {
		k := key{t.Image, t.Class}
		tByKey[k] = append(tByKey[k], t)
		imageSet[t.Image], classSet[t.Class] = true, true
	}
	images, classes := sortedKeys(imageSet), sortedKeys(classSet)
	// prec[a][c][t] holds the 101 interpolated precisions, nil where class c has no truth in range.
	prec := [4]map[int][10][]float64{}
	for a, area := range cocoAreas {
		prec[a] = map[int][10][]float64{}
		for _, c := range classes {
			var all []matched
			positives := 0
			for _, im := range images {
				m, n := cocoMatch(dByKey[key{im, c}], tByKey[key{im, c}], area, thr)
				all, positives = append(all, m...), positives+n
			}
			if positives == 0 {
				continue
			}
			slices.SortStableFunc(all, func(p, q matched) int { return cmp.Compare(q.score, p.score) })
			var curves [10][]float64
			for t := range thr {
				curves[t] = cocoPrecision(all, t, positives)
			}
			prec[a][c] = curves
		}
	}
	mean := func(a int, ts ...int) float64 {
		sum, n := 0.0, 0
		for _, curves := range prec[a] {
			for _, t := range ts {
				for _, p := range curves[t] {
					sum, n = sum+p, n+1
				}
			}
		}
		if n == 0 {
			return -1
		}
		return sum / float64(n)
	}
	all := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	r := COCO{AP: mean(0, all...), AP50: mean(0, 0), AP75: mean(0, 5),
		APSmall: mean(1, all...), APMedium: mean(2, all...), APLarge: mean(3, all...),
		PerClass: map[int]float64{}}
	for _, c := range classes {
		r.PerClass[c] = -1
		if curves, ok := prec[0][c]; ok {
			sum := 0.0
			for t := range thr {
				for _, p := range curves[t] {
					sum += p
				}
			}
			r.PerClass[c] = sum / (10 * 101)
		}
	}
	return r, nil
}

// matched is one detection after matching: its score and, per IoU threshold, whether it found a
// truth and whether it is ignored.
type matched struct {
	score        float64
	hit, ignored [10]bool
}

// cocoMatch matches one image's detections of one class to its truths, as COCOeval.evaluateImg,
// and returns them with the number of truths in the area range.
func cocoMatch(dets []Detection, truths []Truth, area [2]float64, thr [10]float64) ([]matched, int) {
	if len(dets) == 0 && len(truths) == 0 {
		return nil, 0
	}
	dets = slices.Clone(dets)
	slices.SortStableFunc(dets, func(p, q Detection) int { return cmp.Compare(q.Score, p.Score) })
	dets = dets[:min(len(dets), 100)]
	out := func(b Box) bool { a := b.Area(Continuous); return a < area[0] || a > area[1] }
	ignore := make([]bool, len(truths))
	positives := 0
	for g, t := range truths {
		ignore[g] = t.Difficult || out(t.Box)
		if !ignore[g] {
			positives++
		}
	}
	order := make([]int, len(truths)) // truths in range first, as pycocotools sorts them
	for g := range order {
		order[g] = g
	}
	slices.SortStableFunc(order, func(p, q int) int {
		return cmp.Compare(b2i(ignore[p]), b2i(ignore[q]))
	})
	res := make([]matched, len(dets))
	for t, th := range thr {
		taken := make([]bool, len(truths))
		for d, det := range dets {
			res[d].score = det.Score
			best, m := min(th, 1-1e-10), -1
			for _, g := range order {
				if taken[g] {
					continue
				}
				if m > -1 && !ignore[m] && ignore[g] {
					break
				}
				iou := IoU(det.Box, truths[g].Box)
				if iou < best {
					continue
				}
				best, m = iou, g
			}
			if m == -1 {
				res[d].ignored[t] = out(det.Box)
				continue
			}
			taken[m] = true
			res[d].hit[t], res[d].ignored[t] = true, ignore[m]
		}
	}
	return res, positives
}

// cocoPrecision is COCOeval.accumulate for one class, area and IoU threshold t: the precision,
// made non-increasing in recall, at the recall levels 0, 0.01, …, 1 (0 past the highest recall).
func cocoPrecision(all []matched, t, positives int) []float64 {
	var rc, pr []float64
	tp, fp := 0.0, 0.0
	eps := math.Nextafter(1, 2) - 1 // numpy's spacing(1)
	for _, m := range all {
		switch { // an ignored detection repeats the point before it, as in pycocotools
		case m.ignored[t]:
		case m.hit[t]:
			tp++
		default:
			fp++
		}
		rc = append(rc, tp/float64(positives))
		pr = append(pr, tp/(tp+fp+eps))
	}
	for i := len(pr) - 1; i > 0; i-- {
		pr[i-1] = max(pr[i-1], pr[i])
	}
	q := make([]float64, 101)
	for r := range q {
		level := float64(r) * 0.01
		if r == 100 {
			level = 1
		}
		i, _ := slices.BinarySearch(rc, level) // numpy's searchsorted(side="left")
		if i < len(pr) {
			q[r] = pr[i]
		}
	}
	return q
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
