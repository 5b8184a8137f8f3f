package photos_test

import (
	"image"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/photos"
)

func TestLoad(t *testing.T) {
	want := map[string]struct {
		w, h int
		grey bool
	}{
		"astronaut": {256, 256, false},
		"camera":    {256, 256, true},
		"chelsea":   {256, 170, false},
		"coffee":    {256, 170, false},
	}
	if len(photos.Names()) != len(want) {
		t.Fatalf("Names() = %v, want %d photographs", photos.Names(), len(want))
	}
	for _, name := range photos.Names() {
		img, err := photos.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		w := want[name]
		if b := img.Bounds(); b.Dx() != w.w || b.Dy() != w.h {
			t.Errorf("%s: %d×%d, want %d×%d", name, b.Dx(), b.Dy(), w.w, w.h)
		}
		if _, grey := img.(*image.Gray); grey != w.grey {
			t.Errorf("%s: %T, grey = %v, want %v", name, img, grey, w.grey)
		}
		if _, rgba := img.(*image.RGBA); rgba == w.grey {
			t.Errorf("%s: %T, want *image.RGBA for a colour photograph", name, img)
		}
		info, err := photos.Info(name)
		if err != nil || info.Credit == "" || info.Title == "" {
			t.Errorf("Info(%q) = %+v, %v: want a title and a credit", name, info, err)
		}
	}
}

func TestUnknownName(t *testing.T) {
	for _, f := range []func() error{
		func() error { _, err := photos.Load("lena"); return err },
		func() error { _, err := photos.Info("lena"); return err },
	} {
		if err := f(); err == nil || !strings.Contains(err.Error(), `"lena"`) ||
			!strings.Contains(err.Error(), "chelsea") {
			t.Errorf("error %v, want one naming the photograph and the choices", err)
		}
	}
}
