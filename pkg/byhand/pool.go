package byhand

import (
	"fmt"
	"math"
)

// Pool describes a pooling window as PyTorch's F.max_pool2d and F.avg_pool2d take it: a square
// Kernel, a Stride (0 means the kernel size, PyTorch's default), a Padding added on every side
// (at most half the kernel), CeilMode to round the number of windows up, and, for the average
// only, ExcludePad to leave the padding out of the divisor (PyTorch's count_include_pad=False).
// Chapter 09 pools with it by plain loops before calling layers.MaxPool2D and layers.AvgPool2D.
type Pool struct {
	Kernel, Stride, Padding int
	CeilMode, ExcludePad    bool
}

func (p Pool) stride() int {
	if p.Stride == 0 {
		return p.Kernel
	}
	return p.Stride
}

// OutSize is the number of windows along an axis of in pixels: ⌊(in + 2·Padding − Kernel) /
// Stride⌋ + 1, or in ceil mode ⌈…⌉ + 1 less one if the last window would start in the padding
// after the input (PyTorch's rule: every window starts inside the input or its left padding).
func (p Pool) OutSize(in int) (int, error) {
	if err := p.check(); err != nil {
		return 0, err
	}
	k, s := p.Kernel, p.stride()
	span := in + 2*p.Padding - k
	if span < 0 {
		return 0, fmt.Errorf("byhand: pool: input of %d pixels with padding %d is smaller than the kernel %d",
			in, p.Padding, k)
	}
	if !p.CeilMode {
		return span/s + 1, nil
	}
	out := (span+s-1)/s + 1
	if (out-1)*s >= in+p.Padding {
		out--
	}
	return out, nil
}

func (p Pool) check() error {
	if p.Kernel < 1 || p.Stride < 0 || p.Padding < 0 {
		return fmt.Errorf("byhand: pool: kernel %d, stride %d, padding %d: want kernel ≥ 1, stride ≥ 0 (0: the kernel), padding ≥ 0",
			p.Kernel, p.Stride, p.Padding)
	}
	if p.Padding > p.Kernel/2 {
		return fmt.Errorf("byhand: pool: padding %d with a kernel of %d: at most half the kernel, as PyTorch requires",
			p.Padding, p.Kernel)
	}
	return nil
}

// NHWC is a batch of images stored as godl's tensors are: [N, H, W, C], row-major.
type NHWC struct {
	N, H, W, C int
	Pix        []float32
}

// at is the index of pixel (n, y, x, channel c) in Pix.
func (im NHWC) at(n, y, x, c int) int { return ((n*im.H+y)*im.W+x)*im.C + c }

func (im NHWC) check(where string) error {
	if im.N < 1 || im.H < 1 || im.W < 1 || im.C < 1 {
		return fmt.Errorf("byhand: %s: images %d×%d×%d×%d, want every size ≥ 1", where, im.N, im.H, im.W, im.C)
	}
	if len(im.Pix) != im.N*im.H*im.W*im.C {
		return fmt.Errorf("byhand: %s: %d values for %d×%d×%d×%d images", where, len(im.Pix), im.N, im.H, im.W, im.C)
	}
	return nil
}

// window is the span [start, end) of one window along an axis of in pixels, clipped to the
// input, and the count its average divides by: the window clipped to the padded input, or, with
// ExcludePad, to the input itself (PyTorch's avg_pool2d).
func (p Pool) window(i, in int) (start, end, count int) {
	start = i*p.stride() - p.Padding
	end = min(start+p.Kernel, in+p.Padding)
	count = end - start
	start, end = max(start, 0), min(end, in)
	if p.ExcludePad {
		count = end - start
	}
	return start, end, count
}

// MaxPool takes the largest value of each window, channel by channel, and returns the pooled
// images with, for each output value, the index in x.Pix of the input it came from: the first
// maximum in row-major order, as PyTorch picks, or else the last NaN (PyTorch's rule too). Padding
// and the part of a ceil-mode window past the edge hold −∞: they never win.
func MaxPool(x NHWC, p Pool) (y NHWC, argmax []int, err error) {
	y, err = p.outImages("MaxPool", x)
	if err != nil {
		return NHWC{}, nil, err
	}
	argmax = make([]int, len(y.Pix))
	for n := range y.N {
		for r := range y.H {
			y0, y1, _ := p.window(r, x.H)
			for q := range y.W {
				x0, x1, _ := p.window(q, x.W)
				for c := range y.C {
					best, arg := float32(math.Inf(-1)), -1
					for i := y0; i < y1; i++ {
						for j := x0; j < x1; j++ {
							if v := x.Pix[x.at(n, i, j, c)]; v > best || arg < 0 || math.IsNaN(float64(v)) {
								best, arg = v, x.at(n, i, j, c)
							}
						}
					}
					o := y.at(n, r, q, c)
					y.Pix[o], argmax[o] = best, arg
				}
			}
		}
	}
	return y, argmax, nil
}

// MaxPoolGrad is the gradient of max pooling: it routes each upstream value dy (one per output of
// MaxPool) to the input position argmax names, adding where one input wins several windows, and
// returns the gradient of all n inputs. Every other input gets 0.
func MaxPoolGrad(dy []float32, argmax []int, n int) ([]float32, error) {
	if len(dy) != len(argmax) {
		return nil, fmt.Errorf("byhand: MaxPoolGrad: %d upstream values for %d outputs", len(dy), len(argmax))
	}
	dx := make([]float32, n)
	for o, a := range argmax {
		if a < 0 || a >= n {
			return nil, fmt.Errorf("byhand: MaxPoolGrad: argmax[%d] = %d outside %d inputs", o, a, n)
		}
		dx[a] += dy[o]
	}
	return dx, nil
}

// AvgPool takes the mean of each window, channel by channel: the sum of the input values it
// covers divided by its count (see Pool: with padding, zeros count unless ExcludePad; the part of
// a ceil-mode window past the padded edge never counts). Sums are in float64.
func AvgPool(x NHWC, p Pool) (NHWC, error) {
	y, err := p.outImages("AvgPool", x)
	if err != nil {
		return NHWC{}, err
	}
	for n := range y.N {
		for r := range y.H {
			y0, y1, rows := p.window(r, x.H)
			for q := range y.W {
				x0, x1, cols := p.window(q, x.W)
				for c := range y.C {
					sum := 0.0
					for i := y0; i < y1; i++ {
						for j := x0; j < x1; j++ {
							sum += float64(x.Pix[x.at(n, i, j, c)])
						}
					}
					y.Pix[y.at(n, r, q, c)] = float32(sum / float64(rows*cols))
				}
			}
		}
	}
	return y, nil
}

// AvgPoolGrad is the gradient of average pooling on images shaped like x: each upstream value dy
// (one per output of AvgPool) is divided by its window's count and added to every input the
// window covers.
func AvgPoolGrad(x NHWC, p Pool, dy []float32) ([]float32, error) {
	y, err := p.outImages("AvgPoolGrad", x)
	if err != nil {
		return nil, err
	}
	if len(dy) != len(y.Pix) {
		return nil, fmt.Errorf("byhand: AvgPoolGrad: %d upstream values for %d outputs", len(dy), len(y.Pix))
	}
	dx := make([]float32, len(x.Pix))
	for n := range y.N {
		for r := range y.H {
			y0, y1, rows := p.window(r, x.H)
			for q := range y.W {
				x0, x1, cols := p.window(q, x.W)
				for c := range y.C {
					share := dy[y.at(n, r, q, c)] / float32(rows*cols)
					for i := y0; i < y1; i++ {
						for j := x0; j < x1; j++ {
							dx[x.at(n, i, j, c)] += share
						}
					}
				}
			}
		}
	}
	return dx, nil
}

// outImages checks x and p and returns zeroed images of the pooled size.
func (p Pool) outImages(where string, x NHWC) (NHWC, error) {
	if err := x.check(where); err != nil {
		return NHWC{}, err
	}
	oh, err := p.OutSize(x.H)
	if err != nil {
		return NHWC{}, fmt.Errorf("%w (height, in %s)", err, where)
	}
	ow, err := p.OutSize(x.W)
	if err != nil {
		return NHWC{}, fmt.Errorf("%w (width, in %s)", err, where)
	}
	return NHWC{N: x.N, H: oh, W: ow, C: x.C, Pix: make([]float32, x.N*oh*ow*x.C)}, nil
}
