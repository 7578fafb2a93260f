package plan

import (
	"fmt"
	"strings"
)

// Sweep returns an in-memory plan whose arms are the cartesian product of
// a grid "key=v1,v2;key2=w1,w2" of settings (applied after base), for
// hyperparameter sweeps. Arm names spell their settings ("lr=0.001+width=0.5").
func Sweep(name, base, grid string, datasets []string, seeds []uint64) (*Plan, error) {
	p := &Plan{Name: name, Kind: "train", Datasets: datasets, Seeds: seeds, Base: base,
		Claim: "hyperparameter sweep over " + grid}
	arms := []Arm{{}}
	keys := map[string]bool{}
	for _, axis := range strings.Split(grid, ";") {
		axis = strings.TrimSpace(axis)
		if axis == "" {
			continue
		}
		k, vals, ok := strings.Cut(axis, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.TrimSpace(vals) == "" {
			return nil, fmt.Errorf("-grid %q: expected key=v1,v2;key2=w1,...", axis)
		}
		if keys[k] {
			return nil, fmt.Errorf("-grid: %s is given twice: list all its values once (%s=a,b)", k, k)
		}
		keys[k] = true
		values, err := parseNames(vals)
		if err != nil {
			return nil, fmt.Errorf("-grid %s: %w", k, err)
		}
		var next []Arm
		for _, a := range arms {
			for _, v := range values {
				kv := k + "=" + v
				n := kv
				if a.Name != "" {
					n = a.Name + "+" + kv
				}
				next = append(next, Arm{Name: n, Set: strings.TrimPrefix(a.Set+";"+kv, ";")})
			}
		}
		arms = next
	}
	if len(arms) == 1 && arms[0].Name == "" {
		return nil, fmt.Errorf("-grid is empty: give at least one key=v1,v2")
	}
	p.Arms = arms
	for _, a := range arms {
		if strings.ContainsAny(a.Name, " /") {
			return nil, fmt.Errorf("sweep value in %q: no spaces or slashes", a.Name)
		}
		for _, ds := range datasets {
			if _, err := p.Config(a, ds, seeds[0], ""); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}
