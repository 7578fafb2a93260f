package datasets

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// ExtractedSums is the file, beside files extracted from an archive, that
// holds their sha256 (sha256sum's format), computed from an archive whose
// published md5 matched. The extracted files of CIFAR have no published
// checksum of their own: this file is how their content is verified.
const ExtractedSums = "SHA256SUMS"

// VerifiedFile is one dataset file whose content matched its checksum.
type VerifiedFile struct {
	Name string `json:"name"`
	// Kind is how it was checked: "sha256", "raw-sha256" (of the
	// decompressed content), "md5" (published), or "extracted-sha256"
	// (against ExtractedSums).
	Kind   string `json:"checksum"`
	Digest string `json:"digest"`
}

// Provenance names the files a run read and their verified checksums: it
// goes into the run's record.
type Provenance struct {
	Dataset string         `json:"dataset"`
	Dir     string         `json:"dir"`
	Files   []VerifiedFile `json:"files"`
}

// VerifyFiles checks the content of every file of the dataset in dir
// against its checksum: the manifest's, or for extracted files the sums
// recorded at extraction (recorded now from the archive if it is in dir).
// Digests are cached by path, size and modification time, so a file is
// hashed once, not once per run.
func VerifyFiles(s *Spec, dir string) (*Provenance, error) {
	p := &Provenance{Dataset: s.Name, Dir: dir}
	cacheMu.Lock()
	defer cacheMu.Unlock()
	cache := loadDigestCache()
	defer cache.save()
	var extracted map[string]string
	for _, f := range s.Files {
		path := filepath.Join(dir, f.Name)
		kind, want := expected(f)
		if kind == "extracted-sha256" {
			if extracted == nil {
				var err error
				if extracted, err = extractedSums(s, dir); err != nil {
					return nil, err
				}
			}
			want = extracted[f.Name]
		}
		got, err := cache.digest(path, kind)
		if err != nil {
			return nil, fmt.Errorf("%s: %w\n  fix: %s", path, err, howToGet(s))
		}
		if got != want {
			return nil, checksumError(path, kind, want, got)
		}
		p.Files = append(p.Files, VerifiedFile{Name: f.Name, Kind: kind, Digest: got})
	}
	return p, nil
}

// expected returns how a file is checked and the manifest's digest.
func expected(f FileSpec) (kind, digest string) {
	switch {
	case f.SHA256 != "":
		return "sha256", f.SHA256
	case f.RawSHA256 != "":
		return "raw-sha256", f.RawSHA256
	case f.MD5 != "":
		return "md5", f.MD5
	}
	return "extracted-sha256", ""
}

// digest computes a file's digest of the given kind.
func digest(path, kind string) (string, error) {
	switch kind {
	case "raw-sha256":
		b, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		raw, err := gunzipIfNeeded(b)
		if err != nil {
			return "", err
		}
		return sha256Hex(raw), nil
	case "md5":
		sum, _, err := md5File(path)
		return sum, err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// extractedSums reads dir's ExtractedSums; if it is missing and the
// dataset's archive is in dir, it verifies the archive's md5 and records
// the sums from it first.
func extractedSums(s *Spec, dir string) (map[string]string, error) {
	path := filepath.Join(dir, ExtractedSums)
	sums, err := readSums(path)
	if err == nil {
		return sums, nil
	}
	if s.Archive == nil {
		return nil, fmt.Errorf("dataset %s: no checksum is known for its files in %s", s.Name, dir)
	}
	archive := filepath.Join(dir, s.Archive.Name)
	if _, serr := os.Stat(archive); serr != nil {
		return nil, fmt.Errorf("dataset %s: the files in %s have no recorded checksums (%s is missing: they were not extracted by `experiments data fetch`), so their content cannot be verified\n  fix: put the archive %s (md5 %s) in %s and run `experiments data verify %s`, which checks it and records the checksums; or delete the files and run `experiments data fetch %s`",
			s.Name, dir, ExtractedSums, s.Archive.Name, s.Archive.MD5, dir, s.Name, s.Name)
	}
	if err := checkArchive(s, archive); err != nil {
		return nil, err
	}
	if sums, err = archiveSums(archive, s); err != nil {
		return nil, err
	}
	return sums, writeSums(path, sums)
}

// checkArchive verifies an archive's size and published md5.
func checkArchive(s *Spec, archive string) error {
	sum, n, err := md5File(archive)
	if err != nil {
		return err
	}
	if sum != s.Archive.MD5 || n != s.Archive.Bytes {
		return fmt.Errorf("%s: md5 %s and %d bytes, expected %s and %d (corrupt or a different version)\n  fix: delete it and run `experiments data fetch %s`", archive, sum, n, s.Archive.MD5, s.Archive.Bytes, s.Name)
	}
	return nil
}

// archiveSums computes the sha256 of each of the dataset's files inside a
// .tar.gz archive.
func archiveSums(archive string, s *Spec) (map[string]string, error) {
	sums := map[string]string{}
	err := walkArchive(archive, s, func(name string, r io.Reader) error {
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			return err
		}
		sums[name] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	return sums, err
}

// walkArchive calls fn with the content of each of the dataset's files in
// a .tar.gz archive (names with the archive's Strip prefix removed), and
// fails if one is missing.
func walkArchive(archive string, s *Spec, fn func(name string, r io.Reader) error) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", archive, err)
	}
	want := map[string]bool{}
	for _, fs := range s.Files {
		want[fs.Name] = true
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
		name := strings.TrimPrefix(h.Name, s.Archive.Strip)
		if !want[name] {
			continue
		}
		if err := fn(name, tr); err != nil {
			return fmt.Errorf("%s: %s: %w", archive, name, err)
		}
		delete(want, name)
	}
	if len(want) > 0 {
		missing := slices.Sorted(func(yield func(string) bool) {
			for n := range want {
				if !yield(n) {
					return
				}
			}
		})
		return fmt.Errorf("%s: archive lacks %s", archive, strings.Join(missing, ", "))
	}
	return nil
}

func readSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		digest, name, ok := strings.Cut(sc.Text(), "  ")
		if ok {
			sums[strings.TrimSpace(name)] = strings.TrimSpace(digest)
		}
	}
	return sums, sc.Err()
}

func writeSums(path string, sums map[string]string) error {
	var b strings.Builder
	for _, n := range slices.Sorted(func(yield func(string) bool) {
		for n := range sums {
			if !yield(n) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "%s  %s\n", sums[n], n)
	}
	tmp := path + ".part"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// digestCache maps path|size|mtime|kind to a file's digest, kept in the
// user's cache folder (best effort: without it every run hashes its files
// again). VerifyFiles loads it once and saves it once, if it learned
// something.
type digestCache struct {
	file    string
	entries map[string]string
	changed bool
}

var cacheMu sync.Mutex // one load-verify-save at a time in a process

func loadDigestCache() *digestCache {
	c := &digestCache{entries: map[string]string{}}
	if d, err := os.UserCacheDir(); err == nil {
		c.file = filepath.Join(d, "nin-workbench", "checksums.json")
		if b, err := os.ReadFile(c.file); err == nil {
			_ = json.Unmarshal(b, &c.entries)
		}
	}
	return c
}

// digest returns path's digest of the given kind, from the cache when the
// file's size and modification time are those it was hashed at.
func (c *digestCache) digest(path, kind string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	abs, _ := filepath.Abs(path)
	key := fmt.Sprintf("%s|%d|%d|%s", abs, fi.Size(), fi.ModTime().UnixNano(), kind)
	if d, ok := c.entries[key]; ok {
		return d, nil
	}
	d, err := digest(path, kind)
	if err != nil {
		return "", err
	}
	c.entries[key], c.changed = d, true
	return d, nil
}

// save writes the cache back if it changed (atomically; errors ignored).
func (c *digestCache) save() {
	if !c.changed || c.file == "" || os.MkdirAll(filepath.Dir(c.file), 0o755) != nil {
		return
	}
	if b, err := json.Marshal(c.entries); err == nil {
		tmp := fmt.Sprintf("%s.%d.part", c.file, os.Getpid())
		if os.WriteFile(tmp, b, 0o644) == nil {
			_ = os.Rename(tmp, c.file)
		}
	}
}
