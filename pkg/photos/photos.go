// Package photos holds the real photographs the book's chapters use (pooling in 09, augmentation
// in 11, preprocessing in 12), embedded so that nothing is downloaded at run time.
//
// They come from the sample data that the scikit-image wheel (PyPI package scikit-image 0.26.0,
// directory skimage/data) ships, scaled so that the longer side is 256 pixels (Catmull-Rom
// filter). Every one is free of copyright restrictions; Credit gives each one's photographer and
// licence, as scikit-image's skimage.data documents them.
package photos

import (
	"bytes"
	"embed"
	"fmt"
	"image"
	"image/png"
	"slices"
	"strings"
)

//go:embed images/*.png
var files embed.FS

// A Photo describes one of the embedded photographs.
type Photo struct {
	Name   string // the name Load takes, e.g. "chelsea"
	Title  string // what it shows
	Credit string // photographer or source, and licence
}

var catalog = []Photo{
	{"astronaut", "Eileen Collins, NASA astronaut, in 1995 (colour)",
		"NASA; no known copyright restrictions, public domain"},
	{"camera", "a man with a camera on a tripod (greyscale)",
		"Lav Varshney; CC0, no copyright restrictions"},
	{"chelsea", "Chelsea the cat (colour)",
		"Stefan van der Walt; CC0, no copyright restrictions"},
	{"coffee", "a cup of coffee, courtesy of Pikolo Espresso Bar (colour)",
		"Rachel Michetti; CC0, no copyright restrictions"},
}

// All lists the embedded photographs, in alphabetical order of name.
func All() []Photo { return slices.Clone(catalog) }

// Names lists the names that Load accepts.
func Names() []string {
	names := make([]string, len(catalog))
	for i, p := range catalog {
		names[i] = p.Name
	}
	return names
}

// Load decodes the named photograph: *image.Gray for "camera", *image.RGBA (opaque) for the others.
func Load(name string) (image.Image, error) {
	if !slices.Contains(Names(), name) {
		return nil, fmt.Errorf("photos: no photograph %q (have %s)", name, strings.Join(Names(), ", "))
	}
	data, err := files.ReadFile("images/" + name + ".png")
	if err != nil {
		return nil, fmt.Errorf("photos: %s: %w", name, err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("photos: images/%s.png: %w", name, err)
	}
	return img, nil
}

// Info returns the description of the named photograph.
func Info(name string) (Photo, error) {
	for _, p := range catalog {
		if p.Name == name {
			return p, nil
		}
	}
	return Photo{}, fmt.Errorf("photos: no photograph %q (have %s)", name, strings.Join(Names(), ", "))
}
