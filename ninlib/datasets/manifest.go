// Package datasets loads, verifies and fetches the image datasets of the
// workbench (MNIST, Fashion-MNIST, CIFAR-10/100, SVHN), splits them with a
// seed, applies the paper's preprocessing and augmentation, and feeds
// batches to GoMLX's trainer with the next batch prepared in the background.
package datasets

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ninbench/nin/data"
)

// FileSpec describes one file of a dataset in the manifest.
type FileSpec struct {
	Role      string `json:"role"`
	Name      string `json:"name"`
	SHA256    string `json:"sha256,omitempty"`
	RawSHA256 string `json:"raw_sha256,omitempty"` // of the decompressed content
	MD5       string `json:"md5,omitempty"`
	Records   int    `json:"records"`
	Bytes     int64  `json:"bytes,omitempty"`
}

// Archive describes a downloadable archive holding the files.
type Archive struct {
	Name  string `json:"name"`
	MD5   string `json:"md5"`
	Bytes int64  `json:"bytes"`
	Strip string `json:"strip"`
}

// GoModule names a Go module whose folder holds the files.
type GoModule struct {
	Path, Version, Dir string
}

// Spec is one dataset of the manifest.
type Spec struct {
	Name          string     `json:"-"`
	Format        string     `json:"format"`
	Classes       []string   `json:"classes"`
	NumClasses    int        `json:"num_classes"`
	Shape         [3]int     `json:"shape"`
	GoModule      *GoModule  `json:"gomodule"`
	SystemDir     string     `json:"system_dir"`
	SystemPackage string     `json:"system_package"`
	URLs          []string   `json:"urls"`
	Archive       *Archive   `json:"archive"`
	Files         []FileSpec `json:"files"`
}

// NClasses is the number of classes.
func (s *Spec) NClasses() int {
	if len(s.Classes) > 0 {
		return len(s.Classes)
	}
	return s.NumClasses
}

type manifest struct {
	Datasets map[string]*Spec `json:"datasets"`
}

func loadManifest() (*manifest, error) {
	var m manifest
	if err := json.Unmarshal(data.Manifest, &m); err != nil {
		return nil, fmt.Errorf("data/manifest.json: %w", err)
	}
	for name, s := range m.Datasets {
		s.Name = name
	}
	return &m, nil
}

// Names lists the datasets known to the manifest, sorted.
func Names() []string {
	m, err := loadManifest()
	if err != nil {
		return nil
	}
	var names []string
	for n := range m.Datasets {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Lookup returns the manifest entry of a dataset, or an error listing the
// valid names.
func Lookup(name string) (*Spec, error) {
	m, err := loadManifest()
	if err != nil {
		return nil, err
	}
	s, ok := m.Datasets[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("unknown dataset %q: valid names are %s", name, strings.Join(Names(), ", "))
	}
	return s, nil
}

// DataDirEnv names the environment variable holding the download directory.
const DataDirEnv = "NIN_DATA_DIR"

// DataDir is where downloaded datasets live: $NIN_DATA_DIR, else
// ~/.cache/nin-workbench/data.
func DataDir() string {
	if d := os.Getenv(DataDirEnv); d != "" {
		return d
	}
	if c, err := os.UserCacheDir(); err == nil {
		return filepath.Join(c, "nin-workbench", "data")
	}
	return filepath.Join(os.TempDir(), "nin-workbench-data")
}
