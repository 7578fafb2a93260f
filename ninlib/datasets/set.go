package datasets

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Set is an in-memory image dataset in NHWC layout.
type Set struct {
	Name       string
	X          []float32 // N*H*W*C values
	Labels     []int32
	N, H, W, C int
	Classes    int
}

// ImageSize is H*W*C.
func (s *Set) ImageSize() int { return s.H * s.W * s.C }

// Image returns the values of image i (a view, not a copy).
func (s *Set) Image(i int) []float32 { return s.X[i*s.ImageSize() : (i+1)*s.ImageSize()] }

// Grey returns image i with its channels averaged, [H*W]: how an image is
// drawn beside its maps.
func (s *Set) Grey(i int) []float32 {
	img := s.Image(i)
	out := make([]float32, s.H*s.W)
	for p := range out {
		var v float32
		for ch := 0; ch < s.C; ch++ {
			v += img[p*s.C+ch]
		}
		out[p] = v / float32(s.C)
	}
	return out
}

// ClassCounts returns the number of records of each class.
func (s *Set) ClassCounts() []int {
	c := make([]int, s.Classes)
	for _, l := range s.Labels {
		c[l]++
	}
	return c
}

// Select returns a new Set holding the records idx, in that order (copied).
func (s *Set) Select(idx []int) *Set {
	out := &Set{Name: s.Name, H: s.H, W: s.W, C: s.C, Classes: s.Classes, N: len(idx)}
	sz := s.ImageSize()
	out.X = make([]float32, len(idx)*sz)
	out.Labels = make([]int32, len(idx))
	for j, i := range idx {
		copy(out.X[j*sz:], s.Image(i))
		out.Labels[j] = s.Labels[i]
	}
	return out
}

// Split divides s into a training part and a held-out validation part of
// nVal records, chosen by a seeded permutation: the same seed always gives
// the same split. The paper held out 10,000 CIFAR-10 training images.
func Split(s *Set, nVal int, seed uint64) (train, val *Set, err error) {
	if nVal <= 0 || nVal >= s.N {
		return nil, nil, fmt.Errorf("validation size %d must be in 1..%d (the training set has %d records)", nVal, s.N-1, s.N)
	}
	perm := rand.New(rand.NewPCG(seed, 0x5eed5p1)).Perm(s.N)
	return s.Select(perm[nVal:]), s.Select(perm[:nVal]), nil
}

// Subset returns the first n records of a seeded permutation of s (all of s
// if n <= 0 or n >= s.N), for quick runs on a documented fraction.
func Subset(s *Set, n int, seed uint64) *Set {
	if n <= 0 || n >= s.N {
		return s
	}
	perm := rand.New(rand.NewPCG(seed, 0x50b5e7)).Perm(s.N)
	return s.Select(perm[:n])
}

// Load finds a dataset by name, verifies the content of its files
// (VerifyFiles: cached, so it costs nothing twice), reads and parses them,
// and returns its official training and test sets with pixel values
// scaled to [0, 1] and the files' provenance.
func Load(name string) (train, test *Set, p *Provenance, err error) {
	s, err := Lookup(name)
	if err != nil {
		return nil, nil, nil, err
	}
	dir, err := Locate(s)
	if err != nil {
		return nil, nil, nil, err
	}
	if p, err = VerifyFiles(s, dir); err != nil {
		return nil, nil, nil, err
	}
	train, test, err = LoadFrom(s, dir)
	return train, test, p, err
}

// LoadFrom reads a dataset's files from dir (no checksum check; see
// VerifyFiles) and returns its official training and test sets.
func LoadFrom(s *Spec, dir string) (train, test *Set, err error) {
	r := &reader{s: s, dir: dir, files: map[string][]FileSpec{}}
	for _, f := range s.Files {
		r.files[f.Role] = append(r.files[f.Role], f)
	}
	switch s.Format {
	case "idx":
		return loadSplits(r.idx)
	case "cifar10", "cifar100":
		return loadSplits(r.cifar)
	case "svhn":
		return loadSplits(r.svhn)
	}
	return nil, nil, fmt.Errorf("dataset %s: unknown format %q in data/manifest.json", s.Name, s.Format)
}

// reader reads the files of one dataset's split from a directory.
type reader struct {
	s     *Spec
	dir   string
	files map[string][]FileSpec // by role
}

// read reads one file, saying how to get it if it is missing.
func (r *reader) read(name string) ([]byte, error) {
	p := filepath.Join(r.dir, name)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w\n  fix: %s", p, err, howToGet(r.s))
	}
	return b, nil
}

// parseIDX reads and parses one IDX file.
func (r *reader) parseIDX(f FileSpec) (*IDX, error) {
	b, err := r.read(f.Name)
	if err != nil {
		return nil, err
	}
	x, err := ParseIDX(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w\n  fix: delete it and fetch it again", filepath.Join(r.dir, f.Name), err)
	}
	return x, nil
}

// idx reads split "train" or "test" of an IDX dataset (MNIST's format).
func (r *reader) idx(split string) (*Set, error) {
	s := r.s
	imgF, lblF := r.files[split+"-images"][0], r.files[split+"-labels"][0]
	img, err := r.parseIDX(imgF)
	if err != nil {
		return nil, err
	}
	lbl, err := r.parseIDX(lblF)
	if err != nil {
		return nil, err
	}
	if len(img.Dims) != 3 || img.Dims[1] != s.Shape[0] || img.Dims[2] != s.Shape[1] {
		return nil, fmt.Errorf("%s: image dims %v, expected Nx%dx%d", imgF.Name, img.Dims, s.Shape[0], s.Shape[1])
	}
	if len(lbl.Dims) != 1 || lbl.Dims[0] != img.Dims[0] {
		return nil, fmt.Errorf("%s: %v labels for %d images in %s", lblF.Name, lbl.Dims, img.Dims[0], imgF.Name)
	}
	if imgF.Records > 0 && img.Dims[0] != imgF.Records {
		return nil, fmt.Errorf("%s: %d records, expected %d", imgF.Name, img.Dims[0], imgF.Records)
	}
	labels := make([]int32, len(lbl.Data))
	for i, l := range lbl.Data {
		if int(l) >= s.NClasses() {
			return nil, fmt.Errorf("%s: label %d of record %d, expected 0..%d", lblF.Name, l, i, s.NClasses()-1)
		}
		labels[i] = int32(l)
	}
	return fromBytes(s, img.Data, labels), nil
}

// cifar reads the files of role "train" or "test" of a CIFAR dataset.
func (r *reader) cifar(role string) (*Set, error) {
	kind := CIFAR10
	if r.s.Format == "cifar100" {
		kind = CIFAR100
	}
	var pix []byte
	var labels []int32
	for _, f := range r.files[role] {
		b, err := r.read(f.Name)
		if err != nil {
			return nil, err
		}
		before := len(labels)
		if pix, labels, err = ParseCIFAR(b, kind, pix, labels); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(r.dir, f.Name), err)
		}
		if f.Records > 0 && len(labels)-before != f.Records {
			return nil, fmt.Errorf("%s: %d records, expected %d", f.Name, len(labels)-before, f.Records)
		}
	}
	return fromBytes(r.s, pix, labels), nil
}

// svhn reads the file of role "train" or "test" of SVHN.
func (r *reader) svhn(role string) (*Set, error) {
	f := r.files[role][0]
	b, err := r.read(f.Name)
	if err != nil {
		return nil, err
	}
	pix, labels, err := ParseSVHN(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(r.dir, f.Name), err)
	}
	return fromBytes(r.s, pix, labels), nil
}

// loadSplits loads the "train" and "test" splits with load.
func loadSplits(load func(split string) (*Set, error)) (train, test *Set, err error) {
	if train, err = load("train"); err != nil {
		return nil, nil, err
	}
	if test, err = load("test"); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

func fromBytes(s *Spec, pix []byte, labels []int32) *Set {
	set := &Set{Name: s.Name, H: s.Shape[0], W: s.Shape[1], C: s.Shape[2], Classes: s.NClasses(), N: len(labels), Labels: labels}
	set.X = make([]float32, len(pix))
	for i, p := range pix {
		set.X[i] = float32(p) / 255
	}
	return set
}
