package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/confmedia/confmedia/pipeline/face"
	"github.com/confmedia/confmedia/workers"
)

// loadFaceModel loads the face models built into the binary, or returns
// face.ErrNoModels.
func loadFaceModel() (workers.FaceFinder, error) {
	m, err := face.Load()
	if err != nil {
		return nil, err
	}
	return m, nil
}

// faceFinder returns what the workers find faces with (loaded by load), and
// whether recognition is on: nil and false when faces are off by
// configuration, or when the binary has no face models (logged once, here,
// at start); the workers then keep the square rule without faces.
// Recognition asked for from a binary without models is an error: it
// would publish photos unchecked for the faces of people who opted out.
// An error loading models that are built in is returned.
func faceFinder(cfg Config, log *slog.Logger, load func() (workers.FaceFinder, error)) (workers.FaceFinder, bool, error) {
	if !cfg.Faces {
		log.Info("faces off (CONFMEDIA_FACES=false): squares are cut without faces")
		return nil, false, nil
	}
	finder, err := load()
	if errors.Is(err, face.ErrNoModels) {
		if cfg.FaceRecognition {
			return nil, false, fmt.Errorf("CONFMEDIA_FACE_RECOGNITION=true, but this binary has no face models: build it with make build, or turn recognition off")
		}
		log.Warn("faces off: this binary has no face models (build it with make build); squares are cut without faces")
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("face models: %w", err)
	}
	log.Info("faces on", "recognition", cfg.FaceRecognition)
	return finder, cfg.FaceRecognition, nil
}
