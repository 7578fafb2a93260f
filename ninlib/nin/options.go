package nin

import (
	"fmt"
	"strings"
)

// Spec configure a model. Defaults returns the paper's values.
type Spec struct {
	// Variant names the architecture (see Variants).
	Variant string `json:"model"`
	// Widths picks the channel counts: "cifar" (released NIN) or "digits"
	// (half width for 28x28x1 inputs, see DigitWidths).
	Widths string `json:"widths"`
	// Width multiplies every hidden channel count (not the classes): to
	// shrink a model for a laptop, or to match a baseline's cost to nin's.
	Width float64 `json:"width"`
	// InputH, InputW, InputC give the image size the model is built for;
	// FC heads accept only this size, GAP heads any size.
	InputH int `json:"input_h"`
	InputW int `json:"input_w"`
	InputC int `json:"input_c"`
	// Classes is the number of output classes.
	Classes int `json:"classes"`
	// Dropout is the rate of the dropout layers after blocks 1 and 2 (and
	// before FC in nin-fc-dropout); the paper uses 0.5.
	Dropout float64 `json:"dropout"`
	// Init is "gauss" (the paper's N(0, InitStd)) or "he" (He et al.,
	// which trains deep ReLU stacks without hand-tuned std).
	Init string `json:"init"`
	// InitStd is the standard deviation of the "gauss" initialization; the
	// released model uses 0.05.
	InitStd float64 `json:"init_std"`
	// BatchNorm adds batch normalization after every conv before its ReLU,
	// except the class maps of a GAP head (Layer.Norm); off in this Spec's
	// defaults, the paper's NIN (the workbench's main job turns it on).
	BatchNorm bool `json:"batch_norm"`
	// Pool2 is the kind of block 2's pool: "avg" as in the Caffe model zoo
	// release, or "max" as in the author's cuda-convnet config.
	Pool2 string `json:"pool2"`
	// Bottleneck is the reduction ratio of nin-bottleneck's 1x1 layers
	// (output channels = ratio x input channels).
	Bottleneck float64 `json:"bottleneck"`
	// FinalReLU keeps the ReLU after the last 1x1 layer of GAP models (the
	// class maps), as released. Without it the maps (and logits) can be
	// negative, and a class map that ReLU zeroed everywhere cannot come back.
	FinalReLU bool `json:"final_relu"`
	// ConvImpl is how convolutions are computed: "auto" (on the Go backend
	// planes, or patches with batch norm; native elsewhere), "planes"
	// (channel-major activations, every convolution one matmul whose
	// gradients need no large transpose; see planes.go), "patches"
	// (channels-last, k x k patches + one matmul), or "native" (GoMLX's
	// ConvGeneral). All compute the same function with the same variables.
	ConvImpl string `json:"conv_impl"`
	// Split builds the graph as this many independent sub-graphs over
	// slices of each batch (sharing the weights), so that the Go backend
	// runs them concurrently; 0 = auto (2 with the planes or patches
	// formulation and batches of 16 or more), 1 = never. Batch norm takes
	// its statistics over all the slices together, as over the whole
	// batch. It changes only how the work is scheduled (and which dropout
	// masks are drawn).
	Split int `json:"split,omitempty"`
}

// Defaults returns the released NIN-CIFAR10 configuration.
func Defaults() Spec {
	return Spec{
		Variant: "nin", Widths: "cifar", Width: 1,
		InputH: 32, InputW: 32, InputC: 3, Classes: 10,
		Dropout: 0.5, Init: "gauss", InitStd: 0.05,
		Pool2: "avg", Bottleneck: 0.5, FinalReLU: true, ConvImpl: "auto",
	}
}

// Validate checks every option and names the one that is wrong.
func (o Spec) Validate() error {
	if _, err := lookup(o.Variant); err != nil {
		return err
	}
	var errs []string
	bad := func(key string, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if o.Widths != "cifar" && o.Widths != "digits" {
		bad("widths", "%q, expected \"cifar\" or \"digits\"", o.Widths)
	}
	if !(o.Width > 0 && o.Width <= 16) {
		bad("width", "%v, expected a multiplier in (0, 16]", o.Width)
	}
	if o.InputH < 1 || o.InputW < 1 || o.InputC < 1 {
		bad("input", "%dx%dx%d, expected positive sizes", o.InputH, o.InputW, o.InputC)
	} else if o.InputH < 7 || o.InputW < 7 {
		bad("input", "%dx%d is too small: two stride-2 pools need at least 7x7", o.InputH, o.InputW)
	}
	if o.Classes < 2 {
		bad("classes", "%d, expected at least 2", o.Classes)
	}
	if !(o.Dropout >= 0 && o.Dropout < 1) {
		bad("dropout", "%v, expected a rate in [0, 1)", o.Dropout)
	}
	if o.Init != "gauss" && o.Init != "he" {
		bad("init", "%q, expected \"gauss\" or \"he\"", o.Init)
	}
	if o.Init == "gauss" && !(o.InitStd > 0) {
		bad("init_std", "%v, expected > 0", o.InitStd)
	}
	if o.Pool2 != "avg" && o.Pool2 != "max" {
		bad("pool2", "%q, expected \"avg\" or \"max\"", o.Pool2)
	}
	if !(o.Bottleneck > 0 && o.Bottleneck <= 1) {
		bad("bottleneck", "%v, expected a ratio in (0, 1]", o.Bottleneck)
	}
	if !(o.Split >= 0 && o.Split <= 64) {
		bad("split", "%d, expected 0 (auto), 1 (never) or up to 64 parts", o.Split)
	}
	switch o.ConvImpl {
	case "auto", "planes", "patches", "native":
	default:
		bad("conv_impl", "%q, expected auto, planes, patches or native", o.ConvImpl)
	}
	if len(errs) > 0 {
		return fmt.Errorf("model options: %s", strings.Join(errs, "; "))
	}
	return nil
}

// CheckInput returns an error if a model built with o cannot take images of
// size h x w x c: FC heads need exactly the size they were built for, GAP
// heads need the channels to match and at least 7x7 pixels.
func (o Spec) CheckInput(h, w, c int) error {
	if c != o.InputC {
		return fmt.Errorf("model %s takes %d input channels, got %dx%dx%d", o.Variant, o.InputC, h, w, c)
	}
	if HeadOf(o.Variant) == "fc" && (h != o.InputH || w != o.InputW) {
		return fmt.Errorf("model %s has a fully connected head built for %dx%d inputs and cannot take %dx%d: "+
			"resize the images to %dx%d, or use a GAP variant (nin, conv-gap, nin-bottleneck), which accepts any size",
			o.Variant, o.InputH, o.InputW, h, w, o.InputH, o.InputW)
	}
	if h < 7 || w < 7 {
		return fmt.Errorf("model %s: input %dx%d is too small: two stride-2 pools need at least 7x7", o.Variant, h, w)
	}
	return nil
}
