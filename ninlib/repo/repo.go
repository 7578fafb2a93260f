// Package repo finds the workbench's checkout, so that every command gives
// the same answer from any folder inside it: the experiment files, the
// results directory and the git commit recorded with each run are those of
// the checkout, not of the working directory.
package repo

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Module is the Go module path of the workbench.
const Module = "github.com/ninbench/nin"

// Root returns the checkout holding the working directory: the nearest
// folder at or above it whose go.mod declares Module. Outside a checkout
// it returns an error that says what to do.
func Root() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return RootFrom(wd)
}

// RootFrom is Root starting from dir.
func RootFrom(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if moduleOf(filepath.Join(d, "go.mod")) == Module {
			return d, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("%s is not inside the NIN workbench's checkout (no go.mod of module %s at or above it): run from inside the repository, or name the folders with -experiments and -results", dir, Module)
}

// moduleOf returns the module path declared by a go.mod file ("" if none).
func moduleOf(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	return ""
}

// Dir returns flagValue if it is set, else the folder name under the
// checkout's root (name "experiments" or "results").
func Dir(flagValue, name string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, name), nil
}

// SourceDir is the folder whose git state describes the running code: the
// checkout's root, or the working directory outside one.
func SourceDir() string {
	if root, err := Root(); err == nil {
		return root
	}
	return "."
}
