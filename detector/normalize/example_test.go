package normalize_test

import (
	"fmt"
	"strings"

	"github.com/slopguard/slopguard/detector/normalize"
)

func Example() {
	// A Cyrillic а hides in "pаypal", a zero-width space splits "log\u200bin",
	// "ﬁ" is a ligature, and the spacing is untidy.
	in := "Verify  your pаypal log\u200bin ﬁrst.  \r\n\r\n\r\nThanks"
	t := normalize.Normalize(in)
	fmt.Printf("%q\n", t.S)
	fmt.Printf("%+v\n", t.Stats)

	// Map the normalised word "paypal" back to what the user wrote.
	i := strings.Index(t.S, "paypal")
	start, end := t.Original(i, i+len("paypal"))
	fmt.Printf("%q\n", in[start:end])
	// Output:
	// "Verify your paypal login first.\n\nThanks"
	// {Homoglyphs:1 Invisible:1 InvalidBytes:0 Compat:1 Whitespace:6 Truncated:0}
	// "pаypal"
}
