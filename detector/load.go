package detector

import (
	"fmt"
	"os"
)

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

// Open returns the detector of the model file at path, or the embedded
// default model when path is empty.
func Open(path string) (*Detector, error) {
	if path == "" {
		return Default()
	}
	return LoadFile(path)
}
