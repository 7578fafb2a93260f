package plan

import (
	"fmt"
	"slices"
)

// ProbeKind is what experiment files know of a kind of probe; package
// probe declares the kinds, with everything else they do.
type ProbeKind struct {
	Name string
	// Params are the kind's experiment-file keys, each a list of integers,
	// with their defaults (nil: the key is required).
	Params map[string][]int
	// Check, if not nil, validates the parameters.
	Check func(params map[string][]int) error
}

var probeKinds = map[string]ProbeKind{}

// RegisterProbeKind makes a kind of probe known to experiment files
// ("kind = NAME" and its parameters). Package probe registers its kinds
// when it is imported.
func RegisterProbeKind(k ProbeKind) { probeKinds[k.Name] = k }

// isProbeParam reports whether key is a parameter of any kind of probe.
func isProbeParam(key string) bool {
	for _, k := range probeKinds {
		if _, ok := k.Params[key]; ok {
			return true
		}
	}
	return false
}

// setParams checks the probe parameters given against the plan's kind and
// fills in the kind's defaults.
func (p *Plan) setParams(given map[string][]int) error {
	kind, isProbe := probeKinds[p.Kind]
	for key := range given {
		if _, ok := kind.Params[key]; !ok {
			return fmt.Errorf("%s is not a parameter of a %s experiment", key, p.Kind)
		}
	}
	if !isProbe {
		return nil
	}
	p.Params = map[string][]int{}
	for key, def := range kind.Params {
		v, ok := given[key]
		if !ok {
			v = def
		}
		if v == nil {
			return fmt.Errorf("a %s probe needs \"%s = …\" (a list of integers)", p.Kind, key)
		}
		p.Params[key] = v
	}
	if kind.Check != nil {
		return kind.Check(p.Params)
	}
	return nil
}

func probeKindNames() []string {
	var names []string
	for n := range probeKinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
