package normalize

import (
	"testing"
	"unicode/utf8"
)

// checkInvariants fails t unless Normalize(in) meets the properties every
// result must have: valid UTF-8, idempotence, and an offset map that is in
// bounds and monotonic, with every rune of S mapped to a non-empty input span.
func checkInvariants(t *testing.T, in string) Text {
	t.Helper()
	got := Normalize(in)
	if !utf8.ValidString(got.S) {
		t.Fatalf("Normalize(%q).S = %q, not valid UTF-8", in, got.S)
	}
	if again := Normalize(got.S); again.S != got.S {
		t.Fatalf("not idempotent: Normalize(%q).S = %q, Normalize of that = %q", in, got.S, again.S)
	}
	prevA, prevB := 0, 0
	for i, r := range got.S {
		j := i + utf8.RuneLen(r)
		if r == utf8.RuneError {
			j = i + len(string(utf8.RuneError))
		}
		a, b := got.Original(i, j)
		if a < prevA || b < prevB || a >= b || b > len(in) {
			t.Fatalf("Normalize(%q): Original(%d, %d) = %d, %d after %d, %d; want 0 <= a < b <= %d, monotonic",
				in, i, j, a, b, prevA, prevB, len(in))
		}
		prevA, prevB = a, b
	}
	if a, b := got.Original(0, len(got.S)); len(got.S) > 0 && (a < 0 || b > len(in) || a > b) {
		t.Fatalf("Normalize(%q): Original(0, %d) = %d, %d out of bounds", in, len(got.S), a, b)
	}
	return got
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", "plain ascii", "  a  b \t\r\n\r\n\n\nc  ", "pаypal", "This іѕ а test", "Москва",
		"ﬁ ｆｕｌｌ 𝐛𝐨𝐥𝐝", "a\u200bb\u200d", "x\xffy\xc3", "e\u0301", "e\x00\u0301",
		"👨\u200d👩\u200d👧", "Ο\u0308", "о\u0323", "\u00a8\u00a8 \u00a8", "\ufdfa",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkInvariants(t, s)
	})
}
