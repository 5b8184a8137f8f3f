package losses

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// TestGoldenMatchesTests checks that Golden reads every case as the golden tests do: the same
// loss, options, inputs (values and dtypes) and output, so the chapter and the tests share one
// source of truth.
func TestGoldenMatchesTests(t *testing.T) {
	gf := loadGoldens(t)
	names, err := GoldenNames()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != len(gf.Cases) {
		t.Fatalf("GoldenNames: %d names, the test loader reads %d cases", len(names), len(gf.Cases))
	}
	for i, want := range gf.Cases {
		if names[i] != want.Name {
			t.Fatalf("GoldenNames()[%d] = %q, want %q", i, names[i], want.Name)
		}
		c, err := Golden(want.Name)
		if err != nil {
			t.Fatal(err)
		}
		if c.Loss != want.Loss || c.TorchVersion != gf.TorchVersion {
			t.Errorf("%s: loss %q torch %q, want %q %q", want.Name, c.Loss, c.TorchVersion, want.Loss, gf.TorchVersion)
		}
		if len(c.Options) != len(want.Options) {
			t.Errorf("%s: options %v, want %v", want.Name, c.Options, want.Options)
		}
		o := &options{m: want.Options, used: map[string]bool{}}
		for k, v := range c.Options {
			switch v := v.(type) {
			case float64:
				if w, _ := o.float(k); w != v {
					t.Errorf("%s: option %s = %v, want %v", want.Name, k, v, w)
				}
			default:
				if w, _ := o.get(k); w != v {
					t.Errorf("%s: option %s = %v, want %v", want.Name, k, v, w)
				}
			}
		}
		if len(c.Inputs) != len(want.Inputs) {
			t.Errorf("%s: %d inputs, want %d", want.Name, len(c.Inputs), len(want.Inputs))
		}
		for n, wt := range want.Inputs {
			got := c.Inputs[n]
			wantDType := dtypes.Float32
			if wt.DType == "int64" {
				wantDType = dtypes.Int64
			}
			exp, err := wt.tensor(wantDType)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || got.DType() != wantDType || !reflect.DeepEqual(got.Value(), exp.Value()) {
				t.Errorf("%s: input %s = %v, want %v", want.Name, n, got, exp)
			}
		}
		w, err := want.Output.floats(64)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.OutputShape, want.Output.Shape) || !slices.EqualFunc(c.Output, w, sameFloat) {
			t.Errorf("%s: output %v %v, want %v %v", want.Name, c.OutputShape, c.Output, want.Output.Shape, w)
		}
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// TestGoldenRun reproduces torch's value for a regression case and a class-index case.
func TestGoldenRun(t *testing.T) {
	b := testBackend(t)
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

// TestGoldenErrors: an unknown case, a loss that doesn't build, and files that can't be read
// are errors that say which and what.
func TestGoldenErrors(t *testing.T) {
	if _, err := Golden("mse_loss/no-such-case"); err == nil || !strings.Contains(err.Error(), `"mse_loss/no-such-case"`) {
		t.Errorf("Golden(unknown) = %v, want an error naming the case", err)
	}
	c, err := Golden("l1_loss/basic/mean")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(testBackend(t), func(in map[string]*Node) *Node { return L1(in["input"], in["no-such-input"]).Done() })
	if err == nil || !strings.Contains(err.Error(), "l1_loss/basic/mean") || !strings.Contains(err.Error(), "target is nil") {
		t.Errorf("Run(bad loss) = %v, want the case and the loss's error", err)
	}

	dir := t.TempDir()
	for name, tc := range map[string]struct{ content, want string }{
		"missing":    {"", "no such file"},
		"not-json":   {"{", "unexpected EOF"},
		"bad-shape":  {`{"cases":[{"name":"x","inputs":{"input":{"dtype":"float","shape":[2],"data":[1]}},"output":{"dtype":"float","shape":[],"data":[1]}}]}`, "case x: input input: shape [2] holds 2 values, data has 1"},
		"bad-dtype":  {`{"cases":[{"name":"x","inputs":{"input":{"dtype":"bool","shape":[],"data":[1]}},"output":{"dtype":"float","shape":[],"data":[1]}}]}`, `dtype "bool"`},
		"bad-number": {`{"cases":[{"name":"x","inputs":{},"output":{"dtype":"float","shape":[],"data":["many"]}}]}`, `output: data[0] = "many"`},
	} {
		path := filepath.Join(dir, name+".json")
		if tc.content != "" {
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := readGoldens(path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: readGoldens = %v, want an error containing %q", name, err, tc.want)
		}
	}
}
