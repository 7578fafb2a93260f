package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ninbench/nin/ninlib/bench"
	"github.com/ninbench/nin/ninlib/repo"
)

// cmdBenchTable rewrites the README's peer table from a peer benchmark
// record (by default the newest complete one of each kind of CPU in
// results/bench).
func cmdBenchTable(args []string) error {
	fs := flag.NewFlagSet("benchtable", flag.ExitOnError)
	recordFlag := fs.String("record", "", "peer benchmark record (default: the newest complete one of each kind of CPU, AVX-512 and AVX2-only, in results/bench)")
	readmeFlag := fs.String("readme", "", "Markdown file holding the table block (default: README.md of the checkout)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	root, err := repo.Root()
	if err != nil {
		return err
	}
	recs, err := benchRecords(root, *recordFlag)
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
	var tables, rels []string
	for _, rec := range recs {
		rel := relToRoot(root, rec.Path)
		tables, rels = append(tables, bench.Markdown(rec, rel)), append(rels, rel)
	}
	out, err := bench.Replace(string(doc), strings.Join(tables, "\n"))
	if err != nil {
		return fmt.Errorf("%s: %w", readme, err)
	}
	if err := os.WriteFile(readme, []byte(out), 0o644); err != nil {
		return err
	}
	for _, rel := range rels {
		fmt.Printf("wrote the peer table of %s into %s\n", rel, readme)
	}
	return nil
}

// benchRecords reads the record named by -record, or else the newest
// complete record of each kind of CPU.
func benchRecords(root, record string) ([]*bench.Record, error) {
	if record != "" {
		rec, err := bench.Read(record)
		if err != nil {
			return nil, err
		}
		return []*bench.Record{rec}, nil
	}
	return bench.NewestPerCPU(filepath.Join(root, "results", "bench"))
}

// relToRoot names path relative to the checkout, as the README does.
func relToRoot(root, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}
