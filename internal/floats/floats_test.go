package floats

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func TestFromTensor(t *testing.T) {
	for _, tc := range []struct {
		t    *tensors.Tensor
		want []float64
	}{
		{tensors.FromValue([][]float32{{0.5, -2}, {3, 0.1}}), []float64{0.5, -2, 3, float64(float32(0.1))}},
		{tensors.FromValue([]float64{0.1, 1e-300}), []float64{0.1, 1e-300}},
		{tensors.FromValue(float32(7)), []float64{7}},
	} {
		got, err := FromTensor(tc.t)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("FromTensor(%v) = %v, %v; want %v", tc.t, got, err, tc.want)
		}
	}
	if _, err := FromTensor(tensors.FromValue([]int32{1})); err == nil || !strings.Contains(err.Error(), "Int32") {
		t.Errorf("FromTensor(Int32) = %v, want an error naming the dtype", err)
	}
}

func TestToTensor(t *testing.T) {
	values := []float64{0.1, -2, 3, 4}
	f32, err := ToTensor(dtypes.Float32, values, 2, 2)
	if err != nil || !reflect.DeepEqual(f32.Value(), [][]float32{{0.1, -2}, {3, 4}}) {
		t.Errorf("ToTensor(Float32) = %v, %v", f32, err)
	}
	f64, err := ToTensor(dtypes.Float64, values, 4)
	if err != nil || !reflect.DeepEqual(f64.Value(), values) {
		t.Errorf("ToTensor(Float64) = %v, %v", f64, err)
	}
	values[0] = 9
	if f64.Value().([]float64)[0] != 0.1 {
		t.Error("ToTensor shares its input's memory, want a copy")
	}
	if _, err := ToTensor(dtypes.Int64, values, 4); err == nil || !strings.Contains(err.Error(), "Int64") {
		t.Errorf("ToTensor(Int64) = %v, want an error naming the dtype", err)
	}
}
