package book_test

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/godl-book/godl/pkg/book"
	"github.com/godl-book/godl/pkg/byhand"
	"github.com/godl-book/godl/pkg/optim"
)

// TestPhotoTensor checks the shapes and values of chapter 10's grey, RGB and RGBA inputs: values
// in [0, 1], the alpha channel all 1 (the photographs are opaque), and grey equal to the luma of
// the RGB version.
func TestPhotoTensor(t *testing.T) {
	grey, err := book.PhotoTensor("chelsea", 1, 16)
	if err != nil {
		t.Fatal(err)
	}
	rgba, err := book.PhotoTensor("chelsea", 4, 16)
	if err != nil {
		t.Fatal(err)
	}
	if d := rgba.Shape().Dimensions; d[0] != 1 || d[1] != 16 || d[2] != 16 || d[3] != 4 {
		t.Fatalf("RGBA shape %v", d)
	}
	g, c := tensors.MustCopyFlatData[float32](grey), tensors.MustCopyFlatData[float32](rgba)
	for i := range g {
		r, gr, b, a := c[4*i], c[4*i+1], c[4*i+2], c[4*i+3]
		if a != 1 || r < 0 || r > 1 || gr < 0 || gr > 1 || b < 0 || b > 1 {
			t.Fatalf("pixel %d: RGBA %v %v %v %v, want values in [0, 1] and alpha 1", i, r, gr, b, a)
		}
		if luma := 0.299*r + 0.587*gr + 0.114*b; math.Abs(float64(luma-g[i])) > 1e-5 {
			t.Fatalf("pixel %d: grey %v, luma of RGB %v", i, g[i], luma)
		}
	}
	for _, bad := range []struct {
		name     string
		ch, size int
	}{{"chelsea", 2, 16}, {"chelsea", 3, 0}, {"chelsea", 3, 5000}, {"dog", 3, 16}} {
		if _, err := book.PhotoTensor(bad.name, bad.ch, bad.size); err == nil {
			t.Errorf("PhotoTensor(%q, %d, %d): no error", bad.name, bad.ch, bad.size)
		}
	}
}

// TestLearnKernelFindsSobel checks chapter 10's claim on a small image: a 3×3 convolution trained
// with Adam on (image, Sobel edge map) pairs ends within 0.01 of Sobel's kernel, and RunConv
// (the layer) makes the same edge map as the loops.
func TestLearnKernelFindsSobel(t *testing.T) {
	x, err := book.PhotoTensor("camera", 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	w, err := book.EdgeKernel(book.SobelY, 1)
	if err != nil {
		t.Fatal(err)
	}
	target, err := book.RunConv(x, w, nil, byhand.Conv{Padding: 1}, false)
	if err != nil {
		t.Fatal(err)
	}
	loops, err := byhand.Conv2D(x, w, nil, byhand.Conv{Padding: 1})
	if err != nil {
		t.Fatal(err)
	}
	a, b := tensors.MustCopyFlatData[float32](target), tensors.MustCopyFlatData[float32](loops)
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-5 {
			t.Fatalf("edge map [%d]: layer %v, loops %v", i, a[i], b[i])
		}
	}
	fit, err := book.LearnKernel(x, target, 3, 500, optim.Adam(0.1).Done())
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range fit.Kernel {
		if math.Abs(float64(v-book.SobelY[i])) > 0.01 {
			t.Errorf("learned kernel %v, want Sobel %v within 0.01", fit.Kernel, book.SobelY)
			break
		}
	}
	if len(fit.Losses) != 500 || fit.Losses[499] > 1e-2*fit.Losses[0] {
		t.Errorf("losses: %d, from %.3g to %.3g", len(fit.Losses), fit.Losses[0], fit.Losses[len(fit.Losses)-1])
	}
	if _, err := book.LearnKernel(x, x, 2, 10, optim.Adam(0.1).Done()); err == nil {
		t.Error("LearnKernel with an even kernel: no error")
	}
}

// TestTransposedIsTheAdjoint checks the identity chapter 10 prints: the transposed convolution
// with the weight's channels swapped is the adjoint of the convolution, ⟨conv(x), y⟩ =
// ⟨x, convᵀ(y)⟩ — which is why it computes the convolution's input gradient.
func TestTransposedIsTheAdjoint(t *testing.T) {
	x, y, w := book.Random(1, 2, 7, 7, 2), book.Random(2, 2, 4, 4, 3), book.Random(3, 3, 3, 2, 3)
	o := byhand.Conv{Stride: 2, Padding: 1}
	cx, err := byhand.Conv2D(x, w, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := book.SwapInOut(w)
	if err != nil {
		t.Fatal(err)
	}
	ty, err := byhand.ConvTranspose2D(y, wt, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	a, errA := book.Inner(cx, y)
	b, errB := book.Inner(x, ty)
	if errA != nil || errB != nil || math.Abs(a-b) > 1e-4*math.Abs(a) {
		t.Errorf("⟨conv(x), y⟩ = %v (%v), ⟨x, convᵀ(y)⟩ = %v (%v)", a, errA, b, errB)
	}
	if d, err := book.MaxDiff(x, x); err != nil || d != 0 {
		t.Errorf("MaxDiff(x, x) = %v, %v", d, err)
	}
	if _, err := book.MaxDiff(x, y); err == nil {
		t.Error("MaxDiff of different shapes: no error")
	}
	maps, err := book.EdgeMaps("chelsea", 16, book.SobelX, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	// Alpha is 1 everywhere: inside, Sobel (which sums to 0) ignores it and RGBA's average over
	// 4 channels is ¾ of RGB's over 3; on the left edge the zero padding adds (1+2+1)/4 = 1.
	for i := 1; i < 15; i++ {
		for j := range 16 {
			rgb, rgba := maps[0][i*16+j], maps[1][i*16+j]
			want := 0.75 * rgb
			if j == 0 {
				want++
			} else if j == 15 {
				want--
			}
			if math.Abs(float64(rgba-want)) > 1e-5 {
				t.Fatalf("RGBA edge at (%d, %d) = %v, want %v", i, j, rgba, want)
			}
		}
	}
}
