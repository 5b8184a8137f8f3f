package audio

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wavBytes builds a WAV file by hand: a fmt chunk with the given fields (ext, when not nil, is
// appended after the 16 standard bytes) and a data chunk.
func wavBytes(code, channels, rate, align, bits int, ext, data []byte) []byte {
	le := binary.LittleEndian
	fmtBody := le.AppendUint16(nil, uint16(code))
	fmtBody = le.AppendUint16(fmtBody, uint16(channels))
	fmtBody = le.AppendUint32(fmtBody, uint32(rate))
	fmtBody = le.AppendUint32(fmtBody, uint32(rate*align))
	fmtBody = le.AppendUint16(fmtBody, uint16(align))
	fmtBody = le.AppendUint16(fmtBody, uint16(bits))
	fmtBody = append(fmtBody, ext...)
	var b []byte
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, uint32(4+8+len(fmtBody)+8+len(data)))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, uint32(len(fmtBody)))
	b = append(b, fmtBody...)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

func TestWAVRoundTrip(t *testing.T) {
	left := []float32{0, 0.5, -0.5, -1, 0.25, 1 - 1.0/128, -0.75}
	right := []float32{0.125, -0.125, 0, 0.5, -1, 0.375, 0.0625}
	for _, tc := range []struct {
		bits int
		step float64 // quantisation step; values above are multiples of 1/128, so exact for all
	}{{8, 1.0 / 128}, {16, 1.0 / 32768}, {24, 1.0 / (1 << 23)}, {32, 0}} {
		path := filepath.Join(t.TempDir(), "x.wav")
		in := &Clip{Rate: 11025, Channels: [][]float32{left, right}}
		if err := WriteWAV(path, in, tc.bits); err != nil {
			t.Fatal(err)
		}
		out, err := ReadWAV(path)
		if err != nil {
			t.Fatalf("%d bits: %v", tc.bits, err)
		}
		if out.Rate != 11025 || len(out.Channels) != 2 || out.Len() != len(left) {
			t.Fatalf("%d bits: %d Hz, %d channels of %d", tc.bits, out.Rate, len(out.Channels), out.Len())
		}
		for ch := range in.Channels {
			for i, v := range in.Channels[ch] {
				if out.Channels[ch][i] != v {
					t.Errorf("%d bits: channel %d sample %d = %g, wrote %g", tc.bits, ch, i, out.Channels[ch][i], v)
				}
			}
		}
	}
}

func TestWAVWriteClipsAndRounds(t *testing.T) {
	var buf bytes.Buffer
	in := &Clip{Rate: 8000, Channels: [][]float32{{2, -3, 0.3}}}
	if err := EncodeWAV(&buf, in, 16); err != nil {
		t.Fatal(err)
	}
	out, err := DecodeWAV(&buf, "buf")
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{32767.0 / 32768, -1, 9830.0 / 32768} // 0.3·32768 = 9830.4
	for i, w := range want {
		if out.Channels[0][i] != w {
			t.Errorf("sample %d = %g, want %g", i, out.Channels[0][i], w)
		}
	}
}

func TestClipMonoAndDuration(t *testing.T) {
	c := &Clip{Rate: 4, Channels: [][]float32{{1, 0, -1, 0.5, 0, 0}, {0, 0, 1, 0.5, 1, 0}}}
	mono := c.Mono()
	want := []float32{0.5, 0, 0, 0.5, 0.5, 0}
	for i := range want {
		if mono[i] != want[i] {
			t.Errorf("Mono()[%d] = %g, want %g", i, mono[i], want[i])
		}
	}
	if d := c.Duration(); d != 1500*time.Millisecond {
		t.Errorf("Duration() = %v, want 1.5s", d)
	}
}

// Bad input gets an error naming the file and the problem.
func TestWAVErrors(t *testing.T) {
	pcm16 := wavBytes(1, 1, 8000, 2, 16, nil, []byte{1, 0, 2, 0})
	guid := func(code byte) []byte {
		ext := []byte{22, 0, 16, 0, 4, 0, 0, 0, code, 0}
		return append(ext, guidTail...)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"not riff", []byte("RIFX....WAVEfmt "), "not a RIFF/WAVE"},
		{"truncated data", pcm16[:len(pcm16)-1], "truncated data chunk: 4 bytes declared, 3 present"},
		{"truncated fmt", pcm16[:30], "truncated fmt chunk"},
		{"no data", pcm16[:36], "no data chunk"},
		{"no fmt", []byte("RIFF\x04\x00\x00\x00WAVE"), "no fmt chunk"},
		{"mu-law", wavBytes(7, 1, 8000, 1, 8, nil, []byte{1}), "unsupported encoding: format code 0x0007 (µ-law)"},
		{"adpcm", wavBytes(2, 1, 8000, 256, 4, nil, nil), "Microsoft ADPCM"},
		{"12-bit", wavBytes(1, 1, 8000, 2, 12, nil, []byte{1, 0}), "PCM with 12 bits"},
		{"16-bit float", wavBytes(3, 1, 8000, 2, 16, nil, []byte{1, 0}), "IEEE float with 16 bits"},
		{"extensible mu-law", wavBytes(0xFFFE, 1, 8000, 2, 16, guid(7), []byte{1, 0}), "format code 0x0007"},
		{"extensible short", wavBytes(0xFFFE, 1, 8000, 2, 16, []byte{0, 0}, nil), "want 40"},
		{"bad guid", wavBytes(0xFFFE, 1, 8000, 2, 16, append(guid(1)[:10], make([]byte, 14)...), nil),
			"unknown sub-format"},
		{"no channels", wavBytes(1, 0, 8000, 0, 16, nil, nil), "0 channels"},
		{"zero rate", wavBytes(1, 1, 0, 2, 16, nil, nil), "sample rate 0"},
		{"bad align", wavBytes(1, 2, 8000, 2, 16, nil, []byte{1, 0}), "block align 2, want 4"},
		{"partial frame", wavBytes(1, 2, 8000, 4, 16, nil, []byte{1, 0, 2, 0, 3, 0}), "not a whole number"},
	} {
		path := filepath.Join(t.TempDir(), tc.name+".wav")
		if err := os.WriteFile(path, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := ReadWAV(path)
		if err == nil || c != nil {
			t.Errorf("%s: got %v, %v; want an error", tc.name, c, err)
			continue
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want the path and %q", tc.name, err, tc.want)
		}
	}
	if _, err := ReadWAV("no/such.wav"); err == nil || !strings.Contains(err.Error(), "no/such.wav") {
		t.Errorf("missing file: error %v", err)
	}
}

func TestWAVWriteErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *Clip
		bits int
		want string
	}{
		{"bits", &Clip{Rate: 8000, Channels: [][]float32{{0}}}, 12, "12-bit"},
		{"no channels", &Clip{Rate: 8000}, 16, "0 channels"},
		{"rate", &Clip{Rate: 0, Channels: [][]float32{{0}}}, 16, "sample rate 0"},
		{"ragged", &Clip{Rate: 8000, Channels: [][]float32{{0, 1}, {0}}}, 16, "channel 1 has 1 samples"},
	} {
		path := filepath.Join(t.TempDir(), "out.wav")
		err := WriteWAV(path, tc.c, tc.bits)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want the path and %q", tc.name, err, tc.want)
		}
	}
}

// FuzzDecodeWAV: any input gives a consistent clip or an error, never a panic. The seeds are
// the committed fixtures (written by soundfile and scipy), damaged copies and hand-made headers.
func FuzzDecodeWAV(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.wav"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(b[:min(len(b), 44)])
	}
	f.Add(wavBytes(0xFFFE, 2, 48000, 6, 24, nil, nil))
	f.Add(wavBytes(1, 65535, 8000, 65535*4/8*8, 32, nil, nil))
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEdata\xff\xff\xff\xff"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeWAV(bytes.NewReader(data), "fuzz.wav")
		if err != nil {
			if c != nil {
				t.Fatal("clip and error")
			}
			if !strings.Contains(err.Error(), "fuzz.wav") {
				t.Fatalf("error %q does not name the input", err)
			}
			return
		}
		if c.Rate <= 0 || len(c.Channels) == 0 {
			t.Fatalf("%d Hz, %d channels", c.Rate, len(c.Channels))
		}
		for _, ch := range c.Channels {
			if len(ch) != c.Len() {
				t.Fatalf("channels of %d and %d samples", len(ch), c.Len())
			}
		}
		if len(c.Channels)*c.Len() > len(data) {
			t.Fatalf("%d samples from %d bytes", len(c.Channels)*c.Len(), len(data))
		}
	})
}
