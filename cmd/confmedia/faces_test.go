package main

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/pipeline/face"
	"github.com/confmedia/confmedia/workers"
)

// TestFacesConfig: faces default on and recognition off; recognition
// without faces is refused; a binary without face models runs with faces
// off and says so once.
func TestFacesConfig(t *testing.T) {
	for _, tt := range []struct {
		faces, recognition string
		want               [2]bool
		wantErr            bool
	}{
		{"", "", [2]bool{true, false}, false},
		{"false", "", [2]bool{false, false}, false},
		{"", "true", [2]bool{true, true}, false},
		{"false", "true", [2]bool{}, true},
		{"maybe", "", [2]bool{}, true},
	} {
		env := map[string]string{"CONFMEDIA_DATA": filepath.Join(t.TempDir(), "var"),
			"CONFMEDIA_FACES": tt.faces, "CONFMEDIA_FACE_RECOGNITION": tt.recognition}
		m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }}
		cfg, err := m.loadConfig()
		if (err != nil) != tt.wantErr {
			t.Errorf("FACES=%q RECOGNITION=%q: %v, want error %v", tt.faces, tt.recognition, err, tt.wantErr)
			continue
		}
		if got := [2]bool{cfg.Faces, cfg.FaceRecognition}; err == nil && got != tt.want {
			t.Errorf("FACES=%q RECOGNITION=%q: faces, recognition %v, want %v", tt.faces, tt.recognition, got, tt.want)
		}
	}

	noModels := func() (workers.FaceFinder, error) { return nil, face.ErrNoModels }
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	finder, recognition, err := faceFinder(Config{Faces: true}, log, noModels)
	if err != nil || finder != nil || recognition {
		t.Errorf("without models: %v, %v, %v; want faces off", finder, recognition, err)
	}
	if strings.Count(logs.String(), "faces off") != 1 {
		t.Errorf("log %q, want one line saying faces are off", logs.String())
	}
	if _, _, err := faceFinder(Config{Faces: true, FaceRecognition: true}, log, noModels); err == nil || !strings.Contains(err.Error(), "no face models") {
		t.Errorf("recognition without models: %v, want an error saying the binary has no face models", err)
	}
	// With the models make build embeds, the worker finds faces.
	if _, err := loadFaceModel(); errors.Is(err, face.ErrNoModels) {
		t.Log("this binary has no face models (make build fetches them): not checking the run with them")
		return
	}
	if finder, _, err = faceFinder(Config{Faces: true}, log, loadFaceModel); err != nil || finder == nil {
		t.Errorf("with the built-in models: %v, %v", finder, err)
	}
}
