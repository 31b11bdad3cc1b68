package detector_test

import (
	"fmt"

	"github.com/slopguard/slopguard/detector"
)

func Example() {
	d, err := detector.Default()
	if err != nil {
		fmt.Println("load:", err)
		return
	}
	res := d.Score("ok")
	fmt.Println(res.Verdict, "-", res.Note)
	// Output: unsure - too short to judge
}
