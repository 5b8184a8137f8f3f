package detection

import (
	"fmt"
	"math"
)

// Coder turns a ground-truth box into the regression target (边界框回归) of R-CNN (Girshick et
// al. 2014, appendix C) relative to an anchor or proposal, and a predicted target back into a
// box, as torchvision's BoxCoder. With the anchor's centre (xa, ya) and size (wa, ha):
//
//	tx = wx·(x − xa)/wa   ty = wy·(y − ya)/ha   tw = ww·log(w/wa)   th = wh·log(h/ha)
//
// The weights scale the targets to a similar spread; Faster R-CNN uses (10, 10, 5, 5).
// Chapter 19 encodes and decodes boxes with it; chapters 21–23 train on its targets.
type Coder struct {
	Weights [4]float64 // wx, wy, ww, wh
	// Clip bounds tw and th before exp when decoding, so that a wild prediction cannot
	// overflow: log(1000/16), as torchvision.
	Clip float64
}

// DefaultCoder is the coder of Faster R-CNN and torchvision: weights (10, 10, 5, 5), clip
// log(1000/16).
func DefaultCoder() Coder {
	return Coder{Weights: [4]float64{10, 10, 5, 5}, Clip: math.Log(1000.0 / 16)}
}

// Encode returns the target (tx, ty, tw, th) that moves anchor onto gt; both must have a
// positive width and height.
func (c Coder) Encode(gt, anchor Box) ([4]float64, error) {
	for _, b := range [2]Box{gt, anchor} {
		if !b.Valid() || b.X2 <= b.X1 || b.Y2 <= b.Y1 {
			return [4]float64{}, fmt.Errorf("detection: Coder.Encode: box %v has no area", b)
		}
	}
	ax, ay, aw, ah := centre(anchor)
	gx, gy, gw, gh := centre(gt)
	w := c.Weights
	return [4]float64{
		w[0] * (gx - ax) / aw, w[1] * (gy - ay) / ah,
		w[2] * math.Log(gw/aw), w[3] * math.Log(gh/ah),
	}, nil
}

// Decode returns the box that target t makes of anchor: Encode's inverse, with tw and th
// clipped to Clip.
func (c Coder) Decode(t [4]float64, anchor Box) Box {
	ax, ay, aw, ah := centre(anchor)
	w := c.Weights
	dx, dy := t[0]/w[0], t[1]/w[1]
	dw, dh := min(t[2]/w[2], c.Clip), min(t[3]/w[3], c.Clip)
	cx, cy := dx*aw+ax, dy*ah+ay
	pw, ph := math.Exp(dw)*aw, math.Exp(dh)*ah
	return Box{cx - 0.5*pw, cy - 0.5*ph, cx + 0.5*pw, cy + 0.5*ph}
}

// centre is b's centre and size computed as torchvision's BoxCoder does, x1 + w/2 rather than
// (x1 + x2)/2, so that targets agree with torchvision's to the last bit more often.
func centre(b Box) (cx, cy, w, h float64) {
	w, h = b.X2-b.X1, b.Y2-b.Y1
	return b.X1 + 0.5*w, b.Y1 + 0.5*h, w, h
}
