// Command nbcheck fails if any executed notebook has a broken cell: an
// error output, a Go panic or compile error, or a failed shell line (GoNB
// prints a shell command's failure as ordinary output and nbconvert exits 0
// on it, so this is the check that catches it). It also fails a cell that
// draws a figure without the metadata "scrolled": false: the classic
// notebook folds a tall output into a small scroll box, which hides the
// figures of a committed notebook behind a scroll bar.
//
//	go run ./scripts/nbcheck notebooks/*.ipynb
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type notebook struct {
	Cells []struct {
		CellType string            `json:"cell_type"`
		Source   json.RawMessage   `json:"source"`
		Outputs  []json.RawMessage `json:"outputs"`
		Metadata struct {
			Scrolled *bool `json:"scrolled"`
		} `json:"metadata"`
	} `json:"cells"`
}

type output struct {
	OutputType string          `json:"output_type"`
	Name       string          `json:"name"`
	Text       json.RawMessage `json:"text"`
	Ename      string          `json:"ename"`
	Evalue     string          `json:"evalue"`
	Data       map[string]json.RawMessage
}

// badMarkers are texts that only appear in an output when something failed.
var badMarkers = []string{
	"panic:", "exit status", "failed to run", "Error:", "error: ", "cannot find package", "undefined:",
	"no required module", "command not found", "go: ", "[ERROR]",
}

// text returns a JSON string or list of strings as one string.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var l []string
	_ = json.Unmarshal(raw, &l)
	return strings.Join(l, "")
}

// isFigure reports whether an output shows an image.
func isFigure(o output) bool {
	_, png := o.Data["image/png"]
	_, svg := o.Data["image/svg+xml"]
	return png || svg
}

func check(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}
	}
	var nb notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return []string{fmt.Sprintf("not a notebook: %v", err)}
	}
	var problems []string
	executed := 0
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		if len(c.Outputs) > 0 {
			executed++
		}
		figure := false
		for _, raw := range c.Outputs {
			var o output
			if err := json.Unmarshal(raw, &o); err != nil {
				continue
			}
			figure = figure || isFigure(o)
			if o.OutputType == "error" {
				problems = append(problems, fmt.Sprintf("cell %d: error output %s: %s", i, o.Ename, o.Evalue))
				continue
			}
			if _, ok := o.Data["text/markdown"]; ok {
				continue // content (results tables, prose), not a failure report
			}
			var body string
			if o.OutputType == "stream" {
				body = text(o.Text)
			} else if h, ok := o.Data["text/html"]; ok {
				body = text(h)
			} else if t, ok := o.Data["text/plain"]; ok {
				body = text(t)
			}
			for _, m := range badMarkers {
				if strings.Contains(body, m) && !(m == "go: " && strings.Contains(body, "go: downloading")) && !(m == "go: " && strings.Contains(body, "go: added")) {
					line := body[strings.Index(body, m):]
					if j := strings.IndexByte(line, '\n'); j > 0 {
						line = line[:j]
					}
					problems = append(problems, fmt.Sprintf("cell %d: %q", i, line))
					break
				}
			}
		}
		if figure && (c.Metadata.Scrolled == nil || *c.Metadata.Scrolled) {
			problems = append(problems, fmt.Sprintf(`cell %d: draws a figure but may be folded into a scroll box: set the cell's metadata "scrolled": false`, i))
		}
	}
	if executed == 0 {
		problems = append(problems, "no cell has any output: was it executed?")
	}
	return problems
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: nbcheck NOTEBOOK.ipynb...")
		os.Exit(2)
	}
	failed := false
	for _, p := range os.Args[1:] {
		probs := check(p)
		if len(probs) == 0 {
			fmt.Printf("ok   %s\n", p)
			continue
		}
		failed = true
		for _, pr := range probs {
			fmt.Printf("FAIL %s: %s\n", p, pr)
		}
	}
	if failed {
		os.Exit(1)
	}
}
