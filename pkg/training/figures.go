package training

import (
	"fmt"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/viz"
)

// Curves draws the loss and the accuracy per epoch, train and test side by side (chapter 04).
func (r *Run) Curves() viz.Figure {
	var trainLoss, testLoss, trainAcc, testAcc []float64
	for _, e := range r.History {
		trainLoss, testLoss = append(trainLoss, e.TrainLoss), append(testLoss, e.TestLoss)
		trainAcc, testAcc = append(trainAcc, e.TrainAccuracy), append(testAcc, e.TestAccuracy)
	}
	loss := viz.Lines("loss", viz.Series{Name: "train", Y: trainLoss}, viz.Series{Name: "test", Y: testLoss}).
		XLabel("epoch").Markers()
	acc := viz.Lines("accuracy", viz.Series{Name: "train", Y: trainAcc}, viz.Series{Name: "test", Y: testAcc}).
		XLabel("epoch").Markers()
	return viz.Row(loss, acc)
}

// ConfusionMatrix draws the confusion matrix: rows are true classes, columns predictions.
func (ev *Evaluation) ConfusionMatrix() viz.Figure {
	return viz.ConfusionCounts("confusion matrix", ev.Classes, ev.Confusion)
}

// PerClassAccuracy draws the accuracy on each class as bars.
func (ev *Evaluation) PerClassAccuracy() viz.Figure {
	return viz.Bars("accuracy per class", ev.Classes, ev.PerClass).YRange(0, 1)
}

// Examples draws the first n examples of d (the data set that was evaluated) captioned with
// their predicted class; wrong ones are framed in red with the true class.
func (ev *Evaluation) Examples(d *datasets.Dataset, n int) (*viz.ImageGrid, error) {
	n = min(n, len(ev.Predictions), d.Len())
	pix := make([]uint8, n*d.ImageSize())
	pred, truth := make([]int, n), make([]int, n)
	for i := range n {
		label, err := d.Read(i, pix[i*d.ImageSize():(i+1)*d.ImageSize()])
		if err != nil {
			return nil, fmt.Errorf("training: reading %s: %w", d.Name, err)
		}
		if label != ev.Labels[i] {
			return nil, fmt.Errorf("training: %s is not the data set that was evaluated (example %d)", d.Name, i)
		}
		pred[i], truth[i] = int(ev.Predictions[i]), int(label)
	}
	return viz.Predictions(pix, d.Height, d.Width, d.Channels, ev.Classes, pred, truth), nil
}
