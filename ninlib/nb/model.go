package nb

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ninbench/nin/ninlib/backend"
	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/nin"
	"github.com/ninbench/nin/ninlib/plots"
)

// ShowModel shows the model of one arm of an experiment on its first
// dataset, as the experiment file configures it: its layers with their
// output shapes, parameters and multiply-adds (the accounting), its
// hyperparameters, and one forward pass, with freshly initialized weights,
// on the dataset's first test image.
func ShowModel(experiment, arm string) error {
	p, _, err := Load(experiment)
	if err != nil {
		return err
	}
	var c config.Config
	found := false
	for _, a := range p.Arms {
		if a.Name == arm && a.From == "" {
			if c, err = p.Config(a, p.Datasets[0], p.Seeds[0], ""); err != nil {
				return err
			}
			found = true
		}
	}
	if !found {
		return fmt.Errorf("experiment %s trains no arm %q", experiment, arm)
	}
	acc, err := nin.Account(c.Spec)
	if err != nil {
		return err
	}
	ShowMarkdown(accountingMarkdown(arm, acc, &c))
	return forwardPass(&c)
}

// accountingMarkdown is the model's layers and hyperparameters as Markdown.
func accountingMarkdown(arm string, a *nin.Accounting, c *config.Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (%s): %s parameters, %s multiply-adds per %dx%dx%d image. %s.\n\n", arm, a.Variant,
		nin.Commas(a.Params), nin.Commas(a.MACs), a.Input[0], a.Input[1], a.Input[2], nin.Claim(c.Variant))
	b.WriteString("| layer | kind | output (H×W×C) | parameters | multiply-adds |\n|---|---|---|---|---|\n")
	for _, l := range a.Layers {
		fmt.Fprintf(&b, "| %s | %s | %d×%d×%d | %s | %s |\n", l.Name, l.Kind, l.Shape[0], l.Shape[1], l.Shape[2], nin.Commas(l.Params), nin.Commas(l.MACs))
	}
	fmt.Fprintf(&b, "\nTraining: %s, lr %g, %s schedule, batch %d, %d epochs, %s init, dropout %g, on %s (%s training images, %d held out for validation).\n",
		c.Optimizer, c.LR, c.Schedule, c.BatchSize, c.Epochs, c.Init, c.Dropout, c.Setup.Name, subsetText(c.Subset), c.Validation)
	return b.String()
}

func subsetText(n int) string {
	if n == 0 {
		return "all"
	}
	return nin.Commas(int64(n))
}

// forwardPass runs the model, freshly initialized, on the first test image
// of its dataset and shows the image and the shapes and values it gives.
func forwardPass(c *config.Config) error {
	data, err := datasets.Prepare(c.Setup)
	if err != nil {
		return err
	}
	be, err := backend.Open(c.Backend)
	if err != nil {
		return err
	}
	t := data.Test
	img := tensors.FromFlatDataAndDimensions(append([]float32(nil), t.Image(0)...), 1, t.H, t.W, t.C)
	logits, maps, err := nin.Infer(be, model.NewStore(), c.Spec, img)
	if err != nil {
		return err
	}
	grid := plots.Grid{Cells: [][][]float32{{t.Grey(0)}}, H: []int{t.H}, W: []int{t.W}, Zoom: 4}
	if png, err := grid.PNG(); err == nil {
		ShowPNG(png, fmt.Sprintf("the first %s test image (label %d), standardized", c.Setup.Name, t.Labels[0]))
	}
	fmt.Printf("one forward pass, untrained weights: images %v -> ", img.Shape().Dimensions)
	if maps != nil {
		fmt.Printf("class maps %v (one %dx%d map per class) -> average -> ", maps.Shape().Dimensions, maps.Shape().Dimensions[1], maps.Shape().Dimensions[2])
	}
	fmt.Printf("logits %v = %.3f\n", logits.Shape().Dimensions, tensors.MustCopyFlatData[float32](logits))
	return nil
}
