// Package config holds slopguard's server configuration: plain structs,
// Default, Load (strict YAML, then environment overrides for secrets and
// addresses) and Validate, which reports every problem at once.
//
// Each section lives in its own file: store.go, detector.go, github.go, discord.go, web.go.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is the whole `slopguard serve` configuration.
type Config struct {
	// Listen is the HTTP address of the server (webhooks, health, and
	// metrics unless MetricsListen is set).
	Listen string `yaml:"listen"`
	// MetricsListen, when set, serves /metrics on this address of its own
	// (for example 127.0.0.1:9090) instead of on Listen, so the public
	// webhook listener does not expose it.
	MetricsListen string `yaml:"metrics_listen"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level"`
	// LogFormat is text or json.
	LogFormat string         `yaml:"log_format"`
	Store     StoreConfig    `yaml:"store"`
	Detector  DetectorConfig `yaml:"detector"`
	GitHub    GitHubConfig   `yaml:"github"`
	Discord   DiscordConfig  `yaml:"discord"`
	Web       WebConfig      `yaml:"web"`
}

// Default returns the configuration used when no file is given.
func Default() Config {
	return Config{
		Listen:    ":8080",
		LogLevel:  "info",
		LogFormat: "text",
		Store:     defaultStore(),
		Detector:  defaultDetector(),
		GitHub:    defaultGitHub(),
		Discord:   defaultDiscord(),
		Web:       defaultWeb(),
	}
}

// Getenv looks up an environment variable; os.Getenv in production, a map in tests.
type Getenv func(key string) string

// Load reads the YAML file at path (optional: "" means defaults only), then
// applies environment overrides, then validates. Unknown keys are errors.
func Load(path string, getenv Getenv) (Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("read config: %w", err)
		}
		if err := Parse(data, &cfg); err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if err := cfg.applyEnv(getenv); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Parse decodes YAML strictly into cfg, on top of what cfg already holds.
func Parse(data []byte, cfg *Config) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // only comments: an empty file
		}
		return fmt.Errorf("parse yaml: %w", readableYAMLError(err))
	}
	// A second YAML document would be ignored silently: refuse it.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return errors.New("parse yaml: the file holds more than one YAML document (a second ---); put everything in one")
	}
	return nil
}

func (c *Config) applyEnv(getenv Getenv) error {
	if v := getenv("SLOPGUARD_METRICS_LISTEN"); v != "" {
		c.MetricsListen = v
	}
	if v := getenv("SLOPGUARD_LISTEN"); v != "" {
		c.Listen = v
	}
	var errs []error
	for _, apply := range []func(Getenv) error{c.Store.applyEnv, c.Detector.applyEnv, c.GitHub.applyEnv, c.Discord.applyEnv, c.Web.applyEnv} {
		if err := apply(getenv); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Validate reports every problem in the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.Listen == "" {
		errs = append(errs, errors.New("listen: must not be empty"))
	}
	if c.MetricsListen != "" && c.MetricsListen == c.Listen {
		errs = append(errs, fmt.Errorf("metrics_listen: %q is the same address as listen; leave it empty to serve /metrics there", c.MetricsListen))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log_level: %q is not debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log_format: %q is not text or json", c.LogFormat))
	}
	errs = append(errs, c.Store.validate()...)
	errs = append(errs, c.Detector.validate()...)
	errs = append(errs, c.GitHub.validate()...)
	errs = append(errs, c.Discord.validate()...)
	errs = append(errs, c.Web.validate()...)
	return errors.Join(errs...)
}

// Warnings are the problems that do not stop the configuration from
// loading, such as keys still accepted but ignored; serve logs them.
func (c Config) Warnings() []string {
	return c.GitHub.warnings()
}

// secret returns the value of NAME, or the trimmed contents of the file named
// by NAME_FILE; it is an error to set both.
func secret(getenv Getenv, name string) (string, error) {
	v, file := getenv(name), getenv(name+"_FILE")
	switch {
	case v != "" && file != "":
		return "", fmt.Errorf("%s and %s_FILE are both set: use one", name, name)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %w", name, err)
		}
		v := string(bytes.TrimSpace(b))
		if v == "" {
			return "", fmt.Errorf("%s_FILE: %s is empty", name, file)
		}
		return v, nil
	default:
		return v, nil
	}
}

// goTypeField matches yaml.v3's message for an unknown key, which names a
// Go type the reader of a config file has never heard of.
var goTypeField = regexp.MustCompile(`field (\S+) not found in type \S+`)

// readableYAMLError rewrites yaml.v3's unmarshal errors for people: one
// problem per line, an unknown key called an unknown key.
func readableYAMLError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, 0, len(te.Errors))
	for _, m := range te.Errors {
		msgs = append(msgs, goTypeField.ReplaceAllString(m, `unknown key "$1"`))
	}
	return errors.New(strings.Join(msgs, "; "))
}
