package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
)

// gunzipIfNeeded returns the decompressed content of b if b starts with the
// gzip magic number, else b itself.
func gunzipIfNeeded(b []byte) ([]byte, error) {
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("gzip header: %w", err)
	}
	out, err := io.ReadAll(bufio.NewReader(zr))
	if err != nil {
		return nil, fmt.Errorf("gzip stream is truncated or corrupt: %w", err)
	}
	return out, nil
}

// IDX holds a parsed IDX file (the MNIST/Fashion-MNIST format): unsigned
// bytes with the given dimensions (first dimension = records).
type IDX struct {
	Dims []int
	Data []byte
}

// ParseIDX parses an IDX file of unsigned bytes (type 0x08), gzipped or not.
// It checks the magic number, the number of dimensions and that the payload
// size matches the header exactly.
func ParseIDX(raw []byte) (*IDX, error) {
	b, err := gunzipIfNeeded(raw)
	if err != nil {
		return nil, err
	}
	if len(b) < 4 {
		return nil, fmt.Errorf("IDX: file has %d bytes, too short for the 4-byte magic number", len(b))
	}
	if b[0] != 0 || b[1] != 0 {
		return nil, fmt.Errorf("IDX: bad magic number % x: expected 00 00 08 0N (unsigned-byte IDX)", b[:4])
	}
	if b[2] != 0x08 {
		return nil, fmt.Errorf("IDX: element type 0x%02x not supported: expected 0x08 (unsigned byte)", b[2])
	}
	nd := int(b[3])
	if nd < 1 || nd > 4 {
		return nil, fmt.Errorf("IDX: %d dimensions in header: expected 1 (labels) or 3 (images)", nd)
	}
	hdr := 4 + 4*nd
	if len(b) < hdr {
		return nil, fmt.Errorf("IDX: file has %d bytes, header needs %d", len(b), hdr)
	}
	dims := make([]int, nd)
	size := 1
	for i := range dims {
		d := binary.BigEndian.Uint32(b[4+4*i:])
		if d == 0 || d > 1<<26 {
			return nil, fmt.Errorf("IDX: dimension %d is %d: out of range", i, d)
		}
		dims[i] = int(d)
		size *= int(d)
		if size > 1<<31 {
			return nil, fmt.Errorf("IDX: declared size overflows (dims %v)", dims[:i+1])
		}
	}
	if got := len(b) - hdr; got != size {
		return nil, fmt.Errorf("IDX: header declares dims %v = %d bytes of data, file has %d (truncated or corrupt)", dims, size, got)
	}
	return &IDX{Dims: dims, Data: b[hdr:]}, nil
}

// CIFARKind selects the CIFAR binary record layout.
type CIFARKind int

const (
	// CIFAR10 records are <1 byte label><3072 bytes image>.
	CIFAR10 CIFARKind = iota
	// CIFAR100 records are <1 byte coarse label><1 byte fine label><3072 bytes image>; we use the fine label.
	CIFAR100
)

const cifarImageBytes = 32 * 32 * 3

// RecordSize is the size in bytes of one record of this kind.
func (k CIFARKind) RecordSize() int {
	if k == CIFAR100 {
		return cifarImageBytes + 2
	}
	return cifarImageBytes + 1
}

func (k CIFARKind) classes() int {
	if k == CIFAR100 {
		return 100
	}
	return 10
}

// ParseCIFAR parses one official CIFAR binary batch file. Images are stored
// channel-major (1024 red, 1024 green, 1024 blue, each row-major); they are
// returned as HWC bytes, appended to pix, and labels appended to labels.
func ParseCIFAR(b []byte, kind CIFARKind, pix []byte, labels []int32) ([]byte, []int32, error) {
	rs := kind.RecordSize()
	if len(b) == 0 || len(b)%rs != 0 {
		return pix, labels, fmt.Errorf("CIFAR: file size %d is not a positive multiple of the record size %d (truncated, or CIFAR-10 vs CIFAR-100 mixed up)", len(b), rs)
	}
	n := len(b) / rs
	for r := 0; r < n; r++ {
		rec := b[r*rs : (r+1)*rs]
		label := int(rec[0])
		img := rec[1:]
		if kind == CIFAR100 {
			label = int(rec[1])
			img = rec[2:]
		}
		if label >= kind.classes() {
			return pix, labels, fmt.Errorf("CIFAR: record %d has label %d, expected 0..%d", r, label, kind.classes()-1)
		}
		labels = append(labels, int32(label))
		for p := 0; p < 1024; p++ {
			pix = append(pix, img[p], img[1024+p], img[2048+p])
		}
	}
	return pix, labels, nil
}
