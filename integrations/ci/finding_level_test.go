package ci

import "testing"

func TestLevelNameFallsBackToNotice(t *testing.T) {
	t.Parallel()
	names := sarifLevels[:]
	tests := []struct {
		level Level
		want  string
	}{{LevelNotice, "note"}, {LevelWarning, "warning"}, {LevelError, "error"}, {Level(-1), "note"}, {Level(len(names)), "note"}}
	for _, tt := range tests {
		if got := tt.level.name(names); got != tt.want {
			t.Errorf("Level(%d).name = %q, want %q", int(tt.level), got, tt.want)
		}
	}
}
