package disclosure_test

import (
	"fmt"

	"github.com/slopguard/slopguard/disclosure"
)

func Example() {
	body := "Retries failed uploads.\n\n🤖 Generated with [Claude Code](https://claude.ai/code)"
	for _, m := range disclosure.Scan(body, "text") {
		fmt.Printf("%s: %s at [%d,%d) %q\n", m.Agent, m.Evidence, m.Start, m.End, body[m.Start:m.End])
	}
	fmt.Println(disclosure.IsAgentAccount("devin-ai-integration[bot]"), disclosure.IsAgentAccount("coderabbitai[bot]"))
	// Output:
	// Claude Code: footer at [30,82) "Generated with [Claude Code](https://claude.ai/code)"
	// true false
}
