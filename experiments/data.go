package main

import (
	"fmt"
	"strings"

	"github.com/ninbench/nin/ninlib/datasets"
)

func cmdData(args []string) error {
	if len(args) != 2 || (args[0] != "fetch" && args[0] != "verify") {
		return fmt.Errorf("usage: experiments data fetch|verify NAME (datasets: %s)", strings.Join(datasets.Names(), ", "))
	}
	s, err := datasets.Lookup(args[1])
	if err != nil {
		return err
	}
	var dir string
	if args[0] == "fetch" {
		if dir, err = datasets.Fetch(s, func(f string, a ...any) { fmt.Printf(f+"\n", a...) }); err != nil {
			return err
		}
		fmt.Printf("%s is in %s\n", s.Name, dir)
	} else if dir, err = datasets.Locate(s); err != nil {
		return err
	}
	rep, err := datasets.Verify(s, dir)
	if err != nil {
		return err
	}
	fmt.Printf("%s: OK (%s)\n", s.Name, dir)
	for _, f := range rep.Files {
		fmt.Printf("  %-28s %-10s ok\n", f.Name, f.Checksum)
	}
	fmt.Printf("  train: %d records, per class %v\n", rep.Train, rep.TrainCounts)
	fmt.Printf("  test:  %d records, per class %v\n", rep.Test, rep.TestCounts)
	return nil
}
