package training

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Evaluation is how a classifier did on a data set.
type Evaluation struct {
	Loss     float64 // mean cross-entropy
	Accuracy float64
	Classes  []string
	// PerClass[c] is the accuracy on examples whose true class is c (NaN when there are none).
	PerClass []float64
	// Confusion[t][p] counts examples of true class t predicted as p.
	Confusion   [][]int
	Labels      []int32 // true class of each example, in data set order
	Predictions []int32 // predicted class of each example
}

// Evaluate runs the classifier over every example of d.
func (r *Run) Evaluate(d *datasets.Dataset) (*Evaluation, error) {
	if d == nil || d.Len() == 0 {
		return nil, errors.New("training: Evaluate needs a non-empty data set")
	}
	// One executor per Run: it compiles the forward pass once per batch shape and reads the
	// variables' current values on every call, so Fit's per-epoch evaluations do not recompile.
	exec, err := r.forward()
	if err != nil {
		return nil, fmt.Errorf("training: evaluating %s: %w", d.Name, err)
	}
	classes := len(r.Classes)
	ev := &Evaluation{Classes: r.Classes, PerClass: make([]float64, classes), Confusion: make([][]int, classes)}
	for i := range ev.Confusion {
		ev.Confusion[i] = make([]int, classes)
	}
	loader := datasets.NewLoader(d, max(r.BatchSize, 256), r.loaderOptions()...)
	defer loader.Close()
	var lossSum float64
	for {
		batch, err := loader.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("training: evaluating %s: %w", d.Name, err)
		}
		logits, err := exec.Exec1(batch.Images)
		if err != nil {
			return nil, fmt.Errorf("training: evaluating %s: %w", d.Name, err)
		}
		loss, err := ev.add(logits, batch.Labels)
		if err != nil {
			return nil, fmt.Errorf("training: evaluating %s: %w", d.Name, err)
		}
		lossSum += loss
	}
	n := len(ev.Labels)
	ev.Loss = lossSum / float64(n)
	correct := 0
	for t, row := range ev.Confusion {
		total := 0
		for _, c := range row {
			total += c
		}
		correct += row[t]
		ev.PerClass[t] = float64(row[t]) / float64(total) // NaN when total == 0
	}
	ev.Accuracy = float64(correct) / float64(n)
	return ev, nil
}

// add records one batch and returns the sum of its cross-entropy losses.
func (ev *Evaluation) add(logitsT, labelsT *tensors.Tensor) (float64, error) {
	logits, err := tensors.CopyFlatData[float32](logitsT)
	if err != nil {
		return 0, err
	}
	labels, err := tensors.CopyFlatData[int32](labelsT)
	if err != nil {
		return 0, err
	}
	classes := len(ev.Confusion)
	if len(logits) != len(labels)*classes {
		return 0, fmt.Errorf("model gives %d logits for %d examples, want %d classes each", len(logits), len(labels), classes)
	}
	var lossSum float64
	for i, label := range labels {
		row := logits[i*classes : (i+1)*classes]
		best, maxLogit := 0, row[0]
		for c, v := range row {
			if v > maxLogit {
				best, maxLogit = c, v
			}
		}
		var sumExp float64
		for _, v := range row {
			sumExp += math.Exp(float64(v - maxLogit))
		}
		if label < 0 || int(label) >= classes {
			return 0, fmt.Errorf("label %d out of range [0, %d)", label, classes)
		}
		lossSum += math.Log(sumExp) - float64(row[label]-maxLogit)
		ev.Confusion[label][best]++
		ev.Labels = append(ev.Labels, label)
		ev.Predictions = append(ev.Predictions, int32(best))
	}
	return lossSum, nil
}
