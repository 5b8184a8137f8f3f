package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// IDX is an array read from an IDX file, the format MNIST and Fashion-MNIST are published in: a
// magic number (two zero bytes, a type byte and the number of dimensions), each dimension as a
// big-endian uint32, then the values in row-major order. MNIST and FashionMNIST (chapters 04 and
// 13) read their files with ReadIDX.
type IDX struct {
	// Dims are the dimensions, e.g. [60000 28 28] for MNIST's training images.
	Dims []int
	// Data holds the values, row-major.
	Data []uint8
}

// maxIDXBytes bounds the array an IDX header may announce (the largest MNIST file has 47 MB).
const maxIDXBytes = 1 << 32

// ReadIDX reads an IDX array of unsigned bytes (type 0x08) from r, which may be gzip-compressed.
// When limit > 0 only the first limit entries along the first dimension are read. Errors say what
// is wrong, after "datasets: ReadIDX: ", without a file name; callers add it.
func ReadIDX(r io.Reader, limit int) (*IDX, error) {
	x, err := readIDX(r, 0, limit)
	if err != nil {
		return nil, fmt.Errorf("datasets: ReadIDX: %w", err)
	}
	return x, nil
}

// readIDX is ReadIDX that also checks the magic number when want is not 0.
func readIDX(r io.Reader, want uint32, limit int) (*IDX, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}

	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("reading magic: %w", eofIsUnexpected(err))
	}
	magic := binary.BigEndian.Uint32(head[:])
	if want != 0 && magic != want {
		return nil, fmt.Errorf("magic 0x%08x, want 0x%08x", magic, want)
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("magic 0x%08x is not an IDX file", magic)
	}
	if head[2] != 0x08 {
		return nil, fmt.Errorf("magic 0x%08x: data type 0x%02x, only unsigned bytes (0x08) are supported",
			magic, head[2])
	}
	rank := int(head[3])
	if rank == 0 {
		return nil, fmt.Errorf("magic 0x%08x: no dimensions", magic)
	}
	dimBytes := make([]byte, 4*rank)
	if _, err := io.ReadFull(r, dimBytes); err != nil {
		return nil, fmt.Errorf("reading %d dimensions: %w", rank, eofIsUnexpected(err))
	}
	dims := make([]int, rank)
	total := 1
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(dimBytes[4*i:]))
		if dims[i] != 0 && total > maxIDXBytes/dims[i] {
			return nil, fmt.Errorf("dimensions %v hold more than %d bytes", dims[:i+1], maxIDXBytes)
		}
		total *= dims[i]
	}
	all := true
	if limit > 0 && limit < dims[0] {
		total = total / dims[0] * limit
		dims[0] = limit
		all = false
	}
	data, err := readGrowing(r, total)
	if err != nil {
		return nil, fmt.Errorf("dimensions %v: %w", dims, err)
	}
	if all {
		// Reading on to the end lets gzip check its CRC and catches a header that undercounts.
		var extra [1]byte
		n, err := io.ReadFull(r, extra[:])
		if n > 0 {
			return nil, fmt.Errorf("dimensions %v: data continues after %d bytes", dims, total)
		}
		if err != io.EOF {
			return nil, fmt.Errorf("after the data: %w", err)
		}
	}
	return &IDX{Dims: dims, Data: data}, nil
}

// readGrowing reads exactly n bytes, growing its buffer as data arrives so that a header that
// announces gigabytes over a short file costs no more memory than the file.
func readGrowing(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, 1<<20))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		end := min(cap(buf), n)
		k, err := io.ReadFull(r, buf[len(buf):end])
		buf = buf[:len(buf)+k]
		if err != nil {
			return nil, fmt.Errorf("truncated: %d of %d data bytes: %w", len(buf), n, eofIsUnexpected(err))
		}
	}
	if cap(buf) > len(buf)+len(buf)/4 {
		buf = append([]byte(nil), buf...)
	}
	return buf, nil
}

func eofIsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
