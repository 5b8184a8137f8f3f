package book

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/training"
)

// TestC3Inputs checks table I against the paper's description (§II.B): six C3 maps read 3
// contiguous S2 maps, six read 4 contiguous ones, three read 4 non-contiguous ones and one
// reads all 6 — 60 connections, 60·25 + 16 = 1,516 parameters — and against the 1998 model's
// c3 weights, whose input channels must be as many as the table lists.
func TestC3Inputs(t *testing.T) {
	in := C3Inputs()
	sizes := map[int]int{}
	total := 0
	for _, maps := range in {
		sizes[len(maps)]++
		total += len(maps)
	}
	if sizes[3] != 6 || sizes[4] != 9 || sizes[6] != 1 || total != 60 || 25*total+16 != 1516 {
		t.Errorf("C3 table: %v maps by size, %d connections; want 6×3, 9×4, 1×6, 60", sizes, total)
	}
	contiguous := func(maps []int) bool { // neighbours on the ring of six S2 maps
		for _, first := range maps {
			all := true
			for k := range maps {
				all = all && slices.Contains(maps, (first+k)%6)
			}
			if all {
				return true
			}
		}
		return false
	}
	for i, maps := range in {
		want, wantContiguous := 3, true // columns 0–5
		switch {
		case i >= 15:
			want = 6
		case i >= 12:
			want, wantContiguous = 4, false
		case i >= 6:
			want = 4
		}
		if len(maps) != want || (want < 6 && contiguous(maps) != wantContiguous) {
			t.Errorf("C3 map %d reads %v: want %d S2 maps, contiguous %v", i, maps, want, wantContiguous)
		}
	}
	ctx, _ := lenet1998(t, 32, 1)
	for i, maps := range in {
		v := ctx.GetVariableByScopeAndName(fmt.Sprintf("/c3/%d", i), "weight")
		if v == nil || v.Shape().Dimensions[2] != len(maps) {
			t.Errorf("model's c3/%d/weight: %v, want %d input channels", i, v, len(maps))
		}
	}
}

// TestPaperConnections: the connections of the 1998 LeNet-5 counted from models.Summary's rows
// are the paper's (§II.B): C1 122,304, S2 5,880, C3 151,600, S4 2,000, C5 48,120, F6 10,164,
// and the output layer's 840; the blocks of the layer diagram follow the table.
func TestPaperConnections(t *testing.T) {
	want := map[string]int64{"c1": 122304, "s2": 5880, "c3": 151600, "s4": 2000, "c5": 48120,
		"f6": 10164, "output": 840}
	for _, size := range []int{32, 28} {
		s, err := models.Summary(models.LeNet5(10, models.LeCun1998()), 1, size, size, 1)
		if err != nil {
			t.Fatal(err)
		}
		total := int64(0)
		for _, l := range s.Layers {
			if w, ok := want[l.Name]; ok && l.Depth == 0 {
				if got := PaperConnections(l); got != w {
					t.Errorf("%d×%d %s: %d connections, paper %d", size, size, l.Name, got, w)
				}
				total += PaperConnections(l)
			}
		}
		if total != 340908 {
			t.Errorf("%d×%d: %d connections in all, want 340,908", size, size, total)
		}
		blocks := SummaryBlocks(s, 0)
		if len(blocks) != 8 || blocks[0].Shape != fmt.Sprintf("1×%d×%d×1", size, size) ||
			blocks[3].Name != "c3 SparseConv" || blocks[3].Params != 1516 || blocks[7].Shape != "1×10" {
			t.Errorf("%d×%d: blocks %+v", size, size, blocks)
		}
	}
}

// lenet1998 builds a 1998 LeNet-5 on size×size images and gives its subsampling layers random
// coefficients and biases (they start at 1/4 and 0), so that a slip in any layer shows.
func lenet1998(t *testing.T, size int, seed uint64) (*context.Context, *tensors.Tensor) {
	t.Helper()
	b, err := backend.Default()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(seed)); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 13))
	pix := make([]float32, 2*size*size)
	for i := range pix {
		pix[i] = float32(r.NormFloat64())
	}
	images := tensors.FromFlatDataAndDimensions(pix, 2, size, size, 1)
	model := models.LeNet5(10, models.LeCun1998())
	exec, err := context.NewExec(b, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node { return model(ctx, x) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.Exec1(images); err != nil {
		t.Fatal(err)
	}
	for _, scope := range []string{"/s2", "/s4"} {
		for _, name := range []string{"weight", "bias"} {
			v := ctx.GetVariableByScopeAndName(scope, name)
			vals := make([]float32, v.Shape().Size())
			for i := range vals {
				vals[i] = float32(r.Float64() - 0.3)
			}
			if err := v.SetValue(tensors.FromFlatDataAndDimensions(vals, len(vals))); err != nil {
				t.Fatal(err)
			}
		}
	}
	return ctx, images
}

// TestLeNet1998ByHand: the forward pass in plain Go loops gives the model's logits (the negated
// RBF distances) on 32×32 and 28×28 images, and its maps have the paper's sizes.
func TestLeNet1998ByHand(t *testing.T) {
	for _, size := range []int{32, 28} {
		ctx, images := lenet1998(t, size, uint64(size))
		logits, err := Logits(models.LeNet5(10, models.LeCun1998()), ctx, images)
		if err != nil {
			t.Fatal(err)
		}
		pix := tensors.MustCopyFlatData[float32](images)
		for n := range 2 {
			p, err := LeNet1998ByHand(ctx, pix[n*size*size:(n+1)*size*size])
			if err != nil {
				t.Fatal(err)
			}
			if len(p.C1) != 6 || len(p.C1[0]) != 784 || len(p.S2[5]) != 196 || len(p.C3) != 16 ||
				len(p.C3[0]) != 100 || len(p.S4[15]) != 25 || len(p.C5) != 120 || len(p.F6) != 84 ||
				len(p.Codes) != 10 {
				t.Fatalf("%d×%d: maps of the wrong sizes", size, size)
			}
			for c, d := range p.Distances {
				if got := -logits[n][c]; math.Abs(float64(got-d)) > 1e-4*math.Max(1, float64(d)) {
					t.Errorf("%d×%d image %d class %d: by hand %g, model %g", size, size, n, c, d, got)
				}
			}
		}
	}
}

// TestLeNet1998ByHandErrors: a wrong image size and a context without the 1998 weights are
// errors that say what was wrong.
func TestLeNet1998ByHandErrors(t *testing.T) {
	ctx, _ := lenet1998(t, 32, 3)
	if _, err := LeNet1998ByHand(ctx, make([]float32, 30*30)); err == nil || !strings.Contains(err.Error(), "900 pixels") {
		t.Errorf("30×30 image: %v", err)
	}
	if _, err := LeNet1998ByHand(context.New(), make([]float32, 32*32)); err == nil || !strings.Contains(err.Error(), "c1/weight") {
		t.Errorf("empty context: %v", err)
	}
	if _, err := C1Kernels(context.New()); err == nil {
		t.Error("C1Kernels of an empty context: no error")
	}
	if _, err := LoadWeights(t.TempDir()); err == nil {
		t.Error("LoadWeights of an empty folder: no error")
	}
}

// TestC1Kernels: kernel m is the model's c1/weight[:, :, 0, m].
func TestC1Kernels(t *testing.T) {
	ctx, _ := lenet1998(t, 32, 5)
	k, err := C1Kernels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := ctx.GetVariableByScopeAndName("/c1", "weight").Value()
	w := v.Value().([][][][]float32)
	for m := range 6 {
		for dy := range 5 {
			for dx := range 5 {
				if k[m*25+dy*5+dx] != w[dy][dx][0][m] {
					t.Fatalf("kernel %d (%d, %d): %g, want %g", m, dy, dx, k[m*25+dy*5+dx], w[dy][dx][0][m])
				}
			}
		}
	}
	if got := Flat([][]float32{{1, 2}, {3}}); len(got) != 3 || got[2] != 3 {
		t.Errorf("Flat: %v", got)
	}
}

// TestEpochSummaries: the accuracies per epoch in order, and the mean time of the epochs after
// the first (which compiles).
func TestEpochSummaries(t *testing.T) {
	run := &training.Run{History: []training.Epoch{{Seconds: 20, TestAccuracy: 0.9},
		{Seconds: 2, TestAccuracy: 0.95}, {Seconds: 4, TestAccuracy: 0.97}}}
	s := TestAccuracies(run, "1998")
	if s.Name != "1998" || !slices.Equal(s.Y, []float64{0.9, 0.95, 0.97}) {
		t.Errorf("TestAccuracies: %+v", s)
	}
	for _, c := range []struct {
		h    []training.Epoch
		want float64
	}{{run.History, 3}, {run.History[:1], 20}, {nil, 0}} {
		if got := LaterEpochSeconds(&training.Run{History: c.h}); got != c.want {
			t.Errorf("LaterEpochSeconds(%d epochs) = %g, want %g", len(c.h), got, c.want)
		}
	}
}
