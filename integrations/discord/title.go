package discord

// channelTitle names a message's place for a decision's title: "#name" of
// its channel, or of a thread's parent channel (a thread's own name is
// often a member's words, a channel's is the server's). It reads only the
// gateway cache, never the API: an empty string when the channel is not
// cached or has no name.
func (b *Bot) channelTitle(channelID string) string {
	if b.channels == nil || channelID == "" {
		return ""
	}
	ch, err := b.channels.Channel(channelID)
	if err != nil || ch == nil {
		return ""
	}
	if ch.IsThread() {
		if ch, err = b.channels.Channel(ch.ParentID); err != nil || ch == nil {
			return ""
		}
	}
	if ch.Name == "" {
		return ""
	}
	return "#" + ch.Name
}
