package discord

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Discord's limits on what one message may carry, in characters. A message
// over any of them is refused with 400 Invalid Form Body, and what it said is
// lost.
const (
	maxContent          = 2000
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxEmbedFields      = 25
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxFooterText       = 2048
	maxAuthorName       = 256
	maxEmbedTotal       = 6000
)

// clip cuts s to at most n runes on a rune boundary, ending with "…" when it
// had to cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:n-1]), unicode.IsSpace) + "…"
}

// fitEmbed cuts e to Discord's embed limits and returns it: each text to its
// own limit, at most 25 fields (the first 24 and the newest), empty field
// names and values (also refused) replaced by "-", and then, while the embed
// is over 6000 characters in all, the longest of the description and the
// field values shortened. Fields are copied, never changed in place, so an
// embed whose fields came from another message can be passed.
func fitEmbed(e *discordgo.MessageEmbed) *discordgo.MessageEmbed {
	if e == nil {
		return nil
	}
	e.Title = clip(e.Title, maxEmbedTitle)
	e.Description = clip(e.Description, maxEmbedDescription)
	if e.Footer != nil {
		f := *e.Footer
		f.Text = clip(f.Text, maxFooterText)
		e.Footer = &f
	}
	if e.Author != nil {
		a := *e.Author
		a.Name = clip(a.Name, maxAuthorName)
		e.Author = &a
	}
	src := e.Fields
	if len(src) > maxEmbedFields {
		src = append(src[:maxEmbedFields-1:maxEmbedFields-1], src[len(src)-1])
	}
	fields := make([]*discordgo.MessageEmbedField, 0, len(src))
	for _, f := range src {
		if f == nil {
			continue
		}
		c := *f
		c.Name = clip(orDash(c.Name), maxFieldName)
		c.Value = clip(orDash(c.Value), maxFieldValue)
		fields = append(fields, &c)
	}
	if e.Fields != nil {
		e.Fields = fields
	}
	for {
		excess := embedLength(e) - maxEmbedTotal
		if excess <= 0 {
			return e
		}
		longest, n := &e.Description, utf8.RuneCountInString(e.Description)
		for _, f := range e.Fields {
			if m := utf8.RuneCountInString(f.Value); m > n {
				longest, n = &f.Value, m
			}
		}
		if n <= 1 {
			return e // titles and names alone are over; nothing sensible left to cut
		}
		*longest = clip(*longest, max(n-excess, 1))
	}
}

// embedLength counts the characters Discord counts towards an embed's 6000.
func embedLength(e *discordgo.MessageEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	if e.Author != nil {
		n += utf8.RuneCountInString(e.Author.Name)
	}
	return n
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

// interactionToken matches the token in an interaction callback or
// interaction webhook URL path. For fifteen minutes it lets whoever holds
// it answer as the bot, so it never goes into a log line or an error.
var interactionToken = regexp.MustCompile(`(/(?:interactions|webhooks)/[^/"\s]+/)[^/"\s]+`)

// RedactTokens replaces interaction tokens in s (a URL path, or an error
// that quotes one) with "***".
func RedactTokens(s string) string { return interactionToken.ReplaceAllString(s, "${1}***") }
