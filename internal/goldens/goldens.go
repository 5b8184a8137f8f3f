// Package goldens reads the PyTorch goldens that the scripts in tools/goldens write: JSON whose
// numbers keep their text, so that each is parsed at the precision it stands for, with "nan",
// "inf" and "-inf" for the numbers JSON lacks; and the torch keyword arguments of each case,
// handed out by an Options that reports any the Go side never applied.
package goldens

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Decode parses a golden document into v, as encoding/json does, except that numbers in untyped
// fields (any, map[string]any) stay json.Number: Number and Options parse them.
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// Number parses one golden number: a json.Number, rounded to the nearest float32 for bits 32
// (inputs are written as a float32's shortest text) or float64 for bits 64, or one of the
// strings "nan", "inf" and "-inf".
func Number(v any, bits int) (float64, error) {
	switch v := v.(type) {
	case json.Number:
		return strconv.ParseFloat(string(v), bits)
	case string:
		switch v {
		case "nan":
			return math.NaN(), nil
		case "inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
		return 0, fmt.Errorf("%q, want a number, \"nan\", \"inf\" or \"-inf\"", v)
	}
	return 0, fmt.Errorf("%v (%T), want a number", v, v)
}

// Options hands out a golden case's torch keyword arguments and remembers which were asked for,
// so that a test can fail on any setting of a golden that it forgot to apply (see Err).
type Options struct {
	m    map[string]any
	used map[string]bool
	err  error
}

// NewOptions tracks the options m, as a golden case holds them.
func NewOptions(m map[string]any) *Options { return &Options{m: m, used: map[string]bool{}} }

// Value returns the option key as it is, and whether the case has it.
func (o *Options) Value(key string) (any, bool) {
	v, ok := o.m[key]
	if ok {
		o.used[key] = true
	}
	return v, ok
}

// Float returns the number key (a json.Number or a float64), and whether the case has it.
func (o *Options) Float(key string) (float64, bool) {
	v, ok := o.Value(key)
	if !ok {
		return 0, false
	}
	f, err := float(v)
	if err != nil {
		o.fail(key, err)
	}
	return f, true
}

// FloatOr returns the number key, or def when the case doesn't set it: torch's default.
func (o *Options) FloatOr(key string, def float64) float64 {
	if f, ok := o.Float(key); ok {
		return f
	}
	return def
}

// Floats returns the list of numbers key (torch's tuples, such as Adam's betas), and whether
// the case has it.
func (o *Options) Floats(key string) ([]float64, bool) {
	v, ok := o.Value(key)
	if !ok {
		return nil, false
	}
	list, isList := v.([]any)
	if !isList {
		o.fail(key, fmt.Errorf("%v (%T), want a list of numbers", v, v))
		return nil, true
	}
	out := make([]float64, len(list))
	for i, x := range list {
		f, err := float(x)
		if err != nil {
			o.fail(key, fmt.Errorf("[%d]: %w", i, err))
		}
		out[i] = f
	}
	return out, true
}

// Bool returns the flag key, and whether the case has it.
func (o *Options) Bool(key string) (bool, bool) {
	v, ok := o.Value(key)
	if !ok {
		return false, false
	}
	b, isBool := v.(bool)
	if !isBool {
		o.fail(key, fmt.Errorf("%v (%T), want true or false", v, v))
	}
	return b, true
}

// String returns the string key, and whether the case has it.
func (o *Options) String(key string) (string, bool) {
	v, ok := o.Value(key)
	if !ok {
		return "", false
	}
	s, isString := v.(string)
	if !isString {
		o.fail(key, fmt.Errorf("%v (%T), want a string", v, v))
	}
	return s, true
}

// Err returns the first option of the wrong type, or else names the options nobody asked for;
// nil when every option was used as what it is.
func (o *Options) Err() error {
	if o.err != nil {
		return o.err
	}
	var unused []string
	for k := range o.m {
		if !o.used[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		return fmt.Errorf("options %v not applied", unused)
	}
	return nil
}

func (o *Options) fail(key string, err error) {
	if o.err == nil {
		o.err = fmt.Errorf("option %s: %w", key, err)
	}
}

// float reads an option's number: a json.Number as Decode leaves it, or a float64.
func float(v any) (float64, error) {
	switch v := v.(type) {
	case float64:
		return v, nil
	case json.Number:
		return v.Float64()
	}
	return 0, fmt.Errorf("%v (%T), want a number", v, v)
}
