package report

import (
	"encoding/csv"
	"math"
	"strconv"
	"strings"
)

// CSV renders rows as summary.csv.
func CSV(rows []*Row) []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"experiment", "dataset", "arm", "variant", "completed", "seeds", "test_error_pct_mean", "test_error_pct_std",
		"val_error_pct_mean", "val_error_pct_std", "params", "mult_adds", "epochs", "wall_seconds_mean", "backend", "diverged", "interrupted", "runs", "command"})
	for _, r := range rows {
		var seeds []string
		for _, s := range r.Seeds {
			seeds = append(seeds, strconv.FormatUint(s, 10))
		}
		_ = w.Write([]string{r.Experiment, r.Dataset, r.Arm, r.Variant, strconv.Itoa(r.Completed), strings.Join(seeds, " "),
			f4(r.TestErr.Mean), f4(r.TestErr.Std), f4(r.ValErr.Mean), f4(r.ValErr.Std),
			strconv.FormatInt(r.Params, 10), strconv.FormatInt(r.MACs, 10), strconv.Itoa(r.Epochs), f4(r.WallMean),
			r.Backend, strconv.Itoa(r.Diverged), strconv.Itoa(r.Interrupted), strings.Join(r.RunIDs, " "), r.Command})
	}
	w.Flush()
	return []byte(b.String())
}

func f4(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}
