package quick

import "testing"

func TestPick(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want int
		mode string
	}{{"", 100, "full"}, {"0", 100, "full"}, {"1", 3, "quick"}, {"true", 3, "quick"}, {" YES ", 3, "quick"}} {
		t.Setenv(Env, tc.env)
		if got := Pick(3, 100); got != tc.want || Mode() != tc.mode {
			t.Errorf("%s=%q: Pick(3, 100) = %d, Mode() = %q; want %d, %q", Env, tc.env, got, Mode(), tc.want, tc.mode)
		}
	}
}
