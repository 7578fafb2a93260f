package datasets

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// This file reads the subset of the MATLAB Level 5 MAT-file format used by
// the official SVHN files (train_32x32.mat, test_32x32.mat): a 128-byte
// header followed by data elements, possibly zlib-compressed (miCOMPRESSED),
// each a numeric matrix (miMATRIX). No maintained Go MAT reader is served by
// the module proxy here, so this is a small, fuzzed reader.

const (
	miINT8       = 1
	miUINT8      = 2
	miINT16      = 3
	miUINT16     = 4
	miINT32      = 5
	miUINT32     = 6
	miSINGLE     = 7
	miDOUBLE     = 9
	miINT64      = 12
	miUINT64     = 13
	miMATRIX     = 14
	miCOMPRESSED = 15
)

// MatArray is one numeric array of a MAT file, in MATLAB's column-major order.
type MatArray struct {
	Name string
	Dims []int
	Data []float64 // for uint8 arrays, see Bytes
	// Bytes holds the raw values of uint8 arrays (images), which would
	// otherwise take 8x the memory as float64.
	Bytes []byte
}

// ParseMAT parses a MATLAB v5 file and returns its numeric arrays by name.
func ParseMAT(b []byte) (map[string]*MatArray, error) {
	if len(b) < 128 {
		return nil, fmt.Errorf("MAT: file has %d bytes, shorter than the 128-byte v5 header", len(b))
	}
	if !bytes.HasPrefix(b, []byte("MATLAB 5.0 MAT-file")) {
		return nil, fmt.Errorf("MAT: header does not start with \"MATLAB 5.0 MAT-file\" (not a v5 MAT file; v7.3 HDF5 files are not supported)")
	}
	var bo binary.ByteOrder
	switch string(b[126:128]) {
	case "IM":
		bo = binary.LittleEndian
	case "MI":
		bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("MAT: bad endian indicator %q", b[126:128])
	}
	out := map[string]*MatArray{}
	if err := parseMatElements(b[128:], bo, out, 0); err != nil {
		return nil, err
	}
	return out, nil
}

func parseMatElements(b []byte, bo binary.ByteOrder, out map[string]*MatArray, depth int) error {
	for len(b) > 0 {
		typ, body, rest, err := matTag(b, bo)
		if err != nil {
			return err
		}
		b = rest
		switch typ {
		case miCOMPRESSED:
			if depth > 0 {
				return fmt.Errorf("MAT: nested compressed element")
			}
			zr, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				return fmt.Errorf("MAT: compressed element: %w", err)
			}
			inner, err := io.ReadAll(io.LimitReader(zr, 1<<32))
			if err != nil {
				return fmt.Errorf("MAT: compressed element truncated or corrupt: %w", err)
			}
			if err := parseMatElements(inner, bo, out, depth+1); err != nil {
				return err
			}
		case miMATRIX:
			a, err := parseMatMatrix(body, bo)
			if err != nil {
				return err
			}
			if a != nil {
				out[a.Name] = a
			}
		default:
			// Ignore other top-level elements.
		}
	}
	return nil
}

// matTag reads one data-element tag (normal or small-element format) and
// returns the element type, its body and what follows (8-byte aligned).
func matTag(b []byte, bo binary.ByteOrder) (typ uint32, body, rest []byte, err error) {
	if len(b) < 8 {
		return 0, nil, nil, fmt.Errorf("MAT: truncated element tag (%d bytes left)", len(b))
	}
	first := bo.Uint32(b)
	if first>>16 != 0 { // small data element: 2-byte size, 2-byte type, 4 bytes of data
		size := int(first >> 16)
		typ = first & 0xffff
		if size > 4 {
			return 0, nil, nil, fmt.Errorf("MAT: small element declares %d bytes (max 4)", size)
		}
		return typ, b[4 : 4+size], b[8:], nil
	}
	typ = first
	size := uint64(bo.Uint32(b[4:]))
	if size > uint64(len(b)-8) {
		return 0, nil, nil, fmt.Errorf("MAT: element of type %d declares %d bytes, only %d left (truncated file)", typ, size, len(b)-8)
	}
	body = b[8 : 8+size]
	next := 8 + size
	if typ != miCOMPRESSED {
		next = (next + 7) &^ 7
	}
	if next > uint64(len(b)) {
		next = uint64(len(b))
	}
	return typ, body, b[next:], nil
}

// parseMatMatrix parses a miMATRIX element's body: array flags,
// dimensions, name and real part (numeric classes only; nil for others).
func parseMatMatrix(b []byte, bo binary.ByteOrder) (*MatArray, error) {
	// Array flags.
	typ, flags, b, err := matTag(b, bo)
	if err != nil {
		return nil, err
	}
	if typ != miUINT32 || len(flags) < 8 {
		return nil, fmt.Errorf("MAT: matrix without array flags")
	}
	class := bo.Uint32(flags) & 0xff
	if class < 6 || class > 15 { // only numeric classes (double .. uint64)
		return nil, nil
	}
	if bo.Uint32(flags)&0x800 != 0 {
		return nil, fmt.Errorf("MAT: complex arrays are not supported")
	}
	// Dimensions.
	typ, dimsB, b, err := matTag(b, bo)
	if err != nil {
		return nil, err
	}
	if typ != miINT32 || len(dimsB) < 8 || len(dimsB)%4 != 0 {
		return nil, fmt.Errorf("MAT: matrix without valid dimensions")
	}
	a := &MatArray{}
	n := 1
	for i := 0; i < len(dimsB); i += 4 {
		d := int(int32(bo.Uint32(dimsB[i:])))
		if d < 0 || d > 1<<30 {
			return nil, fmt.Errorf("MAT: dimension %d out of range", d)
		}
		a.Dims = append(a.Dims, d)
		n *= d
		if n > 1<<32 {
			return nil, fmt.Errorf("MAT: array size overflows (dims %v)", a.Dims)
		}
	}
	// Name.
	_, name, b, err := matTag(b, bo)
	if err != nil {
		return nil, err
	}
	a.Name = string(name)
	// Real part.
	typ, data, _, err := matTag(b, bo)
	if err != nil {
		return nil, err
	}
	width := map[uint32]int{miINT8: 1, miUINT8: 1, miINT16: 2, miUINT16: 2, miINT32: 4, miUINT32: 4, miSINGLE: 4, miDOUBLE: 8, miINT64: 8, miUINT64: 8}[typ]
	if width == 0 {
		return nil, fmt.Errorf("MAT: array %q has unsupported data type %d", a.Name, typ)
	}
	if len(data) != n*width {
		return nil, fmt.Errorf("MAT: array %q dims %v need %d bytes, element has %d (truncated or corrupt)", a.Name, a.Dims, n*width, len(data))
	}
	if typ == miUINT8 {
		a.Bytes = data
		return a, nil
	}
	a.Data = matValues(data, typ, width, n, bo)
	return a, nil
}

// matValues decodes n numbers of MAT data type typ (width bytes each) as
// float64.
func matValues(data []byte, typ uint32, width, n int, bo binary.ByteOrder) []float64 {
	out := make([]float64, n)
	for i := range out {
		p := data[i*width:]
		switch typ {
		case miINT8:
			out[i] = float64(int8(p[0]))
		case miINT16:
			out[i] = float64(int16(bo.Uint16(p)))
		case miUINT16:
			out[i] = float64(bo.Uint16(p))
		case miINT32:
			out[i] = float64(int32(bo.Uint32(p)))
		case miUINT32:
			out[i] = float64(bo.Uint32(p))
		case miSINGLE:
			out[i] = float64(math.Float32frombits(bo.Uint32(p)))
		case miDOUBLE:
			out[i] = math.Float64frombits(bo.Uint64(p))
		case miINT64:
			out[i] = float64(int64(bo.Uint64(p)))
		case miUINT64:
			out[i] = float64(bo.Uint64(p))
		}
	}
	return out
}

// ParseSVHN parses an official SVHN cropped-digits file: X is
// 32x32x3xN uint8 (column-major), y is Nx1 with labels 1..10, where 10
// means the digit 0. It returns HWC pixels and labels 0..9.
func ParseSVHN(b []byte) (pix []byte, labels []int32, err error) {
	arrs, err := ParseMAT(b)
	if err != nil {
		return nil, nil, err
	}
	x, y := arrs["X"], arrs["y"]
	if x == nil || y == nil {
		return nil, nil, fmt.Errorf("SVHN: expected variables X and y in the MAT file")
	}
	if len(x.Dims) != 4 || x.Dims[0] != 32 || x.Dims[1] != 32 || x.Dims[2] != 3 || x.Bytes == nil {
		return nil, nil, fmt.Errorf("SVHN: X has dims %v (uint8=%v), expected uint8 32x32x3xN", x.Dims, x.Bytes != nil)
	}
	n := x.Dims[3]
	if y.Data == nil || len(y.Data) != n {
		return nil, nil, fmt.Errorf("SVHN: y has %d numeric labels, X has %d images", len(y.Data), n)
	}
	pix = make([]byte, n*cifarImageBytes)
	labels = make([]int32, n)
	for i := 0; i < n; i++ {
		l := int(y.Data[i])
		if l < 1 || l > 10 || float64(l) != y.Data[i] {
			return nil, nil, fmt.Errorf("SVHN: label %v of image %d: expected an integer 1..10", y.Data[i], i)
		}
		labels[i] = int32(l % 10)
		// Column-major X(row, col, ch, i) = Bytes[row + 32*col + 1024*ch + 3072*i].
		src := x.Bytes[i*cifarImageBytes:]
		dst := pix[i*cifarImageBytes:]
		for r := 0; r < 32; r++ {
			for c := 0; c < 32; c++ {
				for ch := 0; ch < 3; ch++ {
					dst[(r*32+c)*3+ch] = src[r+32*c+1024*ch]
				}
			}
		}
	}
	return pix, labels, nil
}
