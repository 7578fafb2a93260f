// Package nin defines the Network-In-Network family (Lin, Chen & Yan, ICLR
// 2014) and the ablations that test its claims, as data (a list of layer
// specs per variant) plus one graph constructor. It also does exact
// parameter and multiply-add accounting from the same specs, so the numbers
// printed and the variables built can never disagree.
package nin

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// LayerKind says what a layer does.
type LayerKind string

const (
	// Conv is a spatial k x k convolution (with bias, then ReLU).
	KindConv LayerKind = "conv"
	// Pointwise is a 1x1 convolution: a dense layer applied at every pixel
	// (with bias, then ReLU unless it is the logits layer).
	KindPointwise LayerKind = "1x1"
	// MaxPool and AvgPool are 3x3 stride-2 pools in Caffe's ceil mode.
	KindMaxPool LayerKind = "maxpool"
	KindAvgPool LayerKind = "avgpool"
	// Dropout zeroes activations during training.
	KindDropout LayerKind = "dropout"
	// GAP is global average pooling over space: one score per map.
	KindGAP LayerKind = "gap"
	// Flatten turns [B,H,W,C] into [B,H*W*C] for an FC head.
	KindFlatten LayerKind = "flatten"
	// FC is a fully connected layer on flattened features.
	KindFC LayerKind = "fc"
)

// Layer is one layer of a variant.
type Layer struct {
	Name   string
	Kind   LayerKind
	K      int  // kernel size (Conv) or window (pools)
	Stride int  // pools
	Out    int  // output channels / units
	ReLU   bool // ReLU after the layer
	// Norm is batch norm after the layer, before its ReLU: Spec.BatchNorm
	// on every convolution except the class maps that GAP averages into
	// the logits (normalized class maps keep every logit within a few
	// units of the others, so the softmax cannot grow confident: on MNIST
	// one epoch ended at 36% validation accuracy, against 96% without
	// batch norm).
	Norm bool
}

// Arch is the expanded layer list of a variant for given Spec.
type Arch struct {
	Variant string
	Layers  []Layer
	// Maps names the layer whose output is the per-class confidence maps
	// (GAP models only), "" otherwise.
	Maps string
}

// Widths sets the channel counts of the three mlpconv blocks; each block is
// {spatial conv, 1x1, 1x1}. The last 1x1 of block 3 is replaced by the
// number of classes in GAP models.
type Widths [3][3]int

var (
	// CIFARWidths are the released NIN-CIFAR10 widths (Caffe model zoo).
	CIFARWidths = Widths{{192, 160, 96}, {192, 192, 192}, {192, 192, 192}}
	// DigitWidths are the digit-sized widths for 28x28x1 inputs: half of
	// CIFAR's everywhere, because one grey channel of centred digits needs
	// fewer features (the paper reports MNIST with "fewer feature maps" than
	// CIFAR without giving them), and a quarter of the multiply-adds makes
	// multi-seed experiments fit on a 2-core laptop.
	DigitWidths = Widths{{96, 80, 48}, {96, 96, 96}, {96, 96, 96}}
)

// variantInfo is a registry entry: the claim a variant exists to test and
// how to build its layers.
type variantInfo struct {
	claim string
	build func(o Spec, w Widths) []Layer
	head  string // "gap" or "fc"
}

var registry = map[string]variantInfo{
	// nin is the paper's network as released: three mlpconv blocks and a
	// GAP head. It is the reference for every claim.
	"nin": {"the reference NIN: mlpconv blocks + global average pooling", func(o Spec, w Widths) []Layer {
		return ninBody(o, w, false, true)
	}, "gap"},
	// nin-fc tests "GAP needs far fewer parameters than an FC head and
	// overfits less" (Table 5). Only the last layer differs from nin: nin's
	// final 1x1 conv (192 -> classes, weights shared across positions) +
	// GAP becomes one fully connected layer from the flattened 192 maps to
	// the classes (a separate weight per position). It also cannot take
	// other input sizes.
	"nin-fc": {"Table 5: the same mlpconv body with a fully connected head instead of GAP", func(o Spec, w Widths) []Layer {
		return append(ninBody(o, w, false, false), Layer{Name: "head_flatten", Kind: KindFlatten}, Layer{Name: "head_fc", Kind: KindFC, Out: o.Classes})
	}, "fc"},
	// nin-fc-dropout is nin-fc with dropout before the FC layer, Table 5's
	// "fc + dropout" row.
	"nin-fc-dropout": {"Table 5: FC head with dropout before it", func(o Spec, w Widths) []Layer {
		return append(ninBody(o, w, false, false), Layer{Name: "head_flatten", Kind: KindFlatten}, Layer{Name: "head_dropout", Kind: KindDropout}, Layer{Name: "head_fc", Kind: KindFC, Out: o.Classes})
	}, "fc"},
	// conv-gap tests "mlpconv beats a linear conv": the same spatial
	// convolutions, pools and dropout as nin with every 1x1 layer removed;
	// the last spatial conv maps straight to the classes. Use Width to match
	// nin's parameters or multiply-adds (see MatchWidth).
	"conv-gap": {"linear-conv baseline (no 1x1 layers) with a GAP head", func(o Spec, w Widths) []Layer {
		return convBody(o, w, true)
	}, "gap"},
	// conv-fc is the conventional CNN of §4.6: linear convs with an FC head.
	"conv-fc": {"linear-conv baseline with an FC head (the paper's conventional CNN)", func(o Spec, w Widths) []Layer {
		return append(convBody(o, w, false), Layer{Name: "head_flatten", Kind: KindFlatten}, Layer{Name: "head_fc", Kind: KindFC, Out: o.Classes})
	}, "fc"},
	// nin-bottleneck tests "1x1 bottlenecks cut FLOPs before 3x3/5x5
	// convolutions": nin with a 1x1 reduction to Bottleneck x input
	// channels before the spatial convs of blocks 2 and 3 (GoogLeNet's
	// reductions).
	"nin-bottleneck": {"nin with 1x1 reductions before the 5x5 and 3x3 convs of blocks 2-3", func(o Spec, w Widths) []Layer {
		return ninBody(o, w, true, true)
	}, "gap"},
}

// Variants lists the registered variant names, sorted.
func Variants() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Claim returns the claim a variant exists to test.
func Claim(variant string) string { return registry[variant].claim }

// HeadOf returns "gap" or "fc" for a variant.
func HeadOf(variant string) string { return registry[variant].head }

func lookup(variant string) (variantInfo, error) {
	v, ok := registry[variant]
	if !ok {
		return v, fmt.Errorf("unknown model variant %q: valid variants are %s", variant, strings.Join(Variants(), ", "))
	}
	return v, nil
}

func scaled(n int, f float64) int { return max(1, int(math.Round(float64(n)*f))) }

func pool(o Spec, block int) Layer {
	kind := KindMaxPool
	if block == 2 && o.Pool2 == "avg" {
		kind = KindAvgPool
	}
	return Layer{Name: fmt.Sprintf("b%d_pool", block), Kind: kind, K: 3, Stride: 2}
}

// ninBody builds the three mlpconv blocks. With gapHead the last 1x1 maps
// to the classes (with ReLU, as released); without it block 3 ends at its
// second 1x1 layer and an FC head follows.
func ninBody(o Spec, w Widths, bottleneck, gapHead bool) []Layer {
	kernels := [3]int{5, 5, 3}
	var ls []Layer
	in := o.InputC
	for b := 0; b < 3; b++ {
		if bottleneck && b > 0 {
			ls = append(ls, Layer{Name: fmt.Sprintf("b%d_reduce", b+1), Kind: KindPointwise, Out: scaled(in, o.Bottleneck), ReLU: true})
		}
		c := scaled(w[b][0], o.Width)
		ls = append(ls, Layer{Name: fmt.Sprintf("b%d_conv%dx%d", b+1, kernels[b], kernels[b]), Kind: KindConv, K: kernels[b], Out: c, ReLU: true})
		for j := 1; j < 3; j++ {
			out := scaled(w[b][j], o.Width)
			if b == 2 && j == 2 {
				if !gapHead {
					break
				}
				out = o.Classes
			}
			ls = append(ls, Layer{Name: fmt.Sprintf("b%d_mlp%d", b+1, j), Kind: KindPointwise, Out: out, ReLU: !(b == 2 && j == 2) || o.FinalReLU})
		}
		in = ls[len(ls)-1].Out
		if b < 2 {
			ls = append(ls, pool(o, b+1), Layer{Name: fmt.Sprintf("b%d_dropout", b+1), Kind: KindDropout})
		}
	}
	if gapHead {
		ls = append(ls, Layer{Name: "head_gap", Kind: KindGAP})
	}
	return ls
}

// convBody is ninBody without the 1x1 layers.
func convBody(o Spec, w Widths, gapHead bool) []Layer {
	kernels := [3]int{5, 5, 3}
	var ls []Layer
	for b := 0; b < 3; b++ {
		out := scaled(w[b][0], o.Width)
		relu := true
		if b == 2 && gapHead {
			out, relu = o.Classes, o.FinalReLU
		}
		ls = append(ls, Layer{Name: fmt.Sprintf("b%d_conv%dx%d", b+1, kernels[b], kernels[b]), Kind: KindConv, K: kernels[b], Out: out, ReLU: relu})
		if b < 2 {
			ls = append(ls, pool(o, b+1), Layer{Name: fmt.Sprintf("b%d_dropout", b+1), Kind: KindDropout})
		}
	}
	if gapHead {
		ls = append(ls, Layer{Name: "head_gap", Kind: KindGAP})
	}
	return ls
}

// Arch expands a variant's layers for the given options.
func (o Spec) Arch() (*Arch, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	v, _ := lookup(o.Variant)
	w := CIFARWidths
	if o.Widths == "digits" {
		w = DigitWidths
	}
	a := &Arch{Variant: o.Variant, Layers: v.build(o, w)}
	if v.head == "gap" {
		a.Maps = a.Layers[len(a.Layers)-2].Name
	}
	for i, l := range a.Layers {
		conv := l.Kind == KindConv || l.Kind == KindPointwise
		a.Layers[i].Norm = o.BatchNorm && conv && l.Name != a.Maps
	}
	return a, nil
}
