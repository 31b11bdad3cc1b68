package moderation

import "fmt"

// Mode is how far slopguard may act in a scope.
type Mode int

// The modes, from doing nothing to acting on its own.
const (
	// ModeOff ignores the scope entirely.
	ModeOff Mode = iota
	// ModeObserve scores and records, but writes nothing to the platform.
	ModeObserve
	// ModeFlag tells people (check run, label, comment, mod-log post); the default.
	ModeFlag
	// ModeEnforce may also hide, close, delete or time out, past stricter limits.
	ModeEnforce
)

var modeNames = [...]string{ModeOff: "off", ModeObserve: "observe", ModeFlag: "flag", ModeEnforce: "enforce"}

// String returns the mode's configuration name.
func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m]
}

// ParseMode reads a mode name: off, observe, flag or enforce.
func ParseMode(s string) (Mode, error) {
	for i, name := range modeNames {
		if s == name {
			return Mode(i), nil
		}
	}
	return ModeFlag, fmt.Errorf("unknown mode %q (want off, observe, flag or enforce)", s)
}

// MarshalText encodes the mode as its name.
func (m Mode) MarshalText() ([]byte, error) {
	if m < 0 || int(m) >= len(modeNames) {
		return nil, fmt.Errorf("invalid mode %d", int(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText decodes a mode name, so YAML and JSON configs can say `mode: observe`.
func (m *Mode) UnmarshalText(b []byte) error {
	p, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = p
	return nil
}
