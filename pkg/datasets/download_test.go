package datasets

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDownloadGivesUpOnAStalledServer serves 100 of 1000 bytes and then nothing (or nothing at
// all, not even headers): the download must give up after the idle timeout, say why, and leave
// no partial file — nor the stale one a killed attempt left behind.
func TestDownloadGivesUpOnAStalledServer(t *testing.T) {
	release := make(chan struct{})
	stall := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	midBody := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write(make([]byte, 100))
		w.(http.Flusher).Flush()
		stall(w, r)
	}))
	noHeaders := httptest.NewServer(http.HandlerFunc(stall))
	t.Cleanup(func() {
		close(release)
		midBody.Close()
		noHeaders.Close()
	})
	for _, tc := range []struct {
		name, url, want string
	}{
		{"mid-body", midBody.URL, "downloading from " + midBody.URL + "/f.bin, after 100 bytes: the server sent nothing for 200ms"},
		{"before headers", noHeaders.URL, "test: f.bin: the server sent nothing for 200ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			stale := filepath.Join(dir, ".f.bin.12345.part")
			if err := os.WriteFile(stale, []byte("left by a killed download"), 0o644); err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-2 * time.Hour)
			if err := os.Chtimes(stale, old, old); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err := download("test", quiet(dir, IdleTimeout(200*time.Millisecond)), dir, []string{tc.url},
				remoteFile{name: "f.bin", sum: sha256Sum("00")})
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("gave up after %v, want about 200ms", took)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
				t.Errorf("left %v behind", left)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
				t.Errorf("left %v behind", left)
			}
		})
	}
}

func TestIdleTimeoutMustBePositive(t *testing.T) {
	_, err := download("test", quiet(t.TempDir(), IdleTimeout(0)), t.TempDir(), []string{"http://127.0.0.1:1"},
		remoteFile{name: "f.bin", sum: sha256Sum("00")})
	if err == nil || !strings.Contains(err.Error(), "datasets: test: IdleTimeout(0s), want > 0") {
		t.Fatalf("error %v, want one about IdleTimeout", err)
	}
}
