package losses

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// CheckLabels returns an error naming the first class label in labels that is outside
// [0, numClasses) and is not one of ignore (pass DefaultIgnoreIndex for CrossEntropy's and
// NLL's default). A graph can't refuse a label value — it makes that loss NaN — so a training
// loop calls this on each batch's labels, on the host, to say which label is wrong:
//
//	losses: labels[3 0] = 10, want a class in [0, 10)
//
// Chapter 06 ("06-losses").
func CheckLabels(labels *tensors.Tensor, numClasses int, ignore ...int) error {
	values, err := intValues(labels)
	if err != nil {
		return err
	}
	for i, v := range values {
		if v >= 0 && v < int64(numClasses) {
			continue
		}
		ignored := false
		for _, ig := range ignore {
			ignored = ignored || v == int64(ig)
		}
		if !ignored {
			want := fmt.Sprintf("a class in [0, %d)", numClasses)
			if len(ignore) > 0 {
				want += fmt.Sprintf(" or an ignored label %v", ignore)
			}
			return fmt.Errorf("losses: labels%v = %d, want %s", index(labels.Shape().Dimensions, i), v, want)
		}
	}
	return nil
}

// CheckMultilabelTargets is CheckLabels for MultilabelMargin's targets: each row lists
// classes in [0, numClasses) until its first negative value, and what follows is not checked.
// Chapter 06 ("06-losses").
func CheckMultilabelTargets(targets *tensors.Tensor, numClasses int) error {
	values, err := intValues(targets)
	if err != nil {
		return err
	}
	d := targets.Shape().Dimensions
	if len(d) != 1 && len(d) != 2 {
		return fmt.Errorf("losses: multilabel targets of shape %s, want (N, C) or (C)", targets.Shape())
	}
	row := d[len(d)-1]
	for start := 0; start < len(values); start += row {
		for i := start; i < start+row; i++ {
			v := values[i]
			if v < 0 {
				break
			}
			if v >= int64(numClasses) {
				return fmt.Errorf("losses: targets%v = %d, want a class in [0, %d) or a negative end mark",
					index(d, i), v, numClasses)
			}
		}
	}
	return nil
}

// intValues returns the values of an integer tensor.
func intValues(t *tensors.Tensor) ([]int64, error) {
	if t == nil {
		return nil, fmt.Errorf("losses: labels tensor is nil")
	}
	if !t.DType().IsInt() {
		return nil, fmt.Errorf("losses: labels of dtype %s, want an integer dtype", t.DType())
	}
	var out []int64
	err := t.ConstFlatData(func(flat any) {
		switch f := flat.(type) {
		case []int8:
			out = widen(f)
		case []int16:
			out = widen(f)
		case []int32:
			out = widen(f)
		case []int64:
			out = widen(f)
		case []uint8:
			out = widen(f)
		case []uint16:
			out = widen(f)
		case []uint32:
			out = widen(f)
		case []uint64:
			out = widen(f)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("losses: reading labels: %w", err)
	}
	if out == nil && t.Shape().Size() > 0 {
		return nil, fmt.Errorf("losses: labels of dtype %s are not supported", t.DType())
	}
	return out, nil
}

func widen[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](f []T) []int64 {
	out := make([]int64, len(f))
	for i, v := range f {
		out[i] = int64(v)
	}
	return out
}

// index turns a flat index into the index of each axis.
func index(dims []int, flat int) []int {
	idx := make([]int, len(dims))
	for a := len(dims) - 1; a >= 0; a-- {
		idx[a] = flat % dims[a]
		flat /= dims[a]
	}
	return idx
}
