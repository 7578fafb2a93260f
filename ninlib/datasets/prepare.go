package datasets

import (
	"fmt"
)

// Setup selects a dataset and how it is prepared for a run.
type Setup struct {
	// Name of the dataset in data/manifest.json.
	Name string `json:"dataset"`
	// Validation is the number of training records held out for
	// validation (the paper held out 10,000 for CIFAR-10).
	Validation int `json:"validation"`
	// Subset, if > 0, keeps only that many training records (after the
	// validation split) for quick runs; 0 keeps all.
	Subset int `json:"subset"`
	// TestSubset, if > 0, evaluates on only that many test records.
	TestSubset int `json:"test_subset"`
	// Preprocess is "standardize" (per-channel, training statistics) or
	// "gcn-zca" (the paper's CIFAR preprocessing) or "none".
	Preprocess string `json:"preprocess"`
	// SplitSeed fixes the validation split independently of the training seed,
	// so that all seeds of an experiment validate on the same images.
	SplitSeed uint64 `json:"split_seed"`
}

// Prepared holds the three splits of a run, preprocessed.
type Prepared struct {
	Train, Val, Test *Set
	Standardizer     *Standardizer
	// Provenance names the verified files the sets were read from (nil for
	// sets made in memory).
	Provenance *Provenance
}

// Prepare loads, splits, subsets and preprocesses a dataset.
func Prepare(o Setup) (*Prepared, error) {
	train, test, prov, err := Load(o.Name)
	if err != nil {
		return nil, err
	}
	p, err := PrepareSets(o, train, test)
	if err != nil {
		return nil, err
	}
	p.Provenance = prov
	return p, nil
}

// PrepareSets does Prepare's work on sets already in memory.
func PrepareSets(o Setup, train, test *Set) (*Prepared, error) {
	tr, val, err := Split(train, o.Validation, o.SplitSeed)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", o.Name, err)
	}
	tr = Subset(tr, o.Subset, o.SplitSeed)
	test = Subset(test, o.TestSubset, o.SplitSeed)
	p := &Prepared{Train: tr, Val: val, Test: test}
	switch o.Preprocess {
	case "", "standardize":
		p.Standardizer = FitStandardizer(tr)
		for _, s := range []*Set{tr, val, test} {
			p.Standardizer.Apply(s)
		}
	case "gcn-zca":
		for _, s := range []*Set{tr, val, test} {
			GlobalContrastNormalize(s, 55, 1e-8)
		}
		z, err := FitZCA(tr, 1e-2)
		if err != nil {
			return nil, err
		}
		for _, s := range []*Set{tr, val, test} {
			z.Apply(s)
		}
	case "none":
	default:
		return nil, fmt.Errorf("preprocess %q: expected standardize, gcn-zca or none", o.Preprocess)
	}
	return p, nil
}
