package detection

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Detection is one box a detector reports: the image it is in, its class and its score.
type Detection struct {
	Image, Class int
	Box          Box
	Score        float64
}

// Truth is one ground-truth object. A Difficult object (PASCAL VOC's flag) neither counts as a
// miss when no detection finds it nor makes a detection that finds it a false positive.
type Truth struct {
	Image, Class int
	Box          Box
	Difficult    bool
}

// PR is a precision–recall curve (精确率–召回率曲线): after each detection of one class,
// taken from the highest score down, the recall and precision so far, and whether that
// detection was a true positive.
type PR struct {
	Recall, Precision []float64
	TP                []bool
	Positives         int // ground truths that count (not difficult)
}

// VOCCurve matches the detections of class to the ground truths as the PASCAL VOC devkit does
// and returns the precision–recall curve: detections from the highest score down; each
// takes the not-difficult-or-difficult truth of its image with the highest IoU (VOC's +1
// convention); above iouThreshold it is a true positive if that truth is not yet taken, a false
// positive if it is (a duplicate), and ignored if the truth is difficult; otherwise a false
// positive. A class without a ground truth that counts has recall 0 throughout (VOCmAP leaves
// it out). Chapter 19 draws the curve.
func VOCCurve(dets []Detection, truths []Truth, class int, iouThreshold float64) (PR, error) {
	if err := checkEval(dets, truths); err != nil {
		return PR{}, err
	}
	var mine []Detection
	for _, d := range dets {
		if d.Class == class {
			mine = append(mine, d)
		}
	}
	slices.SortStableFunc(mine, func(a, b Detection) int { return cmp.Compare(b.Score, a.Score) })
	byImage := map[int][]int{}
	var pr PR
	for i, t := range truths {
		if t.Class == class {
			byImage[t.Image] = append(byImage[t.Image], i)
			if !t.Difficult {
				pr.Positives++
			}
		}
	}
	taken := make([]bool, len(truths))
	tp, fp := 0, 0
	for _, d := range mine {
		best, bestIoU := -1, math.Inf(-1)
		for _, i := range byImage[d.Image] {
			if iou := IoUOf(d.Box, truths[i].Box, VOCPixels); iou > bestIoU {
				best, bestIoU = i, iou
			}
		}
		hit := false
		switch {
		case best >= 0 && bestIoU > iouThreshold && truths[best].Difficult:
			continue
		case best >= 0 && bestIoU > iouThreshold && !taken[best]:
			taken[best], hit = true, true
			tp++
		default:
			fp++
		}
		pr.TP = append(pr.TP, hit)
		pr.Recall = append(pr.Recall, float64(tp)/float64(max(pr.Positives, 1)))
		pr.Precision = append(pr.Precision, float64(tp)/float64(tp+fp))
	}
	return pr, nil
}

// BestMatch returns the ground truth of d's image that d overlaps most under convention c, and
// that IoU; (−1, 0) when d overlaps none. It is the first step of VOC's matching; chapter 19
// matches detections by hand with it.
func BestMatch(d Detection, truths []Truth, c Convention) (int, float64) {
	best, iou := -1, 0.0
	for i, t := range truths {
		if v := IoUOf(d.Box, t.Box, c); t.Image == d.Image && v > iou {
			best, iou = i, v
		}
	}
	return best, iou
}

// AP11 is PASCAL VOC2007's 11-point average precision (平均精度) of a curve: the mean, over
// recall levels t = 0, 0.1, …, 1, of the highest precision at a recall of at least t (0 if the
// curve never reaches t). The levels are k·0.1 in floating point, as numpy's arange(0, 1.1, 0.1)
// in the Python voc_eval that Fast and Faster R-CNN ship: 3·0.1 is 0.30000000000000004, so a
// recall of exactly 3/10 does not reach the level 0.3.
func (pr PR) AP11() float64 {
	ap := 0.0
	for k := range 11 {
		t, p := float64(k)*0.1, 0.0
		for i, r := range pr.Recall {
			if r >= t {
				p = max(p, pr.Precision[i])
			}
		}
		ap += p / 11
	}
	return ap
}

// APAll is the all-points average precision of VOC2010 and later: the area under the curve
// after each precision is raised to the highest precision at any greater recall.
func (pr PR) APAll() float64 {
	n := len(pr.Recall)
	rec := append(append([]float64{0}, pr.Recall...), 1)
	prec := append(append([]float64{0}, pr.Precision...), 0)
	for i := n; i > 0; i-- {
		prec[i-1] = max(prec[i-1], prec[i])
	}
	ap := 0.0
	for i := 1; i < len(rec); i++ {
		if rec[i] != rec[i-1] {
			ap += (rec[i] - rec[i-1]) * prec[i]
		}
	}
	return ap
}

// VOCmAP is the mean over classes of the VOC average precision at IoU 0.5: 11-point (VOC2007)
// if elevenPoint, else all-points. Classes without a ground truth that counts are left out.
// It returns the mean and the AP of each class 0…classes−1 (NaN for those left out).
func VOCmAP(dets []Detection, truths []Truth, classes int, elevenPoint bool) (float64, []float64, error) {
	aps := make([]float64, classes)
	sum, n := 0.0, 0
	for c := range classes {
		pr, err := VOCCurve(dets, truths, c, 0.5)
		if err != nil {
			return 0, nil, err
		}
		if pr.Positives == 0 {
			aps[c] = math.NaN()
			continue
		}
		aps[c] = pr.APAll()
		if elevenPoint {
			aps[c] = pr.AP11()
		}
		sum, n = sum+aps[c], n+1
	}
	if n == 0 {
		return 0, aps, fmt.Errorf("detection: VOCmAP: no ground truth that counts in %d classes", classes)
	}
	return sum / float64(n), aps, nil
}

func checkEval(dets []Detection, truths []Truth) error {
	for i, d := range dets {
		if !d.Box.Valid() || math.IsNaN(d.Score) {
			return fmt.Errorf("detection: detection %d: box %v score %v is not finite or unordered", i, d.Box, d.Score)
		}
	}
	for i, t := range truths {
		if !t.Box.Valid() {
			return fmt.Errorf("detection: ground truth %d: box %v is not finite or unordered", i, t.Box)
		}
	}
	return nil
}
