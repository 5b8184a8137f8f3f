package datasets_test

import (
	"fmt"
	"io"

	"github.com/godl-book/godl/pkg/datasets"
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
