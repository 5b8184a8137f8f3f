package byhand

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Conv describes a convolution as PyTorch's F.conv2d and F.conv_transpose2d take it: Stride
// (0 means 1), Padding on every side, Dilation between the kernel's taps (0 means 1), Groups of
// channels (0 means 1; transposed convolutions take 1 only) and, for the transposed convolution,
// OutputPadding. Chapter 10 convolves with it by plain loops before calling layers.Conv2D and
// layers.ConvTranspose2D.
type Conv struct {
	Stride, Padding, Dilation, Groups, OutputPadding int
}

// String lists the settings that differ from PyTorch's defaults, e.g. "stride 2, padding 1", or
// "defaults".
func (o Conv) String() string {
	var parts []string
	for _, f := range []struct {
		name string
		v    int
		def  bool // the value is the default
	}{{"stride", o.Stride, o.Stride <= 1}, {"padding", o.Padding, o.Padding == 0}, {"dilation", o.Dilation, o.Dilation <= 1},
		{"groups", o.Groups, o.Groups <= 1}, {"output padding", o.OutputPadding, o.OutputPadding == 0}} {
		if !f.def {
			parts = append(parts, fmt.Sprintf("%s %d", f.name, f.v))
		}
	}
	if len(parts) == 0 {
		return "defaults"
	}
	return strings.Join(parts, ", ")
}

func orOne(v int) int {
	if v == 0 {
		return 1
	}
	return v
}

func (o Conv) check(where string) error {
	if o.Stride < 0 || o.Padding < 0 || o.Dilation < 0 || o.Groups < 0 || o.OutputPadding < 0 {
		return fmt.Errorf("byhand: %s: %+v: want no negative settings", where, o)
	}
	return nil
}

// OutSize is the number of positions of a kernel of size k along an axis of n pixels:
// ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1, PyTorch's formula for Conv2d. It fails where the dilated kernel
// is larger than the padded input.
func (o Conv) OutSize(n, k int) (int, error) {
	if err := o.check("OutSize"); err != nil {
		return 0, err
	}
	s, d := orOne(o.Stride), orOne(o.Dilation)
	room := n + 2*o.Padding - d*(k-1) - 1
	if k < 1 || room < 0 {
		return 0, fmt.Errorf("byhand: OutSize: kernel %d with dilation %d spans more than %d pixels padded by %d",
			k, d, n, o.Padding)
	}
	return room/s + 1, nil
}

// TransposedOutSize is the size along an axis of n pixels of a transposed convolution with a
// kernel of size k: (n − 1)s − 2p + d(k − 1) + outputPadding + 1, PyTorch's formula for
// ConvTranspose2d — the input size of the Conv2D it transposes, when OutputPadding picks it.
func (o Conv) TransposedOutSize(n, k int) (int, error) {
	if err := o.check("TransposedOutSize"); err != nil {
		return 0, err
	}
	s, d := orOne(o.Stride), orOne(o.Dilation)
	if o.OutputPadding >= max(s, d) {
		return 0, fmt.Errorf("byhand: TransposedOutSize: output padding %d, want less than the stride %d or the dilation %d",
			o.OutputPadding, s, d)
	}
	out := (n-1)*s - 2*o.Padding + d*(k-1) + o.OutputPadding + 1
	if n < 1 || k < 1 || out < 1 {
		return 0, fmt.Errorf("byhand: TransposedOutSize: %d pixels with kernel %d and padding %d leave %d",
			n, k, o.Padding, out)
	}
	return out, nil
}

// operands checks and unpacks x [B, H, W, C] and w [KH, KW, wc, O] (float32) and the bias (nil
// or O values).
func operands(where string, x, w *tensors.Tensor, bias []float32) (xd, wd [4]int, xv, wv []float32, err error) {
	for _, t := range []struct {
		name string
		t    *tensors.Tensor
		dims *[4]int
		vals *[]float32
	}{{"input", x, &xd, &xv}, {"weight", w, &wd, &wv}} {
		if t.t == nil || t.t.Rank() != 4 || t.t.DType() != dtypes.Float32 || t.t.Size() == 0 {
			return xd, wd, nil, nil, fmt.Errorf("byhand: %s: %s %v, want a non-empty float32 tensor of rank 4", where, t.name, t.t)
		}
		copy(t.dims[:], t.t.Shape().Dimensions)
		if *t.vals, err = tensors.CopyFlatData[float32](t.t); err != nil {
			return xd, wd, nil, nil, fmt.Errorf("byhand: %s: %s: %w", where, t.name, err)
		}
	}
	if bias != nil && len(bias) != wd[3] {
		return xd, wd, nil, nil, fmt.Errorf("byhand: %s: %d bias values for %d output channels", where, len(bias), wd[3])
	}
	return xd, wd, xv, wv, nil
}

// Conv2D convolves images x [batch, height, width, channels] with kernels w
// [kh, kw, channels/groups, out] (layers.Conv2D's layout) and adds bias (nil: none):
//
//	y[b, i, j, o] = bias[o] + Σ_{u, v, c} x[b, i·s − p + u·d, j·s − p + v·d, g·C/G + c] · w[u, v, c, o]
//
// where g = o / (out/G) is o's group and pixels outside the input are 0. Sums are in float64.
func Conv2D(x, w *tensors.Tensor, bias []float32, o Conv) (*tensors.Tensor, error) {
	xd, wd, xv, wv, err := operands("Conv2D", x, w, bias)
	if err != nil {
		return nil, err
	}
	if err := o.check("Conv2D"); err != nil {
		return nil, err
	}
	nb, h, wid, c := xd[0], xd[1], xd[2], xd[3]
	kh, kw, kc, out := wd[0], wd[1], wd[2], wd[3]
	groups := orOne(o.Groups)
	if c%groups != 0 || out%groups != 0 || kc != c/groups {
		return nil, fmt.Errorf("byhand: Conv2D: %d input channels, weight %v and %d groups: want channels and outputs "+
			"multiples of the groups and weight [kh, kw, channels/groups, out]", c, wd, groups)
	}
	oh, err := o.OutSize(h, kh)
	if err != nil {
		return nil, fmt.Errorf("byhand: Conv2D: height: %w", err)
	}
	ow, err := o.OutSize(wid, kw)
	if err != nil {
		return nil, fmt.Errorf("byhand: Conv2D: width: %w", err)
	}
	s, d, p := orOne(o.Stride), orOne(o.Dilation), o.Padding
	y := make([]float32, nb*oh*ow*out)
	for b := range nb {
		for i := range oh {
			for j := range ow {
				for oc := range out {
					g := oc / (out / groups)
					var sum float64
					if bias != nil {
						sum = float64(bias[oc])
					}
					for u := range kh {
						for v := range kw {
							row, col := i*s-p+u*d, j*s-p+v*d
							if row < 0 || row >= h || col < 0 || col >= wid {
								continue // a zero of the padding
							}
							for ci := range kc {
								xi := ((b*h+row)*wid+col)*c + g*kc + ci
								sum += float64(xv[xi]) * float64(wv[((u*kw+v)*kc+ci)*out+oc])
							}
						}
					}
					y[((b*oh+i)*ow+j)*out+oc] = float32(sum)
				}
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(y, nb, oh, ow, out), nil
}

// ConvTranspose2D is the transposed convolution of images x [batch, height, width, channels]
// with kernels w [kh, kw, channels, out] (layers.ConvTranspose2D's layout), plus bias (nil:
// none): every input pixel scatters its value times the kernel into the output,
//
//	y[b, i·s − p + u·d, j·s − p + v·d, o] += x[b, i, j, c] · w[u, v, c, o]
//
// dropping what falls outside the output (TransposedOutSize). Groups must be 0 or 1. Sums are in
// float64.
func ConvTranspose2D(x, w *tensors.Tensor, bias []float32, o Conv) (*tensors.Tensor, error) {
	xd, wd, xv, wv, err := operands("ConvTranspose2D", x, w, bias)
	if err != nil {
		return nil, err
	}
	if err := o.check("ConvTranspose2D"); err != nil {
		return nil, err
	}
	nb, h, wid, c := xd[0], xd[1], xd[2], xd[3]
	kh, kw, kc, out := wd[0], wd[1], wd[2], wd[3]
	if orOne(o.Groups) != 1 || kc != c {
		return nil, fmt.Errorf("byhand: ConvTranspose2D: %d input channels, weight %v, %d groups: want one group "+
			"and weight [kh, kw, channels, out]", c, wd, o.Groups)
	}
	oh, err := o.TransposedOutSize(h, kh)
	if err != nil {
		return nil, fmt.Errorf("byhand: ConvTranspose2D: height: %w", err)
	}
	ow, err := o.TransposedOutSize(wid, kw)
	if err != nil {
		return nil, fmt.Errorf("byhand: ConvTranspose2D: width: %w", err)
	}
	s, d, p := orOne(o.Stride), orOne(o.Dilation), o.Padding
	sum := make([]float64, nb*oh*ow*out)
	for b := range nb {
		for i := range h {
			for j := range wid {
				for u := range kh {
					for v := range kw {
						row, col := i*s-p+u*d, j*s-p+v*d
						if row < 0 || row >= oh || col < 0 || col >= ow {
							continue // cut off by the padding
						}
						for ci := range c {
							xval := float64(xv[((b*h+i)*wid+j)*c+ci])
							for oc := range out {
								sum[((b*oh+row)*ow+col)*out+oc] += xval * float64(wv[((u*kw+v)*c+ci)*out+oc])
							}
						}
					}
				}
			}
		}
	}
	y := make([]float32, len(sum))
	for i, v := range sum {
		if bias != nil {
			v += float64(bias[i%out])
		}
		y[i] = float32(v)
	}
	return tensors.FromFlatDataAndDimensions(y, nb, oh, ow, out), nil
}
