package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// strictList splits a comma-separated list, refusing empty items and an
// empty list.
func strictList(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			return nil, fmt.Errorf("%q: empty item in the list", s)
		}
		out = append(out, f)
	}
	return out, nil
}

// parseNames parses a non-empty list of names without duplicates.
func parseNames(s string) ([]string, error) {
	out, err := strictList(s)
	if err != nil {
		return nil, err
	}
	for i, n := range out {
		if slices.Contains(out[:i], n) {
			return nil, fmt.Errorf("%q is listed twice", n)
		}
	}
	return out, nil
}

func parseInts(s string) ([]int, error) {
	items, err := strictList(s)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, f := range items {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseUints(s string) ([]uint64, error) {
	items, err := parseNames(s)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, f := range items {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a non-negative integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// ParseSeeds parses a comma-separated seed list (for -seeds).
func ParseSeeds(s string) ([]uint64, error) { return parseUints(s) }

// ParseList parses a comma-separated list of names (for -datasets,
// -arms): no empty item, no name twice; "" is the empty list.
func ParseList(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	return parseNames(s)
}
