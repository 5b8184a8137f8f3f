// Package floats converts between GoMLX tensors and the []float64 that host-side code (L-BFGS,
// goldens, plots) works in.
package floats

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// FromTensor returns the values of a Float32 or Float64 tensor, flattened row-major, as float64.
func FromTensor(t *tensors.Tensor) ([]float64, error) {
	switch t.DType() {
	case dtypes.Float64:
		return tensors.CopyFlatData[float64](t)
	case dtypes.Float32:
		f, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, err
		}
		out := make([]float64, len(f))
		for i, v := range f {
			out[i] = float64(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("tensor of dtype %s, want Float32 or Float64", t.DType())
}

// ToTensor returns a tensor of dtype Float32 (each value rounded) or Float64 holding values
// with the given dimensions. The values are copied.
func ToTensor(dtype dtypes.DType, values []float64, dims ...int) (*tensors.Tensor, error) {
	switch dtype {
	case dtypes.Float64:
		return tensors.FromFlatDataAndDimensions(append([]float64(nil), values...), dims...), nil
	case dtypes.Float32:
		f := make([]float32, len(values))
		for i, v := range values {
			f[i] = float32(v)
		}
		return tensors.FromFlatDataAndDimensions(f, dims...), nil
	}
	return nil, fmt.Errorf("dtype %s, want Float32 or Float64", dtype)
}
