package repo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRootFrom: the checkout is found from its root and any folder below
// it; a go.mod of another module is not it; outside, the error says what
// to do.
func TestRootFrom(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{root, filepath.Join(root, "experiments"), filepath.Join(root, "ninlib", "repo")} {
		if got, err := RootFrom(dir); err != nil || got != root {
			t.Errorf("RootFrom(%s) = %q, %v; want %s", dir, got, err, root)
		}
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644)
	if _, err := RootFrom(other); err == nil || !strings.Contains(err.Error(), "-experiments and -results") {
		t.Errorf("another module's folder: %v", err)
	}
	if got, err := Dir("/x/results", "results"); err != nil || got != "/x/results" {
		t.Errorf("Dir with a flag value: %q, %v", got, err)
	}
}
