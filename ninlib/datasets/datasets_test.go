package datasets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pix is the fixture's pixel formula (see scripts/make-fixtures.py).
func pix(i, r, c, ch int) byte { return byte((i*7 + r*3 + c*5 + ch*11) % 256) }

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseIDX(t *testing.T) {
	for _, name := range []string{"images-idx3-ubyte", "images-idx3-ubyte.gz"} {
		idx, err := ParseIDX(fixture(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(idx.Dims) != 3 || idx.Dims[0] != 5 || idx.Dims[1] != 28 || idx.Dims[2] != 28 {
			t.Fatalf("%s: dims %v", name, idx.Dims)
		}
		if got := idx.Data[3*784+10*28+4]; got != pix(3, 10, 4, 0) {
			t.Errorf("%s: pixel (3,10,4) = %d, want %d", name, got, pix(3, 10, 4, 0))
		}
	}
	raw := fixture(t, "images-idx3-ubyte")
	gz := fixture(t, "images-idx3-ubyte.gz")
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", raw[:len(raw)-10], "truncated"},
		{"too short", raw[:3], "too short"},
		{"bad magic", append([]byte{1, 2, 8, 3}, raw[4:]...), "magic"},
		{"float type", append([]byte{0, 0, 0x0d, 3}, raw[4:]...), "element type"},
		{"truncated gzip", gz[:len(gz)/2], "gzip"},
		{"extra bytes", append(append([]byte{}, raw...), 1, 2, 3), "file has"},
	} {
		if _, err := ParseIDX(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestParseCIFAR(t *testing.T) {
	for _, tc := range []struct {
		file   string
		kind   CIFARKind
		n      int
		labels []int32
	}{
		{"cifar10_batch.bin", CIFAR10, 4, []int32{0, 1, 2, 3}},
		{"cifar100_batch.bin", CIFAR100, 3, []int32{0, 1, 2}},
	} {
		p, labels, err := ParseCIFAR(fixture(t, tc.file), tc.kind, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if len(labels) != tc.n || len(p) != tc.n*3072 {
			t.Fatalf("%s: %d labels, %d bytes", tc.file, len(labels), len(p))
		}
		for i, l := range tc.labels {
			if labels[i] != l {
				t.Errorf("%s: label %d = %d, want %d", tc.file, i, labels[i], l)
			}
		}
		// HWC after conversion from the file's CHW.
		i, r, c, ch := tc.n-1, 17, 9, 2
		if got := p[i*3072+(r*32+c)*3+ch]; got != pix(i, r, c, ch) {
			t.Errorf("%s: pixel = %d, want %d", tc.file, got, pix(i, r, c, ch))
		}
	}
	b := fixture(t, "cifar10_batch.bin")
	if _, _, err := ParseCIFAR(b[:len(b)-1], CIFAR10, nil, nil); err == nil || !strings.Contains(err.Error(), "record size") {
		t.Errorf("truncated CIFAR: %v", err)
	}
	if _, _, err := ParseCIFAR(fixture(t, "cifar100_batch.bin"), CIFAR10, nil, nil); err == nil {
		t.Errorf("CIFAR-100 file parsed as CIFAR-10 without error")
	}
	bad := append([]byte{}, b...)
	bad[0] = 12
	if _, _, err := ParseCIFAR(bad, CIFAR10, nil, nil); err == nil || !strings.Contains(err.Error(), "label 12") {
		t.Errorf("bad label: %v", err)
	}
}

func TestParseSVHN(t *testing.T) {
	for _, name := range []string{"svhn_small.mat", "svhn_small_z.mat"} {
		p, labels, err := ParseSVHN(fixture(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := []int32{0, 1, 2, 9} // 10 means zero
		for i := range want {
			if labels[i] != want[i] {
				t.Errorf("%s: labels %v, want %v", name, labels, want)
				break
			}
		}
		i, r, c, ch := 2, 5, 30, 1
		if got := p[i*3072+(r*32+c)*3+ch]; got != pix(i, r, c, ch) {
			t.Errorf("%s: pixel = %d, want %d", name, got, pix(i, r, c, ch))
		}
	}
	b := fixture(t, "svhn_small.mat")
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", b[:len(b)/2], "truncated"},
		{"not MAT", bytes.Repeat([]byte{'x'}, 200), "MATLAB 5.0"},
		{"short", b[:50], "128-byte"},
		{"compressed truncated", fixture(t, "svhn_small_z.mat")[:600], "MAT"},
	} {
		if _, _, err := ParseSVHN(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", tc.name, err, tc.want)
		}
	}
}

func testSet(n, h, w, c int) *Set {
	s := &Set{N: n, H: h, W: w, C: c, Classes: 3, X: make([]float32, n*h*w*c), Labels: make([]int32, n)}
	for i := range s.X {
		s.X[i] = float32(i%13) / 13
	}
	for i := range s.Labels {
		s.Labels[i] = int32(i % 3)
	}
	return s
}

func TestSplitIsSeededAndDisjoint(t *testing.T) {
	s := testSet(50, 2, 2, 1)
	for i := range s.Labels {
		s.X[i*4] = float32(i) // identify each record by its first value
	}
	tr, va, err := Split(s, 10, 7)
	if err != nil {
		t.Fatal(err)
	}
	tr2, va2, _ := Split(s, 10, 7)
	_, va3, _ := Split(s, 10, 8)
	if tr.N != 40 || va.N != 10 {
		t.Fatalf("split sizes %d/%d", tr.N, va.N)
	}
	seen := map[float32]bool{}
	for i := 0; i < tr.N; i++ {
		seen[tr.Image(i)[0]] = true
	}
	same := true
	for i := 0; i < va.N; i++ {
		if seen[va.Image(i)[0]] {
			t.Errorf("record %v in both splits", va.Image(i)[0])
		}
		if va.Image(i)[0] != va2.Image(i)[0] || tr.Image(i)[0] != tr2.Image(i)[0] {
			t.Errorf("same seed, different split")
		}
		same = same && va.Image(i)[0] == va3.Image(i)[0]
	}
	if same {
		t.Errorf("different seeds gave the same validation split")
	}
	if _, _, err := Split(s, 50, 1); err == nil {
		t.Errorf("a validation split of the whole set was accepted")
	}
}

func TestStandardizer(t *testing.T) {
	s := &Set{N: 2, H: 1, W: 2, C: 2, X: []float32{1, 10, 3, 10, 5, 20, 7, 20}}
	st := FitStandardizer(s)
	// channel 0: 1,3,5,7 mean 4 std sqrt(5); channel 1: 10,10,20,20 mean 15 std 5
	if math.Abs(float64(st.Mean[0])-4) > 1e-6 || math.Abs(float64(st.Std[0])-math.Sqrt(5)) > 1e-6 || st.Mean[1] != 15 || st.Std[1] != 5 {
		t.Fatalf("stats %+v", st)
	}
	st.Apply(s)
	if math.Abs(float64(s.X[1])+1) > 1e-6 || math.Abs(float64(s.X[6])-3/math.Sqrt(5)) > 1e-6 {
		t.Errorf("standardized %v", s.X)
	}
}

func TestTranslateAndFlip(t *testing.T) {
	// 3x3 single-channel image 1..9.
	src := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	dst := make([]float32, 9)
	Translate(dst, src, 3, 3, 1, 1, -1, 0) // down 1, left 1
	want := []float32{0, 0, 0, 2, 3, 0, 5, 6, 0}
	for i := range want {
		if dst[i] != want[i] {
			t.Fatalf("translate: %v, want %v", dst, want)
		}
	}
	img := []float32{1, 10, 2, 20, 3, 30} // 1x3, 2 channels
	FlipHorizontal(img, 1, 3, 2)
	if img[0] != 3 || img[1] != 30 || img[4] != 1 || img[5] != 10 {
		t.Errorf("flip: %v", img)
	}
}

func TestGCNAndZCA(t *testing.T) {
	s := testSet(40, 2, 2, 2)
	for i := range s.X {
		s.X[i] = float32(math.Sin(float64(i)*1.7) + float64(i%5))
	}
	GlobalContrastNormalize(s, 1, 1e-8)
	for i := 0; i < s.N; i++ {
		var m, ss float64
		for _, v := range s.Image(i) {
			m += float64(v)
		}
		m /= 8
		for _, v := range s.Image(i) {
			ss += (float64(v) - m) * (float64(v) - m)
		}
		// Zero mean and unit per-pixel std, then scaled by 1/sqrt(D).
		if math.Abs(m) > 1e-5 || math.Abs(math.Sqrt(ss/8)*math.Sqrt(8)-1) > 1e-4 {
			t.Fatalf("GCN image %d: mean %g std*sqrt(D) %g", i, m, math.Sqrt(ss/8)*math.Sqrt(8))
		}
	}
}

func TestZCAWhitens(t *testing.T) {
	// Correlated features: x = A z for independent pseudo-random z.
	s := testSet(400, 2, 2, 2)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < s.N; i++ {
		z := make([]float64, 8)
		for k := range z {
			z[k] = r.NormFloat64() * float64(k+1)
		}
		img := s.Image(i)
		for j := range img {
			img[j] = float32(z[j] + 0.5*z[(j+1)%8] + 3)
		}
	}
	z, err := FitZCA(s, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	z.Apply(s)
	d := s.ImageSize()
	for a := 0; a < d; a++ {
		for b := 0; b < d; b++ {
			var cov float64
			for i := 0; i < s.N; i++ {
				cov += float64(s.Image(i)[a]) * float64(s.Image(i)[b])
			}
			cov /= float64(s.N)
			want := 0.0
			if a == b {
				want = 1
			}
			if math.Abs(cov-want) > 1e-3 {
				t.Errorf("whitened cov[%d][%d] = %.4f, want %v", a, b, cov, want)
			}
		}
	}
}

func TestBatchesDeterministicAndComplete(t *testing.T) {
	s := testSet(10, 4, 4, 1)
	for i := range s.Labels {
		s.Labels[i] = int32(i)
	}
	s.Classes = 10
	b := NewBatches("t", s, 4)
	b.Shuffle, b.Seed = true, 3
	b.Augment = Augment{MaxShift: 1}
	epoch := func(e int) []int32 {
		b.Epoch = e
		var got []int32
		for batch, err := range b.Iter() {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, batch.Labels[0].Value().([][]int32)[0][0])
			v := batch.Labels[0].Value().([][]int32)
			for _, r := range v[1:] {
				got = append(got, r[0])
			}
		}
		return got
	}
	a, a2, c := epoch(0), epoch(0), epoch(1)
	if len(a) != 10 {
		t.Fatalf("epoch has %d records, want 10 (last partial batch kept)", len(a))
	}
	seen := map[int32]bool{}
	for i := range a {
		seen[a[i]] = true
		if a[i] != a2[i] {
			t.Errorf("same epoch, different order: %v vs %v", a, a2)
			break
		}
	}
	if len(seen) != 10 {
		t.Errorf("epoch misses records: %v", a)
	}
	if slicesEqual(a, c) {
		t.Errorf("epochs 0 and 1 have the same order %v", a)
	}
	b.DropLast = true
	if n := len(epoch(0)); n != 8 {
		t.Errorf("drop-last epoch has %d records, want 8", n)
	}
}

func slicesEqual(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestVerifyDetectsCorruptCopy(t *testing.T) {
	s, err := Lookup("mnist")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := Locate(s)
	if err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	if _, err := Verify(s, dir); err != nil {
		t.Fatalf("verify the real MNIST: %v", err)
	}
	// A copy with one flipped byte, one truncated file, one missing file.
	for _, tc := range []struct {
		name string
		mut  func(dir string)
		want string
	}{
		{"flipped byte", func(d string) { flip(t, filepath.Join(d, "t10k-labels-idx1-ubyte.gz")) }, "wrong sha256"},
		{"truncated", func(d string) { truncate(t, filepath.Join(d, "train-labels-idx1-ubyte.gz")) }, "wrong sha256"},
		{"missing", func(d string) { os.Remove(filepath.Join(d, "t10k-images-idx3-ubyte.gz")) }, "no such file"},
	} {
		cp := t.TempDir()
		for _, f := range s.Files {
			b, _ := os.ReadFile(filepath.Join(dir, f.Name))
			os.WriteFile(filepath.Join(cp, f.Name), b, 0o644)
		}
		tc.mut(cp)
		_, err := Verify(s, cp)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "fix:") {
			t.Errorf("%s: got %v, want an error with %q and a fix", tc.name, err, tc.want)
		}
	}
}

func flip(t *testing.T, p string) {
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 0xff
	os.WriteFile(p, b, 0o644)
}

func truncate(t *testing.T, p string) {
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)-100], 0o644)
}

func TestUnknownDatasetListsValid(t *testing.T) {
	_, err := Lookup("imagenet")
	if err == nil || !strings.Contains(err.Error(), "cifar10") || !strings.Contains(err.Error(), "fashion-mnist") {
		t.Errorf("got %v", err)
	}
}

func TestMissingDatasetSaysHowToFetch(t *testing.T) {
	t.Setenv(DataDirEnv, t.TempDir())
	s, _ := Lookup("cifar10")
	_, err := Locate(s)
	if err == nil || !strings.Contains(err.Error(), "data fetch cifar10") {
		t.Errorf("got %v", err)
	}
}

// cifarArchive writes a tiny CIFAR-10-shaped dataset as a .tar.gz archive
// (two files of two records each, under a folder the spec strips) and
// returns its spec, with the archive's real md5 and size.
func cifarArchive(t *testing.T, dir string) *Spec {
	t.Helper()
	s := &Spec{Name: "tiny-cifar", Format: "cifar10", Shape: [3]int{32, 32, 3}, NumClasses: 10,
		Archive: &Archive{Name: "tiny.tar.gz", Strip: "tiny/"}}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for i, name := range []string{"data_batch_1.bin", "test_batch.bin"} {
		rec := make([]byte, 2*3073)
		rec[0], rec[3073] = byte(i+1), byte(i+2)
		for j := 1; j < 3073; j++ {
			rec[j] = byte(j)
		}
		tw.WriteHeader(&tar.Header{Name: "tiny/" + name, Mode: 0o644, Size: int64(len(rec))})
		tw.Write(rec)
		role := "train"
		if i == 1 {
			role = "test"
		}
		s.Files = append(s.Files, FileSpec{Role: role, Name: name, Records: 2, Bytes: int64(len(rec))})
	}
	tw.Close()
	zw.Close()
	path := filepath.Join(dir, s.Archive.Name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Archive.MD5, s.Archive.Bytes, _ = md5File(path)
	return s
}

// TestVerifyExtractedContent: files extracted from an archive are checked
// by content, not size. Files of the right size with other bytes fail;
// files with no recorded checksums and no archive to take them from fail
// with a fix; the archive, when present, is checked and gives the sums.
func TestVerifyExtractedContent(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	src := t.TempDir()
	s := cifarArchive(t, src)
	extracted := t.TempDir()
	if err := extract(filepath.Join(src, s.Archive.Name), extracted, s); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(s, extracted); err != nil {
		t.Fatalf("freshly extracted files: %v", err)
	}
	copyFiles := func(withSums, withArchive bool) string {
		d := t.TempDir()
		for _, f := range s.Files {
			b, _ := os.ReadFile(filepath.Join(extracted, f.Name))
			os.WriteFile(filepath.Join(d, f.Name), b, 0o644)
		}
		if withSums {
			b, _ := os.ReadFile(filepath.Join(extracted, ExtractedSums))
			os.WriteFile(filepath.Join(d, ExtractedSums), b, 0o644)
		}
		if withArchive {
			b, _ := os.ReadFile(filepath.Join(src, s.Archive.Name))
			os.WriteFile(filepath.Join(d, s.Archive.Name), b, 0o644)
		}
		return d
	}
	for _, tc := range []struct {
		name          string
		sums, archive bool
		mut           func(d string)
		want          string // "" = passes
	}{
		{"sums recorded at extraction", true, false, nil, ""},
		{"same size, other bytes", true, false, func(d string) { flip(t, filepath.Join(d, "test_batch.bin")) }, "wrong extracted-sha256"},
		{"no sums, no archive", false, false, nil, "cannot be verified"},
		{"no sums, archive present", false, true, nil, ""},
		{"no sums, archive present, other bytes", false, true, func(d string) { flip(t, filepath.Join(d, "data_batch_1.bin")) }, "wrong extracted-sha256"},
		{"no sums, corrupt archive", false, true, func(d string) { flip(t, filepath.Join(d, s.Archive.Name)) }, "md5"},
	} {
		d := copyFiles(tc.sums, tc.archive)
		if tc.mut != nil {
			tc.mut(d)
		}
		_, err := Verify(s, d)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "fix:")):
			t.Errorf("%s: got %v, want an error with %q and a fix", tc.name, err, tc.want)
		}
		if tc.want == "" && tc.archive {
			if _, err := os.Stat(filepath.Join(d, ExtractedSums)); err != nil {
				t.Errorf("%s: the sums taken from the archive were not recorded: %v", tc.name, err)
			}
		}
	}
}

// TestLoadVerifiesContent: Load, which every run uses, refuses a dataset
// whose files do not match their checksums, and returns the provenance of
// those that do.
func TestLoadVerifiesContent(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	s, _ := Lookup("mnist")
	dir, err := Locate(s)
	if err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	data := t.TempDir()
	t.Setenv(DataDirEnv, data)
	cp := filepath.Join(data, "mnist")
	os.MkdirAll(cp, 0o755)
	for _, f := range s.Files {
		b, _ := os.ReadFile(filepath.Join(dir, f.Name))
		os.WriteFile(filepath.Join(cp, f.Name), b, 0o644)
	}
	if _, _, p, err := Load("mnist"); err != nil || p.Dir != cp || len(p.Files) != 4 {
		t.Fatalf("a good copy: %v, provenance %+v", err, p)
	}
	flip(t, filepath.Join(cp, "train-labels-idx1-ubyte.gz"))
	if _, _, _, err := Load("mnist"); err == nil || !strings.Contains(err.Error(), "wrong sha256") {
		t.Errorf("a corrupt copy: got %v, want a checksum error", err)
	}
}

// TestGrey: an image's channels averaged per pixel.
func TestGrey(t *testing.T) {
	s := &Set{N: 2, H: 1, W: 2, C: 3, X: []float32{0, 0, 0, 3, 6, 9, 1, 2, 3, 4, 5, 6}}
	if got := s.Grey(1); len(got) != 2 || got[0] != 2 || got[1] != 5 {
		t.Errorf("Grey(1) = %v, want [2 5]", got)
	}
}
