package layers_test

import (
	"os"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/godl-book/godl/internal/goldens"
	"github.com/godl-book/godl/pkg/layers"
)

// poolGolden is one case of testdata/pooling_golden.json (tools/goldens/pooling.py): torch's
// F.max_pool2d or F.avg_pool2d with its options, on an NHWC input, and the gradient of
// sum(upstream · output).
type poolGolden struct {
	Name        string         `json:"name"`
	Op          string         `json:"op"`
	Options     map[string]any `json:"options"`
	InputShape  []int          `json:"input_shape"`
	Input       []float32      `json:"input"`
	OutputShape []int          `json:"output_shape"`
	Output      []float32      `json:"output"`
	Upstream    []float32      `json:"upstream"`
	Grad        []float32      `json:"grad"`
}

func readPoolGoldens(t *testing.T) (torch string, cases []poolGolden) {
	t.Helper()
	data, err := os.ReadFile("testdata/pooling_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Torch string       `json:"torch_version"`
		Cases []poolGolden `json:"cases"`
	}
	if err := goldens.Decode(data, &doc); err != nil {
		t.Fatalf("testdata/pooling_golden.json: %v", err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("testdata/pooling_golden.json: no cases")
	}
	return doc.Torch, doc.Cases
}

// poolFromOptions builds the pooling layer that torch's keyword arguments describe, failing t
// on any option it does not apply.
func poolFromOptions(t *testing.T, c poolGolden) func(x *graph.Node, impl layers.Impl) *graph.Node {
	t.Helper()
	o := goldens.NewOptions(c.Options)
	kernel, _ := o.Float("kernel_size")
	stride, _ := o.Float("stride")
	padding, _ := o.Float("padding")
	ceil, _ := o.Bool("ceil_mode")
	include, hasInclude := o.Bool("count_include_pad")
	if err := o.Err(); err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
	return func(x *graph.Node, impl layers.Impl) *graph.Node {
		p := layers.AvgPool2D(x, int(kernel))
		if c.Op == "max_pool2d" {
			p = layers.MaxPool2D(x, int(kernel))
		}
		p = p.Stride(int(stride)).Padding(int(padding)).Impl(impl)
		if ceil {
			p = p.CeilMode()
		}
		if hasInclude {
			p = p.CountIncludePad(include)
		}
		return p.Done()
	}
}

// poolAndGrad runs pool on x with backend b and returns its output and the gradient of
// sum(up · output) with respect to x.
func poolAndGrad(t *testing.T, b backends.Backend, pool func(*graph.Node) *graph.Node,
	x, up *tensors.Tensor) (y, dx []float32) {
	t.Helper()
	var out []*tensors.Tensor
	err := catch(func() {
		out = graph.MustExecOnceN(b, func(x, up *graph.Node) []*graph.Node {
			y := pool(x)
			return []*graph.Node{y, graph.Gradient(graph.ReduceAllSum(graph.Mul(y, up)), x)[0]}
		}, x, up)
	})
	if err != nil {
		t.Fatalf("%s: %v", b.Name(), err)
	}
	return tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
}

// TestPoolGoldens checks MaxPool2D and AvgPool2D — kernels 2 to 4, strides, padding, ceil mode
// and count_include_pad — against PyTorch 1.13: outputs and input gradients, with every form on
// every backend (pure Go: Auto; XLA: native and portable). Inputs and upstream values are exact
// in float32, so max pooling and its gradient match exactly; averages to float32 rounding.
func TestPoolGoldens(t *testing.T) {
	torch, cases := readPoolGoldens(t)
	t.Logf("torch %s, %d cases", torch, len(cases))
	loadBackends(t)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			layer := poolFromOptions(t, c)
			runs := map[string]layers.Impl{"go auto": layers.Auto}
			if native != nil {
				runs[nativeName+" native"], runs[nativeName+" portable"] = layers.Native, layers.Portable
			}
			for name, impl := range runs {
				b := goBackend
				if name != "go auto" {
					b = native
				}
				// A tensor lives on one backend: give each run its own.
				x := tensors.FromFlatDataAndDimensions(c.Input, c.InputShape...)
				up := tensors.FromFlatDataAndDimensions(c.Upstream, c.OutputShape...)
				y, dx := poolAndGrad(t, b, func(x *graph.Node) *graph.Node { return layer(x, impl) }, x, up)
				assertClose(t, name+" output", y, c.Output, 1e-6)
				assertClose(t, name+" ∂/∂x", dx, c.Grad, 1e-6)
			}
		})
	}
}

// TestGlobalAvgPool2D checks the global average against the mean of each channel, computed here.
func TestGlobalAvgPool2D(t *testing.T) {
	for name, b := range backendsUnderTest(t) {
		x := randomTensor(3, 2, 5, 4, 3)
		got := tensors.MustCopyFlatData[float32](graph.MustExecOnce(b, layers.GlobalAvgPool2D, x))
		pix := tensors.MustCopyFlatData[float32](x)
		want := make([]float32, 2*3)
		for i, v := range pix {
			n, c := i/(5*4*3), i%3
			want[n*3+c] += v / 20
		}
		assertClose(t, name+" global average", got, want, 1e-6)
	}
}
