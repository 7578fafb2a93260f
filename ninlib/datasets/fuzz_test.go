package datasets

import (
	"os"
	"path/filepath"
	"testing"
)

// The fuzz targets check that no byte sequence makes a parser panic. They
// run on their seed corpora (the fixtures) in every `go test`, and longer
// with `make fuzz` (scripts/fuzz.sh).

func addFixtures(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
}

func FuzzParseIDX(f *testing.F) {
	addFixtures(f, "images-idx3-ubyte", "images-idx3-ubyte.gz", "labels-idx1-ubyte", "labels-idx1-ubyte.gz")
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseIDX(b) })
}

func FuzzParseCIFAR(f *testing.F) {
	addFixtures(f, "cifar10_batch.bin", "cifar100_batch.bin")
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = ParseCIFAR(b, CIFAR10, nil, nil)
		_, _, _ = ParseCIFAR(b, CIFAR100, nil, nil)
	})
}

func FuzzParseSVHN(f *testing.F) {
	addFixtures(f, "svhn_small.mat", "svhn_small_z.mat")
	f.Fuzz(func(t *testing.T, b []byte) { _, _, _ = ParseSVHN(b) })
}
