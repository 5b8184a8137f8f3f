package losses

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/godl-book/godl/internal/floats"
	"github.com/godl-book/godl/internal/goldens"
)

// goldenJSONData is the PyTorch goldens, written by tools/goldens/losses.py (torch 1.13) to
// losses_golden.json beside this file, and embedded so that Golden works in any program, inside
// the repository or not. The package's tests replay every case.
//
//go:embed losses_golden.json
var goldenJSONData []byte

// GoldenCase is one case of the PyTorch goldens: a torch.nn.functional loss called on fixed
// inputs with fixed options, and what torch returned. Chapter 06 ("06-losses") checks its
// table of the 21 losses against them, and the package's tests check every case.
type GoldenCase struct {
	Loss    string         // torch's function, e.g. "cross_entropy"
	Name    string         // the case, e.g. "cross_entropy/index/mean"
	Options map[string]any // torch's keyword arguments (float64, bool or string), e.g. "reduction": "mean"
	// Inputs by torch's argument name ("input", "target", "weight", "input1", "anchor", ...):
	// Float32 tensors holding the values torch saw, or Int64 class indices.
	Inputs map[string]*tensors.Tensor
	// Output is torch's result, flattened, computed in float64 from the float32 inputs;
	// OutputShape its dimensions (none for a scalar). NaN and ±Inf appear as themselves.
	Output      []float64
	OutputShape []int
	// Upstream, for reduction "none" (and any output that isn't a scalar), is the gradient torch
	// fed back into the output: a Float32 tensor of OutputShape, and Grads are those of
	// sum(Upstream·output). Nil when the loss reduces to a scalar: Grads are the loss's own.
	Upstream *tensors.Tensor
	// Grads are torch's gradients with respect to the float inputs it differentiated, by input
	// name, flattened like Output (float64); each has its input's shape.
	Grads map[string][]float64
	// TorchVersion is the version of torch that computed the case.
	TorchVersion string
}

// Golden returns the golden case called name (e.g. "cross_entropy/index/mean"), from the
// goldens embedded in the package. Chapter 06 ("06-losses") checks its losses against them.
func Golden(name string) (*GoldenCase, error) {
	cases, err := goldenCases()
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		if c.Name == name {
			return c, nil
		}
	}
	return nil, fmt.Errorf("losses: golden case %q is not among the %d cases (GoldenNames lists them)",
		name, len(cases))
}

// GoldenNames returns the names of all golden cases, in the file's order.
func GoldenNames() ([]string, error) {
	cases, err := goldenCases()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = c.Name
	}
	return names, nil
}

// Run builds loss from the case's inputs — a function of the input nodes by torch's argument
// names — runs it on b, and returns its value flattened, as float64, to compare with Output:
//
//	got, err := c.Run(b, func(in map[string]*Node) *Node { return MSE(in["input"], in["target"]).Done() })
//
// A loss that fails to build returns its error.
func (c *GoldenCase) Run(b backends.Backend, loss func(in map[string]*Node) *Node) ([]float64, error) {
	names := make([]string, 0, len(c.Inputs))
	for n := range c.Inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = c.Inputs[n]
	}
	out, err := ExecOnce(b, func(nodes []*Node) *Node {
		in := make(map[string]*Node, len(nodes))
		for i, n := range names {
			in[n] = nodes[i]
		}
		return loss(in)
	}, args...)
	if err != nil {
		return nil, fmt.Errorf("losses: golden case %s: %w", c.Name, err)
	}
	got, err := floats.FromTensor(out)
	if err != nil {
		return nil, fmt.Errorf("losses: golden case %s: result: %w", c.Name, err)
	}
	return got, nil
}

// tensorAs returns a copy of the golden tensor t with its floats as dtype — Float32, or Float64,
// which holds float32 values exactly — and Int64 as is. The copy is local, so it can go to any
// backend: a tensor used on one backend can't be used on another.
func tensorAs(t *tensors.Tensor, dtype dtypes.DType) (*tensors.Tensor, error) {
	dims := t.Shape().Dimensions
	if t.DType() == dtypes.Int64 {
		ints, err := tensors.CopyFlatData[int64](t)
		if err != nil {
			return nil, err
		}
		return tensors.FromFlatDataAndDimensions(ints, dims...), nil
	}
	f, err := floats.FromTensor(t)
	if err != nil {
		return nil, err
	}
	return floats.ToTensor(dtype, f, dims...)
}

var (
	goldenOnceAll sync.Once
	goldenAll     []*GoldenCase
	goldenAllErr  error
)

// goldenCases reads the goldens once per process.
func goldenCases() ([]*GoldenCase, error) {
	goldenOnceAll.Do(func() {
		goldenAll, goldenAllErr = parseGoldens(goldenJSONData)
	})
	return goldenAll, goldenAllErr
}

// goldenJSON is the file's layout; tensors are {"dtype": "float"|"int64", "shape", "data"}.
type goldenJSON struct {
	TorchVersion string `json:"torch_version"`
	Cases        []struct {
		Loss     string                      `json:"loss"`
		Name     string                      `json:"name"`
		Options  map[string]any              `json:"options"`
		Inputs   map[string]goldenJSONTensor `json:"inputs"`
		Output   goldenJSONTensor            `json:"output"`
		Upstream *goldenJSONTensor           `json:"upstream"`
		Grads    map[string]goldenJSONTensor `json:"grads"`
	} `json:"cases"`
}

type goldenJSONTensor struct {
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
	Data  []any  `json:"data"` // json.Number, or "nan", "inf", "-inf"
}

// parseGoldens parses a golden document, as tools/goldens/losses.py writes it.
func parseGoldens(data []byte) ([]*GoldenCase, error) {
	var doc goldenJSON
	err := goldens.Decode(data, &doc)
	if err != nil {
		return nil, fmt.Errorf("losses: goldens: %w", err)
	}
	cases := make([]*GoldenCase, len(doc.Cases))
	for i, jc := range doc.Cases {
		c := &GoldenCase{Loss: jc.Loss, Name: jc.Name, Options: map[string]any{},
			Inputs: map[string]*tensors.Tensor{}, TorchVersion: doc.TorchVersion}
		where := func(what string, err error) error {
			return fmt.Errorf("losses: goldens: case %s: %s: %w", jc.Name, what, err)
		}
		for k, v := range jc.Options {
			if n, ok := v.(json.Number); ok {
				if v, err = goldens.Number(n, 64); err != nil {
					return nil, where("option "+k, err)
				}
			}
			c.Options[k] = v
		}
		for n, jt := range jc.Inputs {
			if c.Inputs[n], err = jt.tensor(); err != nil {
				return nil, where("input "+n, err)
			}
		}
		if c.Output, err = jc.Output.values(); err != nil {
			return nil, where("output", err)
		}
		c.OutputShape = slices.Clone(jc.Output.Shape)
		if jc.Upstream != nil {
			if c.Upstream, err = jc.Upstream.tensor(); err != nil {
				return nil, where("upstream", err)
			}
			if !slices.Equal(jc.Upstream.Shape, jc.Output.Shape) {
				return nil, where("upstream", fmt.Errorf("shape %v, the output's is %v", jc.Upstream.Shape, jc.Output.Shape))
			}
		}
		if len(jc.Grads) > 0 {
			c.Grads = make(map[string][]float64, len(jc.Grads))
		}
		for n, jt := range jc.Grads {
			in, ok := jc.Inputs[n]
			switch {
			case !ok:
				err = fmt.Errorf("no input %s", n)
			case in.DType != "float":
				err = fmt.Errorf("input %s is %s, not float", n, in.DType)
			case !slices.Equal(jt.Shape, in.Shape):
				err = fmt.Errorf("shape %v, the input's is %v", jt.Shape, in.Shape)
			default:
				c.Grads[n], err = jt.values()
			}
			if err != nil {
				return nil, where("grad "+n, err)
			}
		}
		cases[i] = c
	}
	return cases, nil
}

// checkSize checks that the shape holds as many values as the data.
func (jt goldenJSONTensor) checkSize() error {
	size := 1
	for _, d := range jt.Shape {
		size *= d
	}
	if size != len(jt.Data) {
		return fmt.Errorf("shape %v holds %d values, data has %d", jt.Shape, size, len(jt.Data))
	}
	return nil
}

// values parses a result of torch's (computed in float64): its data as float64, checked against
// its shape.
func (jt goldenJSONTensor) values() ([]float64, error) {
	if err := jt.checkSize(); err != nil {
		return nil, err
	}
	return jt.floats(64)
}

// floats parses the data with bits 32 (each number to the nearest float32) or 64.
func (jt goldenJSONTensor) floats(bits int) ([]float64, error) {
	out := make([]float64, len(jt.Data))
	for i, v := range jt.Data {
		f, err := goldens.Number(v, bits)
		if err != nil {
			return nil, fmt.Errorf("data[%d] = %w", i, err)
		}
		out[i] = f
	}
	return out, nil
}

// tensor makes the input: Float32 for "float", Int64 for "int64".
func (jt goldenJSONTensor) tensor() (*tensors.Tensor, error) {
	if err := jt.checkSize(); err != nil {
		return nil, err
	}
	switch jt.DType {
	case "int64":
		ints := make([]int64, len(jt.Data))
		for i, v := range jt.Data {
			n, ok := v.(json.Number)
			if !ok {
				return nil, fmt.Errorf("data[%d] = %v, want an integer", i, v)
			}
			var err error
			if ints[i], err = n.Int64(); err != nil {
				return nil, err
			}
		}
		return tensors.FromFlatDataAndDimensions(ints, jt.Shape...), nil
	case "float":
		fs, err := jt.floats(32)
		if err != nil {
			return nil, err
		}
		return floats.ToTensor(dtypes.Float32, fs, jt.Shape...)
	}
	return nil, fmt.Errorf("dtype %q, want \"float\" or \"int64\"", jt.DType)
}
