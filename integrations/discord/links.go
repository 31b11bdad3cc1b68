package discord

import (
	"fmt"
	"strings"

	"github.com/slopguard/slopguard/store"
)

// Links to messages: the jump link Discord opens a message with, read back
// from what a moderator pastes, and the snowflake IDs inside it.

// jumpLink is the URL that opens a message in Discord.
func jumpLink(guildID, channelID, messageID string) string {
	return "https://discord.com/channels/" + guildID + "/" + channelID + "/" + messageID
}

// decisionChannel is the channel of a decision's message: the one recorded
// with it or, for a decision stored before channels were (schema 9), the one
// in its jump link; "" when neither says.
func decisionChannel(d store.Decision) string {
	if d.ChannelID != "" {
		return d.ChannelID
	}
	_, channelID, _, err := parseJumpLink(d.ItemURL)
	if err != nil {
		return ""
	}
	return channelID
}

// parseJumpLink splits a message link into its IDs.
func parseJumpLink(link string) (guildID, channelID, messageID string, err error) {
	s := strings.TrimSpace(link)
	for _, prefix := range []string{"https://", "http://"} {
		s = strings.TrimPrefix(s, prefix)
	}
	for _, host := range []string{"discord.com/", "ptb.discord.com/", "canary.discord.com/", "discordapp.com/"} {
		if strings.HasPrefix(s, host) {
			s = strings.TrimPrefix(s, host)
			break
		}
	}
	parts := strings.Split(strings.Trim(s, "/"), "/")
	if len(parts) != 4 || parts[0] != "channels" || !isSnowflake(parts[1]) || !isSnowflake(parts[2]) || !isSnowflake(parts[3]) {
		// The link is the user's input: quote only its start back.
		return "", "", "", fmt.Errorf("%q is not a message link like https://discord.com/channels/1/2/3", clip(strings.TrimSpace(link), 60))
	}
	return parts[1], parts[2], parts[3], nil
}

func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
