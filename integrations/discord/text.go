package discord

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// Text the bot writes for people: excerpts, quotes, the reasons shown as
// patterns found, durations and ordinals.

// humanDuration writes 1h0m0s as "1h", 30m0s as "30m", 48h as "2d".
func humanDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	default:
		return d.String()
	}
}

func ordinal(n int) string {
	switch n {
	case 1:
		return "first"
	case 2:
		return "second"
	case 3:
		return "third"
	}
	return strconv.Itoa(n) + "th"
}

// reasonList renders the reasons people are shown as patterns found
// (moderation.ShownReasons: up to n pointing towards machine writing, then
// the note on hidden characters) as a bullet list.
func reasonList(r detector.Result, n int) string {
	var lines []string
	for _, reason := range moderation.ShownReasons(r.Reasons, n) {
		lines = append(lines, "• "+reason.Text)
	}
	if len(lines) == 0 {
		if r.Note != "" {
			return r.Note
		}
		return "no single pattern stands out"
	}
	return strings.Join(lines, "\n")
}

// excerpt cuts s to at most n runes on a rune boundary.
func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}

func quote(s string) string {
	if s == "" {
		return ""
	}
	return "> " + strings.ReplaceAll(s, "\n", "\n> ")
}
