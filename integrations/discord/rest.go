package discord

import (
	"errors"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// Helpers for answers from Discord's REST API: which failure is which, and
// how to tell people about one.

// isUnknownMessage reports whether err is Discord's "Unknown Message"
// (10008): the message does not exist, for instance it is already deleted.
func isUnknownMessage(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeUnknownMessage
}

// restErrorText is a short description of a REST failure for people.
func restErrorText(err error) string {
	var rl *discordgo.RateLimitError
	if errors.Is(err, ErrRateLimited) || errors.As(err, &rl) {
		return "Discord is rate limiting the bot; try again in a minute"
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return fmt.Sprintf("%s (code %d)", re.Message.Message, re.Message.Code)
	}
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Status
	}
	return "request failed"
}

// isAlreadyAnswered reports whether err is Discord's "Interaction has
// already been acknowledged" (40060).
func isAlreadyAnswered(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeInteractionHasAlreadyBeenAcknowledged
}
