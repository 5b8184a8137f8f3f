package audio

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"
)

// Clip is a sound of chapter 12: its sample rate in Hz and one slice of samples per channel, all
// of the same length. Samples decoded from integer PCM lie in [−1, 1).
type Clip struct {
	Rate     int
	Channels [][]float32
}

// Len returns the number of samples per channel.
func (c *Clip) Len() int {
	if len(c.Channels) == 0 {
		return 0
	}
	return len(c.Channels[0])
}

// Mono returns the average of the channels, sample by sample (the clip's own samples when it has
// one channel), as librosa.to_mono does.
func (c *Clip) Mono() []float32 {
	if len(c.Channels) == 1 {
		return c.Channels[0]
	}
	out := make([]float32, c.Len())
	for i := range out {
		var s float64
		for _, ch := range c.Channels {
			s += float64(ch[i])
		}
		out[i] = float32(s / float64(len(c.Channels)))
	}
	return out
}

// Duration returns the clip's length in time: samples per channel divided by the rate.
func (c *Clip) Duration() time.Duration {
	if c.Rate <= 0 {
		return 0
	}
	return time.Duration(float64(c.Len()) / float64(c.Rate) * float64(time.Second))
}

// WAVE format codes, and the tail that every WAVE_FORMAT_EXTENSIBLE sub-format GUID shares.
const (
	formatPCM        = 1
	formatFloat      = 3
	formatExtensible = 0xFFFE
)

var guidTail = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// ReadWAV reads a WAV file into a Clip (see DecodeWAV for the encodings it reads).
func ReadWAV(path string) (*Clip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audio: %w", err)
	}
	defer f.Close()
	return DecodeWAV(bufio.NewReader(f), path)
}

// DecodeWAV decodes a RIFF/WAVE stream into a Clip: PCM of 8 (unsigned), 16, 24 or 32 bits, or
// IEEE float of 32 or 64 bits, in a plain or a WAVE_FORMAT_EXTENSIBLE fmt chunk; chunks other than
// fmt and data are skipped. Integers are divided by 2^(bits−1) (8-bit ones after subtracting 128).
// name is used in errors, which say what was wrong: a truncated chunk, an unsupported encoding.
func DecodeWAV(r io.Reader, name string) (*Clip, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("audio: %s: %w", name, err)
	}
	c, err := parseWAV(data)
	if err != nil {
		return nil, fmt.Errorf("audio: %s: %w", name, err)
	}
	return c, nil
}

type wavFormat struct {
	code     int // formatPCM or formatFloat, after resolving WAVE_FORMAT_EXTENSIBLE
	channels int
	rate     int
	align    int
	bits     int
}

func parseWAV(b []byte) (*Clip, error) {
	if len(b) < 12 {
		return nil, fmt.Errorf("%d bytes, too short for a RIFF/WAVE header (12)", len(b))
	}
	if string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fmt.Errorf("not a RIFF/WAVE file (starts with %q)", b[:min(12, len(b))])
	}
	var format *wavFormat
	for pos := 12; ; {
		if pos+8 > len(b) {
			if format == nil {
				return nil, errors.New("no fmt chunk")
			}
			return nil, errors.New("no data chunk")
		}
		id := string(b[pos : pos+4])
		size := int64(binary.LittleEndian.Uint32(b[pos+4:]))
		body := b[pos+8:]
		switch id {
		case "fmt ":
			if size > int64(len(body)) {
				return nil, fmt.Errorf("truncated fmt chunk: %d bytes declared, %d present", size, len(body))
			}
			f, err := parseFormat(body[:size])
			if err != nil {
				return nil, err
			}
			format = f
		case "data":
			if format == nil {
				return nil, errors.New("data chunk before the fmt chunk")
			}
			if size > int64(len(body)) {
				return nil, fmt.Errorf("truncated data chunk: %d bytes declared, %d present", size, len(body))
			}
			return decodeSamples(body[:size], format)
		}
		next := int64(pos) + 8 + size + size%2 // chunks are padded to even sizes
		if next > int64(len(b)) {
			next = int64(len(b))
		}
		pos = int(next)
	}
}

func parseFormat(b []byte) (*wavFormat, error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("fmt chunk of %d bytes, want at least 16", len(b))
	}
	le := binary.LittleEndian
	f := &wavFormat{
		code:     int(le.Uint16(b[0:])),
		channels: int(le.Uint16(b[2:])),
		rate:     int(le.Uint32(b[4:])),
		align:    int(le.Uint16(b[12:])),
		bits:     int(le.Uint16(b[14:])),
	}
	if f.code == formatExtensible {
		if len(b) < 40 {
			return nil, fmt.Errorf("WAVE_FORMAT_EXTENSIBLE fmt chunk of %d bytes, want 40", len(b))
		}
		guid := b[24:40]
		if !bytes.Equal(guid[2:], guidTail) {
			return nil, fmt.Errorf("WAVE_FORMAT_EXTENSIBLE with unknown sub-format GUID % x", guid)
		}
		f.code = int(le.Uint16(guid))
	}
	switch {
	case f.code == formatPCM && (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32):
	case f.code == formatFloat && (f.bits == 32 || f.bits == 64):
	case f.code == formatPCM || f.code == formatFloat:
		return nil, fmt.Errorf("unsupported encoding: %s with %d bits per sample", codeName(f.code), f.bits)
	default:
		return nil, fmt.Errorf("unsupported encoding: format code 0x%04x (%s); want PCM or IEEE float",
			f.code, codeName(f.code))
	}
	if f.channels == 0 {
		return nil, errors.New("fmt chunk declares 0 channels")
	}
	if f.rate == 0 || f.rate > math.MaxInt32 {
		return nil, fmt.Errorf("fmt chunk declares sample rate %d", f.rate)
	}
	if want := f.channels * f.bits / 8; f.align != want {
		return nil, fmt.Errorf("block align %d, want %d for %d channels of %d bits", f.align, want, f.channels, f.bits)
	}
	return f, nil
}

func codeName(code int) string {
	switch code {
	case formatPCM:
		return "PCM"
	case formatFloat:
		return "IEEE float"
	case 2:
		return "Microsoft ADPCM"
	case 6:
		return "A-law"
	case 7:
		return "µ-law"
	case 0x11:
		return "IMA ADPCM"
	case 0x55:
		return "MP3"
	}
	return "unknown"
}

func decodeSamples(b []byte, f *wavFormat) (*Clip, error) {
	if len(b)%f.align != 0 {
		return nil, fmt.Errorf("data chunk of %d bytes is not a whole number of %d-byte frames", len(b), f.align)
	}
	n := len(b) / f.align
	c := &Clip{Rate: f.rate, Channels: make([][]float32, f.channels)}
	for ch := range c.Channels {
		c.Channels[ch] = make([]float32, n)
	}
	le := binary.LittleEndian
	width := f.bits / 8
	for i := 0; i < n; i++ {
		for ch := range c.Channels {
			p := b[(i*f.channels+ch)*width:]
			var v float32
			switch {
			case f.code == formatFloat && f.bits == 32:
				v = math.Float32frombits(le.Uint32(p))
			case f.code == formatFloat:
				v = float32(math.Float64frombits(le.Uint64(p)))
			case f.bits == 8:
				v = float32(int(p[0])-128) / 128
			case f.bits == 16:
				v = float32(int16(le.Uint16(p))) / (1 << 15)
			case f.bits == 24:
				u := int32(p[0]) | int32(p[1])<<8 | int32(p[2])<<16
				v = float32(u<<8>>8) / (1 << 23)
			default:
				v = float32(float64(int32(le.Uint32(p))) / (1 << 31))
			}
			c.Channels[ch][i] = v
		}
	}
	return c, nil
}

// WriteWAV writes the clip to path as a WAV file: bits 8, 16 or 24 give integer PCM (samples
// clipped to [−1, 1] and rounded to the nearest step of 2^−(bits−1)), bits 32 gives IEEE float.
func WriteWAV(path string, c *Clip, bits int) error {
	var buf bytes.Buffer
	if err := EncodeWAV(&buf, c, bits); err != nil {
		return fmt.Errorf("audio: %s: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("audio: %w", err)
	}
	return nil
}

// EncodeWAV writes the clip to w in WAV format, as WriteWAV does for a file.
func EncodeWAV(w io.Writer, c *Clip, bits int) error {
	code := formatPCM
	switch bits {
	case 8, 16, 24:
	case 32:
		code = formatFloat
	default:
		return fmt.Errorf("cannot write %d-bit samples; want 8, 16 or 24 (PCM) or 32 (float)", bits)
	}
	if len(c.Channels) == 0 || len(c.Channels) > math.MaxUint16 {
		return fmt.Errorf("cannot write %d channels", len(c.Channels))
	}
	if c.Rate <= 0 || c.Rate > math.MaxInt32 {
		return fmt.Errorf("cannot write sample rate %d", c.Rate)
	}
	n := c.Len()
	for i, ch := range c.Channels {
		if len(ch) != n {
			return fmt.Errorf("channel %d has %d samples, channel 0 has %d", i, len(ch), n)
		}
	}
	align := len(c.Channels) * bits / 8
	size := int64(n) * int64(align)
	if size+64 > math.MaxUint32 {
		return fmt.Errorf("%d bytes of samples do not fit a WAV file", size)
	}
	le := binary.LittleEndian
	h := make([]byte, 0, 46)
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, uint32(4+26+8+size+size%2))
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, 18)
	h = le.AppendUint16(h, uint16(code))
	h = le.AppendUint16(h, uint16(len(c.Channels)))
	h = le.AppendUint32(h, uint32(c.Rate))
	h = le.AppendUint32(h, uint32(c.Rate*align))
	h = le.AppendUint16(h, uint16(align))
	h = le.AppendUint16(h, uint16(bits))
	h = le.AppendUint16(h, 0) // cbSize: no extension
	h = append(h, "data"...)
	h = le.AppendUint32(h, uint32(size))
	body := make([]byte, 0, size+size%2)
	scale := float64(int64(1) << (bits - 1))
	for i := 0; i < n; i++ {
		for _, ch := range c.Channels {
			x := ch[i]
			if bits == 32 {
				body = le.AppendUint32(body, math.Float32bits(x))
				continue
			}
			v := math.Round(float64(x) * scale)
			if math.IsNaN(v) {
				v = 0
			}
			q := int64(math.Max(-scale, math.Min(scale-1, v)))
			switch bits {
			case 8:
				body = append(body, byte(q+128))
			case 16:
				body = le.AppendUint16(body, uint16(int16(q)))
			case 24:
				body = append(body, byte(q), byte(q>>8), byte(q>>16))
			}
		}
	}
	if size%2 == 1 {
		body = append(body, 0)
	}
	if _, err := w.Write(h); err != nil {
		return err
	}
	_, err := w.Write(body)
	return err
}
