package config

import "fmt"

// DetectorConfig chooses the model.
type DetectorConfig struct {
	// Model is the path of a model file; empty means the model embedded in the binary.
	Model string `yaml:"model"`
	// Workers bounds how many texts serve scores at once, GitHub and Discord
	// together; 0 means the number of CPUs.
	Workers int `yaml:"workers"`
}

func defaultDetector() DetectorConfig { return DetectorConfig{} }

func (d *DetectorConfig) applyEnv(getenv Getenv) error {
	if v := getenv("SLOPGUARD_MODEL"); v != "" {
		d.Model = v
	}
	return nil
}

func (d DetectorConfig) validate() []error {
	if d.Workers < 0 {
		return []error{fmt.Errorf("detector.workers: %d is negative", d.Workers)}
	}
	return nil
}
