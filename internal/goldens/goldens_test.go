package goldens

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeAndNumber(t *testing.T) {
	var doc struct {
		Typed []float64 `json:"typed"`
		Data  []any     `json:"data"`
	}
	if err := Decode([]byte(`{"typed":[0.5,2],"data":[0.1,"nan","inf","-inf",1e-300]}`), &doc); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc.Typed, []float64{0.5, 2}) {
		t.Errorf("typed field = %v, want [0.5 2]", doc.Typed)
	}
	var got32, got64 []float64
	for _, v := range doc.Data {
		f32, err := Number(v, 32)
		if err != nil {
			t.Fatal(err)
		}
		f64, err := Number(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		got32, got64 = append(got32, f32), append(got64, f64)
	}
	if got32[0] != float64(float32(0.1)) || got64[0] != 0.1 {
		t.Errorf("0.1 parsed as %v (32 bits) and %v (64 bits)", got32[0], got64[0])
	}
	if !math.IsNaN(got64[1]) || got64[2] != math.Inf(1) || got64[3] != math.Inf(-1) || got64[4] != 1e-300 {
		t.Errorf("Number = %v, want [0.1 NaN +Inf -Inf 1e-300]", got64)
	}
	for _, bad := range []any{"many", true, nil} {
		if _, err := Number(bad, 64); err == nil {
			t.Errorf("Number(%v) succeeded, want an error", bad)
		}
	}
	if err := Decode([]byte(`{`), &doc); err == nil {
		t.Error("Decode of broken JSON succeeded")
	}
}

func TestOptions(t *testing.T) {
	var doc struct{ Options map[string]any }
	if err := Decode([]byte(`{"options":{"lr":0.1,"betas":[0.8,0.9],"nesterov":true,"reduction":"sum","eps":1e-8}}`), &doc); err != nil {
		t.Fatal(err)
	}
	o := NewOptions(doc.Options)
	if lr, ok := o.Float("lr"); !ok || lr != 0.1 {
		t.Errorf("Float(lr) = %v, %v", lr, ok)
	}
	if m := o.FloatOr("momentum", 0.5); m != 0.5 {
		t.Errorf("FloatOr(momentum, 0.5) = %v, want the default", m)
	}
	if b, ok := o.Floats("betas"); !ok || !reflect.DeepEqual(b, []float64{0.8, 0.9}) {
		t.Errorf("Floats(betas) = %v, %v", b, ok)
	}
	if n, ok := o.Bool("nesterov"); !ok || !n {
		t.Errorf("Bool(nesterov) = %v, %v", n, ok)
	}
	if r, ok := o.String("reduction"); !ok || r != "sum" {
		t.Errorf("String(reduction) = %q, %v", r, ok)
	}
	if err := o.Err(); err == nil || err.Error() != "options [eps] not applied" {
		t.Errorf("Err() = %v, want eps not applied", err)
	}
	if eps := o.FloatOr("eps", 1); eps != 1e-8 || o.Err() != nil {
		t.Errorf("FloatOr(eps) = %v, then Err() = %v; want 1e-08 and nil", eps, o.Err())
	}

	// Options as losses.GoldenCase holds them: float64, not json.Number.
	wrong := NewOptions(map[string]any{"margin": 0.5, "p": "2", "swap": 1.0, "betas": 0.9, "name": 3.0})
	if m, _ := wrong.Float("margin"); m != 0.5 {
		t.Errorf("Float(margin) = %v, want 0.5", m)
	}
	wrong.Float("p")
	wrong.Bool("swap")
	wrong.Floats("betas")
	wrong.String("name")
	if err := wrong.Err(); err == nil || !strings.Contains(err.Error(), `option p: 2 (string), want a number`) {
		t.Errorf("Err() = %v, want the first option of the wrong type", err)
	}
}
