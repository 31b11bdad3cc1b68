package config

// DiscordConfig configures the Discord bot. The token comes only from the environment.
type DiscordConfig struct {
	// Enabled turns the bot on; it is on when a token is configured.
	Enabled bool `yaml:"-"`
}

func defaultDiscord() DiscordConfig { return DiscordConfig{} }

func (d *DiscordConfig) applyEnv(getenv Getenv) error { return nil }

func (d DiscordConfig) validate() []error { return nil }
