package model

import (
	"math"
	"testing"
)

func TestHalfRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want float32
	}{
		{0, 0},
		{1, 1},
		{-2, -2},
		{0.5, 0.5},
		{1.0 / 3, 0.33325195},
		{65504, 65504},
		{1e6, float32(math.Inf(1))},
		{6.1035156e-05, 6.1035156e-05}, // smallest normal
		{5.9604645e-08, 5.9604645e-08}, // smallest subnormal
		{1e-9, 0},
	}
	for _, tt := range tests {
		if got := fromHalf(toHalf(tt.in)); got != tt.want {
			t.Errorf("half(%g) = %g, want %g", tt.in, got, tt.want)
		}
	}
	// Every half value survives a round trip through float32.
	for h := 0; h < 1<<16; h++ {
		f := fromHalf(uint16(h))
		if f != f { // NaN
			continue
		}
		if back := toHalf(f); back != uint16(h) {
			t.Fatalf("toHalf(fromHalf(%#04x) = %g) = %#04x", h, f, back)
		}
	}
	// Within the trainer's weight cap the error is below 0.001.
	for x := float32(-2); x <= 2; x += 0.0001 {
		if d := math.Abs(float64(fromHalf(toHalf(x)) - x)); d > 0.001 {
			t.Fatalf("half(%g) off by %g", x, d)
		}
	}
}
