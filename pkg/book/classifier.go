package book

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/training"
	"github.com/godl-book/godl/pkg/viz"
)

// NetLayers lists the layers of models.Net, the blitz's network, for images of the given size
// (batch 1, channels last), with each layer's output shape and parameter count: the rows of
// chapter 03's LeNet diagram (viz.LayerStack). At 32×32×1 they add up to 61,706 parameters, at
// 28×28×1 to 44,426. It fails for images too small for two 5×5 convolutions and 2×2 poolings.
func NetLayers(height, width, channels int) ([]viz.Block, error) {
	if height < 16 || width < 16 || channels < 1 {
		return nil, fmt.Errorf("book: NetLayers: image %d×%d×%d, want at least 16×16×1", height, width, channels)
	}
	shape := func(dims ...int) string {
		s := "1"
		for _, d := range dims {
			s += fmt.Sprintf("×%d", d)
		}
		return s
	}
	h1, w1 := height-4, width-4 // conv 5×5, no padding
	h2, w2 := h1/2-4, w1/2-4    // max pool 2, conv 5×5
	h3, w3 := h2/2, w2/2
	flat := h3 * w3 * 16
	return []viz.Block{
		{Name: "input", Shape: shape(height, width, channels)},
		{Name: "conv 6@5×5 + ReLU", Shape: shape(h1, w1, 6), Params: 6*25*channels + 6},
		{Name: "max pool 2×2", Shape: shape(h1/2, w1/2, 6)},
		{Name: "conv 16@5×5 + ReLU", Shape: shape(h2, w2, 16), Params: 16*25*6 + 16},
		{Name: "max pool 2×2", Shape: shape(h3, w3, 16)},
		{Name: "flatten", Shape: shape(flat)},
		{Name: "dense 120 + ReLU", Shape: shape(120), Params: flat*120 + 120},
		{Name: "dense 84 + ReLU", Shape: shape(84), Params: 120*84 + 84},
		{Name: "dense 10", Shape: shape(10), Params: 84*10 + 10},
	}, nil
}

// Mistakes draws the first n examples of d (the data set that ev evaluated) that the classifier
// got wrong, each captioned with its prediction and its true class: chapter 04's "Its mistakes".
func Mistakes(ev *training.Evaluation, d *datasets.Dataset, n int) (*viz.ImageGrid, error) {
	if d == nil || d.Len() != len(ev.Predictions) {
		return nil, fmt.Errorf("book: Mistakes: the data set is not the one evaluated (%d predictions)",
			len(ev.Predictions))
	}
	var wrong []int
	for i, p := range ev.Predictions {
		if len(wrong) < n && p != ev.Labels[i] {
			wrong = append(wrong, i)
		}
	}
	if len(wrong) == 0 {
		return nil, fmt.Errorf("book: Mistakes: no mistakes among %d examples", len(ev.Predictions))
	}
	size := d.ImageSize()
	pix := make([]uint8, len(wrong)*size)
	pred, truth := make([]int, len(wrong)), make([]int, len(wrong))
	for k, i := range wrong {
		label, err := d.Read(i, pix[k*size:(k+1)*size])
		if err != nil {
			return nil, fmt.Errorf("book: Mistakes: %w", err)
		}
		if label != ev.Labels[i] {
			return nil, fmt.Errorf("book: Mistakes: %s is not the data set evaluated (example %d)", d.Name, i)
		}
		pred[k], truth[k] = int(ev.Predictions[i]), int(label)
	}
	return viz.Predictions(pix, d.Height, d.Width, d.Channels, ev.Classes, pred, truth), nil
}

// Confusion is one off-diagonal cell of a confusion matrix: Count examples of class True
// predicted as Predicted.
type Confusion struct {
	True, Predicted string
	Count           int
}

func (c Confusion) String() string { return fmt.Sprintf("%s → %s: %d", c.True, c.Predicted, c.Count) }

// TopConfusions returns the k largest off-diagonal cells of ev's confusion matrix, largest
// first (ties in row, then column order): the mix-ups that chapter 04's prose must name.
func TopConfusions(ev *training.Evaluation, k int) []Confusion {
	var all []Confusion
	for t, row := range ev.Confusion {
		for p, c := range row {
			if p != t && c > 0 {
				all = append(all, Confusion{True: ev.Classes[t], Predicted: ev.Classes[p], Count: c})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b Confusion) int { return cmp.Compare(b.Count, a.Count) })
	return all[:min(k, len(all))]
}

// FitCurves draws run's loss and accuracy per epoch like Run.Curves, with legends that say what
// each curve is: the training loss and accuracy are means over the epoch's batches (what Fit
// records, while the weights still change), the other pair is measured after the epoch on the
// held-out set, named heldOut ("validation" in chapter 04).
func FitCurves(run *training.Run, heldOut string) viz.Figure {
	var trainLoss, testLoss, trainAcc, testAcc []float64
	for _, e := range run.History {
		trainLoss, testLoss = append(trainLoss, e.TrainLoss), append(testLoss, e.TestLoss)
		trainAcc, testAcc = append(trainAcc, e.TrainAccuracy), append(testAcc, e.TestAccuracy)
	}
	train := "train (mean over the epoch)"
	held := heldOut + " (after the epoch)"
	loss := viz.Lines("loss", viz.Series{Name: train, Y: trainLoss}, viz.Series{Name: held, Y: testLoss}).
		XLabel("epoch").Markers()
	acc := viz.Lines("accuracy", viz.Series{Name: train, Y: trainAcc}, viz.Series{Name: held, Y: testAcc}).
		XLabel("epoch").Markers()
	return viz.Row(loss, acc)
}
