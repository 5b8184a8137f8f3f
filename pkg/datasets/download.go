package datasets

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// checksum is a known digest of a file: algo is "sha256" or "md5".
type checksum struct {
	algo, hex string
}

func sha256Sum(h string) checksum { return checksum{"sha256", h} }
func md5Sum(h string) checksum    { return checksum{"md5", h} }

func (c checksum) newHash() hash.Hash {
	if c.algo == "md5" {
		return md5.New()
	}
	return sha256.New()
}

// remoteFile is one file of a data set as its publishers distribute it.
type remoteFile struct {
	name string
	sum  checksum
	// also lists the SHA-256 sums of other known copies of the same data: a repackaged
	// file (Debian's) and the file uncompressed.
	also []string
}

// httpClient is used for downloads; downloadFrom gives up on a server that stops sending.
var httpClient = &http.Client{Transport: &http.Transport{
	Proxy:           http.ProxyFromEnvironment,
	IdleConnTimeout: time.Minute,
}}

// DefaultIdleTimeout is how long a download waits for the server to send anything (headers or
// the next bytes of the file) before it gives up; see IdleTimeout.
const DefaultIdleTimeout = time.Minute

// errIdle is the cause of a download cancelled for want of data.
type errIdle time.Duration

func (e errIdle) Error() string {
	return fmt.Sprintf("the server sent nothing for %s", time.Duration(e))
}

// idleReader reads r, pushing back a deadline timer each time data arrives.
type idleReader struct {
	r       io.Reader
	timer   *time.Timer
	timeout time.Duration
}

func (i *idleReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	if n > 0 {
		i.timer.Reset(i.timeout)
	}
	return n, err
}

// removeStaleParts deletes the temporary files (".name.*.part") left by attempts that were
// killed before they could clean up. A file younger than olderThan may belong to a download
// still running in another process, so it stays.
func removeStaleParts(dir, name string, olderThan time.Duration) {
	parts, _ := filepath.Glob(filepath.Join(dir, "."+name+".*.part"))
	for _, p := range parts {
		if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > olderThan {
			_ = os.Remove(p)
		}
	}
}

// download fetches f from the first mirror that serves it with the right checksum and stores it
// as dir/f.name. The file appears under its final name only once verified, so an interrupted
// download leaves nothing that a later run would trust. It returns the URL used.
func download(set string, o *options, dir string, mirrors []string, f remoteFile) (string, error) {
	if len(o.mirrors) > 0 {
		mirrors = o.mirrors
	}
	if o.idleTimeout <= 0 {
		return "", fmt.Errorf("datasets: %s: IdleTimeout(%s), want > 0", set, o.idleTimeout)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("datasets: %s: %w", set, err)
	}
	removeStaleParts(dir, f.name, o.idleTimeout)
	var errs []error
	for _, base := range mirrors {
		url := strings.TrimSuffix(base, "/") + "/" + f.name
		err := downloadFrom(set, o, url, filepath.Join(dir, f.name), f)
		if err == nil {
			return url, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return "", fmt.Errorf("datasets: %s: %s: no mirror to download from", set, f.name)
	}
	return "", errors.Join(errs...)
}

func downloadFrom(set string, o *options, url, dst string, f remoteFile) error {
	o.logf("%s: downloading %s", set, url)
	start := time.Now()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	timer := time.AfterFunc(o.idleTimeout, func() { cancel(errIdle(o.idleTimeout)) })
	defer timer.Stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("datasets: %s: %s: %w", set, f.name, err)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("datasets: %s: %s: %w", set, f.name, idleCause(ctx, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("datasets: %s: %s: %s from %s", set, f.name, resp.Status, url)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+f.name+".*.part")
	if err != nil {
		return fmt.Errorf("datasets: %s: %w", set, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	h := f.sum.newHash()
	body := &idleReader{r: resp.Body, timer: timer, timeout: o.idleTimeout}
	n, err := io.Copy(io.MultiWriter(tmp, h), body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("datasets: %s: %s: downloading from %s, after %d bytes: %w", set, f.name, url, n, idleCause(ctx, err))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.sum.hex {
		return fmt.Errorf("datasets: %s: %s: %s %s, want %s (downloaded %d bytes from %s)",
			set, f.name, f.sum.algo, got, f.sum.hex, n, url)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("datasets: %s: %w", set, err)
	}
	o.logf("%s: %s: %.1f MB, %s %s… verified, %.1fs", set, f.name, float64(n)/1e6, f.sum.algo,
		f.sum.hex[:12], time.Since(start).Seconds())
	return nil
}

// idleCause replaces the error of a request cancelled for want of data by that reason.
func idleCause(ctx context.Context, err error) error {
	var idle errIdle
	if cause := context.Cause(ctx); errors.As(cause, &idle) {
		return cause
	}
	return err
}

// verifyFile checks the checksum of a file already on disk.
func verifyFile(set, path string, sum checksum) error {
	got, err := fileSum(set, path, sum)
	if err != nil {
		return err
	}
	if got != sum.hex {
		return fmt.Errorf("datasets: %s: %s: %s %s, want %s (delete %s to download it again)",
			set, filepath.Base(path), sum.algo, got, sum.hex, path)
	}
	return nil
}

// fileSum returns the hex digest of the file at path with sum's algorithm.
func fileSum(set, path string, sum checksum) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("datasets: %s: %w", set, err)
	}
	defer fh.Close()
	h := sum.newHash()
	if _, err := io.Copy(h, fh); err != nil {
		return "", fmt.Errorf("datasets: %s: %s: %w", set, filepath.Base(path), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// verifyKnown checks that the file at path is a known copy of f: its published checksum or one
// of f.also. A file that is not says where it is and what to do.
func verifyKnown(set, path string, f remoteFile, inCache bool) error {
	sums := map[string]bool{}
	for _, s := range f.also {
		sums[s] = true
	}
	sum := sha256Sum("")
	if f.sum.algo == sum.algo {
		sums[f.sum.hex] = true
	} else {
		sum = f.sum
	}
	got, err := fileSum(set, path, sum)
	if err != nil {
		return err
	}
	if sums[got] || (sum.hex != "" && got == sum.hex) {
		return nil
	}
	advice := "delete it to download it again"
	if !inCache {
		advice = "reinstall it, or put the published files in the cache folder"
	}
	return fmt.Errorf("datasets: %s: %s: %s %s is not that of any known copy of this file (%s: %s)",
		set, filepath.Base(path), sum.algo, got, path, advice)
}

// exists reports whether path names a regular file.
func exists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
