package datasets

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// FileReport is the result of checking one file.
type FileReport struct {
	Name     string `json:"name"`
	Checksum string `json:"checksum"` // "sha256", "raw-sha256", "md5" or "size"
	Records  int    `json:"records"`
}

// Report is what Verify found.
type Report struct {
	Dataset     string       `json:"dataset"`
	Dir         string       `json:"dir"`
	Files       []FileReport `json:"files"`
	Train, Test int          // record counts
	TrainCounts []int        // per class
	TestCounts  []int
}

// Verify checks the content of every file of the dataset in dir against
// its checksum (VerifyFiles), parses them (format, labels, record counts)
// and counts records per class.
func Verify(s *Spec, dir string) (*Report, error) {
	rep := &Report{Dataset: s.Name, Dir: dir}
	p, err := VerifyFiles(s, dir)
	if err != nil {
		return nil, err
	}
	for i, f := range p.Files {
		rep.Files = append(rep.Files, FileReport{Name: f.Name, Checksum: f.Kind, Records: s.Files[i].Records})
	}
	train, test, err := LoadFrom(s, dir)
	if err != nil {
		return nil, err
	}
	rep.Train, rep.Test = train.N, test.N
	rep.TrainCounts, rep.TestCounts = train.ClassCounts(), test.ClassCounts()
	return rep, nil
}

// checkSum verifies one downloaded file's bytes against its manifest entry.
func checkSum(path string, b []byte, f FileSpec) (string, error) {
	switch {
	case f.SHA256 != "":
		if got := sha256Hex(b); got != f.SHA256 {
			return "", checksumError(path, "sha256", f.SHA256, got)
		}
		return "sha256", nil
	case f.RawSHA256 != "":
		raw, err := gunzipIfNeeded(b)
		if err != nil {
			return "", fmt.Errorf("%s: %w\n  fix: delete the file and fetch it again", path, err)
		}
		if got := sha256Hex(raw); got != f.RawSHA256 {
			return "", checksumError(path, "sha256 of the decompressed content", f.RawSHA256, got)
		}
		return "raw-sha256", nil
	case f.MD5 != "":
		sum := md5.Sum(b)
		if got := hex.EncodeToString(sum[:]); got != f.MD5 {
			return "", checksumError(path, "md5", f.MD5, got)
		}
		return "md5", nil
	case f.Bytes > 0:
		if int64(len(b)) != f.Bytes {
			return "", fmt.Errorf("%s: size %d bytes, expected %d (truncated or corrupt)\n  fix: delete it and run `experiments data fetch`", path, len(b), f.Bytes)
		}
		return "size", nil
	}
	return "none", nil
}

func checksumError(path, kind, want, got string) error {
	return fmt.Errorf("%s: wrong %s: expected %s, got %s (file corrupt, truncated or a different version)\n  fix: delete it and run `experiments data fetch`, or reinstall its package", path, kind, want, got)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func md5File(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := md5.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
