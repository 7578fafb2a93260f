package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
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
		if err := checkArchive(s, tmp); err != nil {
			os.Remove(tmp)
			return "", fmt.Errorf("dataset %s: download corrupt, try again: %w", s.Name, err)
		}
		if err := extract(tmp, dst, s); err != nil {
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
// each written to a temporary name and renamed once complete, and records
// their sha256 in ExtractedSums (the archive's md5 was checked before).
func extract(archive, dst string, s *Spec) error {
	sums := map[string]string{}
	err := walkArchive(archive, s, func(name string, r io.Reader) error {
		out := filepath.Join(dst, name)
		w, err := os.Create(out + ".part")
		if err != nil {
			return err
		}
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(w, h), r); err != nil {
			w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		sums[name] = hex.EncodeToString(h.Sum(nil))
		return os.Rename(out+".part", out)
	})
	if err != nil {
		return err
	}
	return writeSums(filepath.Join(dst, ExtractedSums), sums)
}
