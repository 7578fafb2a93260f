package datasets

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Fetch makes the dataset available locally and verifies it: MNIST through
// the Go module proxy, Fashion-MNIST from its Debian package directory if
// installed, everything else downloaded from the official site into
// DataDir()/<name>. It returns the directory holding the verified files.
func Fetch(s *Spec, logf func(string, ...any)) (string, error) {
	if dir, err := Locate(s); err == nil {
		return dir, nil
	}
	dst := filepath.Join(DataDir(), s.Name)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", fmt.Errorf("dataset %s: cannot create %s: %w (set $%s to a writable directory)", s.Name, dst, err, DataDirEnv)
	}
	if len(s.URLs) == 0 {
		return "", fmt.Errorf("dataset %s: no download URL in data/manifest.json", s.Name)
	}
	base := s.URLs[0]
	if s.Archive != nil {
		tmp := filepath.Join(dst, s.Archive.Name+".part")
		logf("downloading %s%s (%d bytes)", base, s.Archive.Name, s.Archive.Bytes)
		if err := download(base+s.Archive.Name, tmp); err != nil {
			return "", fmt.Errorf("dataset %s: %w", s.Name, err)
		}
		sum, n, err := md5File(tmp)
		if err != nil {
			return "", err
		}
		if sum != s.Archive.MD5 || n != s.Archive.Bytes {
			os.Remove(tmp)
			return "", fmt.Errorf("dataset %s: downloaded archive has md5 %s and %d bytes, expected %s and %d: download corrupt, try again", s.Name, sum, n, s.Archive.MD5, s.Archive.Bytes)
		}
		if err := extract(tmp, dst, s.Archive.Strip, s); err != nil {
			return "", fmt.Errorf("dataset %s: %w", s.Name, err)
		}
		os.Remove(tmp)
	} else {
		for _, f := range s.Files {
			logf("downloading %s%s", base, f.Name)
			tmp := filepath.Join(dst, f.Name+".part")
			if err := download(base+f.Name, tmp); err != nil {
				return "", fmt.Errorf("dataset %s: %w", s.Name, err)
			}
			b, err := os.ReadFile(tmp)
			if err != nil {
				return "", err
			}
			if _, err := checkSum(tmp, b, f); err != nil {
				os.Remove(tmp)
				return "", err
			}
			if err := os.Rename(tmp, filepath.Join(dst, f.Name)); err != nil {
				return "", err
			}
		}
	}
	if _, err := Verify(s, dst); err != nil {
		return "", err
	}
	return dst, nil
}

func download(url, path string) error {
	resp, err := http.Get(url)
	if err != nil {
		return fmt.Errorf("download %s: %w (no internet here? fetch on a machine with internet and copy the files into %s)", url, err, DataDir())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s: HTTP %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("download %s: %w", url, err)
	}
	return f.Close()
}

// extract unpacks the files named in the manifest from a .tar.gz archive,
// each written to a temporary name and renamed once complete.
func extract(archive, dst, strip string, s *Spec) error {
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
		name := strings.TrimPrefix(h.Name, strip)
		if !want[name] {
			continue
		}
		out := filepath.Join(dst, name)
		w, err := os.Create(out + ".part")
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, tr); err != nil {
			w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		if err := os.Rename(out+".part", out); err != nil {
			return err
		}
		delete(want, name)
	}
	if len(want) > 0 {
		return fmt.Errorf("%s: archive lacks %v", archive, want)
	}
	return nil
}
