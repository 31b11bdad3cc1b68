package detector

import (
	"fmt"
	"os"
)

// Load builds a detector from a model file's bytes, validating everything.
func Load(data []byte) (*Detector, error) {
	return nil, fmt.Errorf("load model: not implemented yet")
}

// LoadFile reads and loads a model file.
func LoadFile(path string) (*Detector, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	d, err := Load(data)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", path, err)
	}
	return d, nil
}
