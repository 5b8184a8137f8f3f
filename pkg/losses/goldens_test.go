package losses

import (
	"fmt"
	"math"
	"os"
	osexec "os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/godl-book/godl/internal/testbackend"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// TestGoldenCases checks the goldens as Golden reads them, the ones the chapter and the tests
// use: every name GoldenNames lists is one case, of the loss its name starts with, and its
// options, inputs, output, upstream gradient and gradients have the types and shapes the tests
// rely on.
func TestGoldenCases(t *testing.T) {
	names, err := GoldenNames()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 229 {
		t.Errorf("GoldenNames: %d names, want 229", len(names))
	}
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			t.Errorf("GoldenNames: %q twice", name)
		}
		seen[name] = true
		c, err := Golden(name)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != name || !strings.HasPrefix(name, c.Loss+"/") || c.TorchVersion == "" {
			t.Errorf("Golden(%q): name %q, loss %q, torch %q", name, c.Name, c.Loss, c.TorchVersion)
		}
		for k, v := range c.Options {
			switch v.(type) {
			case float64, bool, string:
			default:
				t.Errorf("%s: option %s = %v (%T), want a float64, bool or string", name, k, v, v)
			}
		}
		for n, in := range c.Inputs {
			if in.DType() != dtypes.Float32 && in.DType() != dtypes.Int64 {
				t.Errorf("%s: input %s is %s, want Float32 or Int64", name, n, in.DType())
			}
		}
		if len(c.Output) != shapes.Make(dtypes.Float64, c.OutputShape...).Size() {
			t.Errorf("%s: %d output values for shape %v", name, len(c.Output), c.OutputShape)
		}
		if wantUpstream := len(c.OutputShape) > 0 || c.Options["reduction"] == "none"; (c.Upstream != nil) != wantUpstream {
			t.Errorf("%s: upstream %v, output shape %v, options %v", name, c.Upstream, c.OutputShape, c.Options)
		} else if c.Upstream != nil && (c.Upstream.DType() != dtypes.Float32 ||
			!slices.Equal(c.Upstream.Shape().Dimensions, c.OutputShape)) {
			t.Errorf("%s: upstream %s, want Float32 of the output's shape %v", name, c.Upstream.Shape(), c.OutputShape)
		}
		if len(c.Grads) == 0 {
			t.Errorf("%s: no gradients", name)
		}
		for n, g := range c.Grads {
			if in := c.Inputs[n]; in == nil || in.DType() != dtypes.Float32 || len(g) != in.Shape().Size() {
				t.Errorf("%s: %d values of grad[%s], input %v", name, len(g), n, in)
			}
		}
	}
}

// TestParseGoldens checks what parseGoldens makes of each part of a case: inputs rounded to
// float32 (the goldens write them as float32's shortest text), class indices as Int64, options as
// float64, bool or string, results of torch's in float64 with "nan", "inf" and "-inf", and the
// upstream gradient and gradients only where the case has them. And that tensorAs copies the
// inputs in either float dtype.
func TestParseGoldens(t *testing.T) {
	content := `{"torch_version":"9.9","cases":[
		{"loss":"mse_loss","name":"mse_loss/x","options":{"reduction":"none","margin":0.5,"swap":true},
		 "inputs":{"input":{"dtype":"float","shape":[3],"data":[0.1,-2,"inf"]},
		           "target":{"dtype":"int64","shape":[1,2],"data":[3,-1]}},
		 "output":{"dtype":"float","shape":[3],"data":[0.1,"nan","-inf"]},
		 "upstream":{"dtype":"float","shape":[3],"data":[0.1,1,-1]},
		 "grads":{"input":{"dtype":"float","shape":[3],"data":[1e-300,2,0.1]}}},
		{"loss":"l1_loss","name":"l1_loss/y","options":{},"inputs":{},"output":{"dtype":"float","shape":[],"data":[1]}}]}`
	cases, err := parseGoldens([]byte(content))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("parseGoldens: %d cases, want 2", len(cases))
	}
	c := cases[0]
	if c.Loss != "mse_loss" || c.Name != "mse_loss/x" || c.TorchVersion != "9.9" {
		t.Errorf("case 0: loss %q, name %q, torch %q", c.Loss, c.Name, c.TorchVersion)
	}
	if want := map[string]any{"reduction": "none", "margin": 0.5, "swap": true}; !reflect.DeepEqual(c.Options, want) {
		t.Errorf("options %v, want %v", c.Options, want)
	}
	inf := math.Inf(1)
	input, target := []float32{0.1, -2, float32(inf)}, [][]int64{{3, -1}}
	if len(c.Inputs) != 2 || !reflect.DeepEqual(c.Inputs["input"].Value(), input) ||
		!reflect.DeepEqual(c.Inputs["target"].Value(), target) {
		t.Errorf("inputs %v, want input %v and target %v", c.Inputs, input, target)
	}
	if !slices.Equal(c.OutputShape, []int{3}) || !slices.EqualFunc(c.Output, []float64{0.1, math.NaN(), -inf}, sameFloat) {
		t.Errorf("output %v %v, want [3] [0.1 NaN -Inf]", c.OutputShape, c.Output)
	}
	if c.Upstream == nil || !reflect.DeepEqual(c.Upstream.Value(), []float32{0.1, 1, -1}) {
		t.Errorf("upstream %v, want [0.1 1 -1] in float32", c.Upstream)
	}
	if want := map[string][]float64{"input": {1e-300, 2, 0.1}}; !reflect.DeepEqual(c.Grads, want) {
		t.Errorf("grads %v, want %v", c.Grads, want)
	}
	if c := cases[1]; c.Upstream != nil || c.Grads != nil || len(c.OutputShape) != 0 || !slices.Equal(c.Output, []float64{1}) {
		t.Errorf("case 1: upstream %v, grads %v, output %v %v; want none, none, [] [1]", c.Upstream, c.Grads, c.OutputShape, c.Output)
	}

	for _, tc := range []struct {
		in    string
		dtype dtypes.DType
		want  any
	}{
		{"input", dtypes.Float32, input},
		{"input", dtypes.Float64, []float64{float64(float32(0.1)), -2, inf}},
		{"target", dtypes.Float64, target},
	} {
		got, err := tensorAs(c.Inputs[tc.in], tc.dtype)
		if err != nil {
			t.Fatal(err)
		}
		if got == c.Inputs[tc.in] || !reflect.DeepEqual(got.Value(), tc.want) {
			t.Errorf("tensorAs(%s, %s) = %v, want a copy holding %v", tc.in, tc.dtype, got, tc.want)
		}
	}
	if _, err := tensorAs(c.Inputs["input"], dtypes.Int32); err == nil || !strings.Contains(err.Error(), "want Float32 or Float64") {
		t.Errorf("tensorAs(input, Int32) = %v, want an error", err)
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// TestGoldenRun reproduces torch's value for a regression case and a class-index case.
func TestGoldenRun(t *testing.T) {
	b := testbackend.Get(t)
	for name, loss := range map[string]func(in map[string]*Node) *Node{
		"mse_loss/basic/mean": func(in map[string]*Node) *Node { return MSE(in["input"], in["target"]).Done() },
		"cross_entropy/index/weight/mean": func(in map[string]*Node) *Node {
			return CrossEntropy(in["input"], in["target"]).Weight(in["weight"]).Done()
		},
		"margin_ranking_loss/margin0.5/none": func(in map[string]*Node) *Node {
			return MarginRanking(in["input1"], in["input2"], in["target"]).Margin(0.5).Reduction(None).Done()
		},
	} {
		c, err := Golden(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Run(b, loss)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(c.Output) {
			t.Fatalf("%s: %d values, want %d", name, len(got), len(c.Output))
		}
		for i := range got {
			if math.Abs(got[i]-c.Output[i]) > 1e-6*(1+math.Abs(c.Output[i])) {
				t.Errorf("%s: [%d] = %.9g, want %.9g", name, i, got[i], c.Output[i])
			}
		}
	}
}

// TestGoldenErrors: an unknown case, a loss that doesn't build or isn't a float, and documents
// that can't be parsed are errors that say which and what.
func TestGoldenErrors(t *testing.T) {
	if _, err := Golden("mse_loss/no-such-case"); err == nil || !strings.Contains(err.Error(), `"mse_loss/no-such-case"`) {
		t.Errorf("Golden(unknown) = %v, want an error naming the case", err)
	}
	c, err := Golden("l1_loss/basic/mean")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(testbackend.Get(t), func(in map[string]*Node) *Node { return L1(in["input"], in["no-such-input"]).Done() })
	if err == nil || !strings.Contains(err.Error(), "l1_loss/basic/mean") || !strings.Contains(err.Error(), "target is nil") {
		t.Errorf("Run(bad loss) = %v, want the case and the loss's error", err)
	}
	c, err = Golden("cross_entropy/index/mean")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(testbackend.Get(t), func(in map[string]*Node) *Node { return in["target"] })
	if err == nil || !strings.Contains(err.Error(), "result: tensor of dtype Int64, want Float32 or Float64") {
		t.Errorf("Run(class indices) = %v, want an error about the dtype", err)
	}

	x := `{"dtype":"float","shape":[],"data":[1]}`
	out := `"output":` + x
	for name, tc := range map[string]struct{ content, want string }{
		"not-json":   {"{", "unexpected EOF"},
		"bad-shape":  {`{"cases":[{"name":"x","inputs":{"input":{"dtype":"float","shape":[2],"data":[1]}},"output":{"dtype":"float","shape":[],"data":[1]}}]}`, "case x: input input: shape [2] holds 2 values, data has 1"},
		"bad-dtype":  {`{"cases":[{"name":"x","inputs":{"input":{"dtype":"bool","shape":[],"data":[1]}},"output":{"dtype":"float","shape":[],"data":[1]}}]}`, `dtype "bool"`},
		"bad-number": {`{"cases":[{"name":"x","inputs":{},"output":{"dtype":"float","shape":[],"data":["many"]}}]}`, `output: data[0] = "many"`},
		"bad-value":  {`{"cases":[{"name":"x","inputs":{},"output":{"dtype":"float","shape":[],"data":[true]}}]}`, `output: data[0] = true (bool), want a number`},
		"bad-index":  {`{"cases":[{"name":"x","inputs":{"target":{"dtype":"int64","shape":[],"data":[1.5]}},` + out + `}]}`, `input target: strconv.ParseInt: parsing "1.5"`},
		"not-index":  {`{"cases":[{"name":"x","inputs":{"target":{"dtype":"int64","shape":[],"data":["1"]}},` + out + `}]}`, `input target: data[0] = 1, want an integer`},
		"bad-output": {`{"cases":[{"name":"x","inputs":{},"output":{"dtype":"float","shape":[2],"data":[1]}}]}`, "case x: output: shape [2] holds 2 values, data has 1"},
		"bad-upstream": {`{"cases":[{"name":"x","inputs":{},` + out + `,"upstream":{"dtype":"float","shape":[],"data":["x"]}}]}`,
			`case x: upstream: data[0] = "x"`},
		"upstream-shape": {`{"cases":[{"name":"x","inputs":{},` + out + `,"upstream":{"dtype":"float","shape":[1],"data":[1]}}]}`,
			"case x: upstream: shape [1], the output's is []"},
		"grad-no-input": {`{"cases":[{"name":"x","inputs":{},` + out + `,"grads":{"input":` + x + `}}]}`, "case x: grad input: no input input"},
		"grad-index": {`{"cases":[{"name":"x","inputs":{"target":{"dtype":"int64","shape":[],"data":[1]}},` + out + `,"grads":{"target":` + x + `}}]}`,
			"case x: grad target: input target is int64, not float"},
		"grad-shape": {`{"cases":[{"name":"x","inputs":{"input":` + x + `},` + out + `,"grads":{"input":{"dtype":"float","shape":[1],"data":[1]}}}]}`,
			"case x: grad input: shape [1], the input's is []"},
		"bad-grad": {`{"cases":[{"name":"x","inputs":{"input":` + x + `},` + out + `,"grads":{"input":{"dtype":"float","shape":[],"data":["-"]}}}]}`,
			`case x: grad input: data[0] = "-"`},
	} {
		if _, err := parseGoldens([]byte(tc.content)); err == nil || !strings.Contains(err.Error(), "losses: goldens: ") ||
			!strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: parseGoldens = %v, want an error containing %q", name, err, tc.want)
		}
	}
}

// TestGoldenOutsideCheckout runs Golden in a copy of this test binary started in an empty
// folder, with nothing pointing at the repository, and checks that no file of the package reads
// the file system: the goldens are embedded, so they work as in any user's program.
func TestGoldenOutsideCheckout(t *testing.T) {
	if os.Getenv("GODL_LOSSES_OUTSIDE") == "1" {
		names, err := GoldenNames()
		if err != nil {
			t.Fatal(err)
		}
		c, err := Golden("mse_loss/basic/mean")
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("outside: %d cases, %s = %g\n", len(names), c.Name, c.Output[0])
		return
	}
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range sources {
		text, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(src, "_test.go") && strings.Contains(string(text), `"os"`) {
			t.Errorf("%s imports os: the package must not read files at run time", src)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := osexec.Command(exe, "-test.run=^TestGoldenOutsideCheckout$", "-test.v")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GODL_LOSSES_OUTSIDE=1", "GODL_HOME=", "GONB_DIR=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "outside: 229 cases, mse_loss/basic/mean = ") {
		t.Errorf("Golden outside the repository: %v\n%s", err, out)
	}
}
