package main

import "testing"

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		file string
		bad  bool
	}{
		{"testdata/ok.ipynb", false},
		{"testdata/table.ipynb", false}, // "error: " inside a results table is content
		{"testdata/error.ipynb", true},
		{"testdata/shell.ipynb", true}, // nbconvert exits 0 on this one
		{"testdata/panic.ipynb", true},
		{"testdata/unexecuted.ipynb", true},
		{"testdata/figure.ipynb", false},        // a figure in a cell kept unscrolled
		{"testdata/figure-scrolls.ipynb", true}, // a figure the notebook may fold into a scroll box
	} {
		if got := len(check(tc.file)) > 0; got != tc.bad {
			t.Errorf("%s: problems found = %v, want %v (%v)", tc.file, got, tc.bad, check(tc.file))
		}
	}
}
