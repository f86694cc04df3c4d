package main

import (
	"errors"
	"log/slog"

	"github.com/confmedia/confmedia/pipeline/face"
	"github.com/confmedia/confmedia/workers"
)

// loadFaceModel loads the face models built into the binary, or returns
// face.ErrNoModels. It stands in for face.Load until pipeline/face has it:
// then it becomes
//
//	mdl, err := face.Load()
//	if err != nil {
//		return nil, err
//	}
//	return mdl, nil
func loadFaceModel() (workers.FaceFinder, error) {
	return nil, face.ErrNoModels
}

// faceFinder returns what the workers find faces with, and whether
// recognition is on: nil and false when faces are off by configuration, or
// when the binary has no face models (logged once, here, at start); the
// workers then keep the square rule without faces. An error loading models
// that are built in is returned.
func faceFinder(cfg Config, log *slog.Logger) (workers.FaceFinder, bool, error) {
	if !cfg.Faces {
		log.Info("faces off (CONFMEDIA_FACES=false): squares are cut without faces")
		return nil, false, nil
	}
	finder, err := loadFaceModel()
	if errors.Is(err, face.ErrNoModels) {
		log.Warn("faces off: this binary has no face models (build it with make build); squares are cut without faces",
			"recognition_requested", cfg.FaceRecognition)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	log.Info("faces on", "recognition", cfg.FaceRecognition)
	return finder, cfg.FaceRecognition, nil
}
