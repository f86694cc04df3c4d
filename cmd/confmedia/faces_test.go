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

	if _, err := loadFaceModel(); !errors.Is(err, face.ErrNoModels) {
		t.Logf("the face models are built in (%v): not checking the run without them", err)
		return
	}
	var logs bytes.Buffer
	finder, recognition, err := faceFinder(Config{Faces: true, FaceRecognition: true}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil || finder != nil || recognition {
		t.Errorf("without models: %v, %v, %v; want faces and recognition off", finder, recognition, err)
	}
	if strings.Count(logs.String(), "faces off") != 1 {
		t.Errorf("log %q, want one line saying faces are off", logs.String())
	}
}
