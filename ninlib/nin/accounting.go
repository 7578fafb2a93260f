package nin

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ninbench/nin/ninlib/nin/internal/caffe"
)

// LayerCost is one row of a model summary.
type LayerCost struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Shape  [3]int `json:"shape"` // output H, W, C (H=W=1 after GAP/flatten/FC)
	Params int64  `json:"params"`
	MACs   int64  `json:"macs"` // multiply-adds of the weights, forward, per image
}

// Accounting is the per-layer accounting of a model.
type Accounting struct {
	Variant string      `json:"variant"`
	Input   [3]int      `json:"input"`
	Layers  []LayerCost `json:"layers"`
	Params  int64       `json:"params"`
	MACs    int64       `json:"macs"`
}

// FLOPs is twice the multiply-adds.
func (s *Accounting) FLOPs() int64 { return 2 * s.MACs }

// Account computes the per-layer output shapes, parameters and
// multiply-adds of a model for its input size.
func Account(o Spec) (*Accounting, error) {
	return AccountAt(o, o.InputH, o.InputW)
}

// AccountAt is Account for an input of h x w pixels (GAP models can be
// evaluated at sizes other than the one they were built for).
func AccountAt(o Spec, h, w int) (*Accounting, error) {
	a, err := o.Arch()
	if err != nil {
		return nil, err
	}
	if err := o.CheckInput(h, w, o.InputC); err != nil {
		return nil, err
	}
	s := &Accounting{Variant: o.Variant, Input: [3]int{h, w, o.InputC}}
	c := o.InputC
	for _, l := range a.Layers {
		var params, macs int64
		switch l.Kind {
		case KindConv:
			fan := int64(l.K * l.K * c)
			params = fan*int64(l.Out) + int64(l.Out)
			macs = fan * int64(l.Out) * int64(h*w)
			c = l.Out
		case KindPointwise:
			params = int64(c*l.Out + l.Out)
			macs = int64(c*l.Out) * int64(h*w)
			c = l.Out
		case KindMaxPool, KindAvgPool:
			h, w = caffe.PoolOut(h, l.K, l.Stride), caffe.PoolOut(w, l.K, l.Stride)
		case KindGAP:
			h, w = 1, 1
		case KindFlatten:
			c, h, w = h*w*c, 1, 1
		case KindFC:
			params = int64(c*l.Out + l.Out)
			macs = int64(c * l.Out)
			c = l.Out
		}
		if l.Norm {
			params += 2 * int64(l.Out) // scale and offset (running averages are not parameters)
		}
		s.Layers = append(s.Layers, LayerCost{Name: l.Name, Kind: string(l.Kind), Shape: [3]int{h, w, c}, Params: params, MACs: macs})
		s.Params += params
		s.MACs += macs
	}
	return s, nil
}

// Print writes the summary as an aligned text table.
func (s *Accounting) Print(out io.Writer) {
	tw := tabwriter.NewWriter(out, 0, 2, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "layer\tkind\toutput\tparams\tmult-adds\t\n")
	for _, l := range s.Layers {
		fmt.Fprintf(tw, "%s\t%s\t%dx%dx%d\t%s\t%s\t\n", l.Name, l.Kind, l.Shape[0], l.Shape[1], l.Shape[2], Commas(l.Params), Commas(l.MACs))
	}
	fmt.Fprintf(tw, "total\t\t%dx%dx%d in\t%s\t%s\t\n", s.Input[0], s.Input[1], s.Input[2], Commas(s.Params), Commas(s.MACs))
	tw.Flush()
}

// Commas formats n with thousands separators.
func Commas(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// MatchWidth finds the Width multiplier at which variant o costs about as
// much as target, by "params" or "macs", using bisection on the accounting.
func MatchWidth(o Spec, target *Accounting, by string) (float64, error) {
	cost := func(width float64) (int64, error) {
		o.Width = width
		s, err := Account(o)
		if err != nil {
			return 0, err
		}
		if by == "params" {
			return s.Params, nil
		}
		return s.MACs, nil
	}
	want := target.MACs
	switch by {
	case "params":
		want = target.Params
	case "macs", "flops":
	default:
		return 0, fmt.Errorf("match by %q: expected params or macs", by)
	}
	lo, hi := 0.05, 16.0
	for i := 0; i < 60; i++ {
		mid := (lo + hi) / 2
		c, err := cost(mid)
		if err != nil {
			return 0, err
		}
		if c < want {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2, nil
}

// ConvCost is the multiply-adds and parameters of a k x k "same"
// convolution from cin to cout channels on an h x w map (bias included in
// the parameters).
func ConvCost(h, w, cin, cout, k int) (macs, params int64) {
	fan := int64(k * k * cin)
	return fan * int64(cout) * int64(h*w), fan*int64(cout) + int64(cout)
}

// BottleneckCost compares a k x k convolution cin -> cout on an h x w map
// with the same convolution preceded by a 1x1 reduction to `reduce`
// channels (the seed article's example: 500x500x100 reduced to 20 channels
// before a 5x5 convolution). It returns the multiply-adds of both.
func BottleneckCost(h, w, cin, reduce, cout, k int) (direct, bottleneck int64) {
	direct, _ = ConvCost(h, w, cin, cout, k)
	r, _ := ConvCost(h, w, cin, reduce, 1)
	c, _ := ConvCost(h, w, reduce, cout, k)
	return direct, r + c
}
