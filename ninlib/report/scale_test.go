package report

import (
	"strings"
	"testing"

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/runs"
)

// TestScaleSaysWhatDiffersFromThePaper: the scale line of a table names
// the settings a reader compares with the paper, batch norm (not in it)
// and the released ReLU on the class maps among them.
func TestScaleSaysWhatDiffersFromThePaper(t *testing.T) {
	for _, tc := range []struct {
		name            string
		batchNorm, relu bool
		want, wantNot   string
	}{
		{"paper's layers", false, false, "no ReLU on the class maps", "batch norm"},
		{"batch norm", true, false, "batch norm after every convolution but the class maps", "(as released)"},
		{"released ReLU", false, true, "a ReLU on the class maps of GAP heads (as released)", "batch norm"},
	} {
		c := config.Defaults()
		c.BatchNorm, c.FinalReLU = tc.batchNorm, tc.relu
		s := scaleOf(runs.Record{Config: c})
		if !strings.Contains(s, tc.want) || strings.Contains(s, tc.wantNot) {
			t.Errorf("%s: %q, want it to say %q and not %q", tc.name, s, tc.want, tc.wantNot)
		}
	}
}
