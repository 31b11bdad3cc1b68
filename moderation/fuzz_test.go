package moderation

import (
	"testing"
)

// FuzzParsePolicy feeds arbitrary bytes to ParsePolicy, which reads a file any
// repository owner controls. It must never panic, and a policy it accepts
// must be valid.
func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		"",
		"mode: observe\n",
		"mode: enforce\nthreshold: 0.95\nenforce:\n  close_after_hours: 24\n  minimize: true\n",
		"exempt:\n  users: [alice, 'bob']\n  teams: [acme/core]\n  labels: [skip-slopguard]\n",
		"label:\n  name: possible-slop\n  color: ededed\n",
		"comment:\n  enabled: false\n",
		"mode: [1, 2]\n",
		"a: &a [*a, *a]\n",
		"threshold: .nan\n",
		"threshold: 1e309\n",
		"mode: \"\\u0000\"\n",
		"%YAML 1.1\n---\nmode: flag\n",
		"mode: flag\n---\nmode: off\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy(data)
		if err != nil {
			if err.Error() == "" {
				t.Errorf("got an empty error for %q", data)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Errorf("ParsePolicy accepted %q, but Validate says: %v", data, err)
		}
	})
}
