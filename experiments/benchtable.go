package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ninbench/nin/ninlib/bench"
	"github.com/ninbench/nin/ninlib/repo"
)

// cmdBenchTable rewrites the README's peer table from a peer benchmark
// record (by default the newest complete one in results/bench).
func cmdBenchTable(args []string) error {
	fs := flag.NewFlagSet("benchtable", flag.ExitOnError)
	recordFlag := fs.String("record", "", "peer benchmark record (default: the newest complete one in results/bench)")
	readmeFlag := fs.String("readme", "", "Markdown file holding the table block (default: README.md of the checkout)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	root, err := repo.Root()
	if err != nil {
		return err
	}
	var rec *bench.Record
	if *recordFlag != "" {
		rec, err = bench.Read(*recordFlag)
	} else {
		rec, err = bench.Newest(filepath.Join(root, "results", "bench"))
	}
	if err != nil {
		return err
	}
	readme := *readmeFlag
	if readme == "" {
		readme = filepath.Join(root, "README.md")
	}
	doc, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	rel := rec.Path // named relative to the checkout in the README
	if abs, err := filepath.Abs(rec.Path); err == nil {
		if r, err := filepath.Rel(root, abs); err == nil {
			rel = r
		}
	}
	out, err := bench.Replace(string(doc), bench.Markdown(rec, filepath.ToSlash(rel)))
	if err != nil {
		return fmt.Errorf("%s: %w", readme, err)
	}
	if err := os.WriteFile(readme, []byte(out), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote the peer table of %s into %s\n", rel, readme)
	return nil
}
