package datasets_test

import (
	"fmt"
	"io"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// A Loader cuts a data set into shuffled, normalized batches: here the first 100 MNIST digits in
// batches of 64, one pass.
func ExampleNewLoader() {
	train, _, err := datasets.MNIST(datasets.Limit(100), datasets.Quiet())
	if err != nil {
		fmt.Println(err)
		return
	}
	loader := datasets.NewLoader(train, 64, datasets.Shuffle(42),
		datasets.Normalize(datasets.MNISTMean, datasets.MNISTStd))
	defer loader.Close()
	for {
		batch, err := loader.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(batch.Size, batch.Images.Shape(), batch.Labels.Shape())
	}
	// Output:
	// 64 (Float32)[64 28 28 1] (Int32)[64 1]
	// 36 (Float32)[36 28 28 1] (Int32)[36 1]
}

// FromTensors batches in-memory tensors of any shapes: here 5 pairs of 2-value inputs with a box
// [x, y, w, h] each as the label, shuffled, in batches of 2 with the last one smaller.
func ExampleFromTensors() {
	pairs := tensors.FromValue([][][]float32{
		{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}}, {{4, 4}, {5, 5}}, {{6, 6}, {7, 7}}, {{8, 8}, {9, 9}}})
	boxes := tensors.FromValue([][]float32{
		{0, 0, 1, 1}, {1, 1, 2, 2}, {2, 2, 3, 3}, {3, 3, 4, 4}, {4, 4, 5, 5}})
	loader := datasets.FromTensors("boxes/train", 2, []*tensors.Tensor{pairs}, []*tensors.Tensor{boxes},
		datasets.Shuffle(42))
	for {
		_, inputs, labels, err := loader.Yield()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(inputs[0].Shape(), labels[0].Shape())
	}
	// Output:
	// (Float32)[2 2 2] (Float32)[2 4]
	// (Float32)[2 2 2] (Float32)[2 4]
	// (Float32)[1 2 2] (Float32)[1 4]
}
