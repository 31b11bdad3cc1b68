package config

// GitHubConfig configures the GitHub App. Secrets come only from the environment.
type GitHubConfig struct {
	// Enabled turns the GitHub App on; it is on when an App ID is configured.
	Enabled bool `yaml:"-"`
}

func defaultGitHub() GitHubConfig { return GitHubConfig{} }

func (g *GitHubConfig) applyEnv(getenv Getenv) error { return nil }

func (g GitHubConfig) validate() []error { return nil }
