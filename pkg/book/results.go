package book

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// saveJSON writes v as indented JSON to path, creating its folder: how a notebook cell hands its
// results to a later cell, which GoNB runs as a new process. what names them in errors.
func saveJSON(path, what string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err == nil {
		err = os.MkdirAll(filepath.Dir(path), 0o755)
	}
	if err == nil {
		err = os.WriteFile(path, data, 0o644)
	}
	if err != nil {
		return fmt.Errorf("book: save %s: %w", what, err)
	}
	return nil
}

// loadJSON reads back what saveJSON wrote; hint says which cell writes it, for a missing file.
func loadJSON[T any](path, hint string) (T, error) {
	var v T
	data, err := os.ReadFile(path)
	if err != nil {
		return v, fmt.Errorf("book: %w (%s)", err, hint)
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return v, fmt.Errorf("book: %s: %w", path, err)
	}
	return v, nil
}
