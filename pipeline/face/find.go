package face

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"slices"

	"github.com/confmedia/confmedia/pipeline/face/internal/nn"
)

// MaxFaces bounds the faces Find returns (the largest ones), and so the work
// one image can cause.
const MaxFaces = 50

// The weights manifests of the models Find runs, in the model directory.
const (
	detectorManifest = "tiny_face_detector_model-weights_manifest.json"
	landmarkManifest = "face_landmark_68_model-weights_manifest.json"
)

// describer computes a face's descriptor from the image and the face's 68
// landmarks in its pixels.
type describer interface {
	describe(img image.Image, landmarks []image.Point) (*Descriptor, error)
}

// Model finds faces in images. It is safe for concurrent use.
type Model struct {
	detector   *detector
	landmarker *landmarker
	// recognizer describes faces for Options.Describe (the recognition
	// net; tests put a fake in its place); nil when the recognition model
	// is not built in, and Find refuses Describe.
	recognizer describer
}

// load reads the models from fsys, the model directory: the detector, the
// landmark net and, when its manifest is there, the recognition net. It
// returns ErrNoModels when the detector's weights are not there (a build
// without the models), another error when a model is there but broken or
// incomplete.
func load(fsys fs.FS) (*Model, error) {
	if _, err := fs.Stat(fsys, detectorManifest); errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoModels
	}
	m := &Model{}
	w, err := nn.Load(fsys, detectorManifest)
	if err != nil {
		return nil, fmt.Errorf("face detector: %w", err)
	}
	if m.detector, err = newDetector(w); err != nil {
		return nil, fmt.Errorf("face detector %s: %w", detectorManifest, err)
	}
	if w, err = nn.Load(fsys, landmarkManifest); err != nil {
		return nil, fmt.Errorf("face landmarks: %w", err)
	}
	if m.landmarker, err = newLandmarker(w); err != nil {
		return nil, fmt.Errorf("face landmarks %s: %w", landmarkManifest, err)
	}
	switch r, err := loadRecognizer(fsys); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		m.recognizer = r
	}
	return m, nil
}

// Find returns the faces in img, the largest first, at most MaxFaces, each
// with its box, score and 68 landmarks, and with opt.Describe its
// descriptor. It returns ctx's error when ctx is done before it finishes.
func (m *Model) Find(ctx context.Context, img image.Image, opt Options) ([]Face, error) {
	if opt.Describe && m.recognizer == nil {
		return nil, errors.New("find faces: no recognition model loaded")
	}
	b := img.Bounds()
	if b.Empty() {
		return nil, nil
	}
	cs, err := m.detector.detect(ctx, img)
	if err != nil {
		return nil, fmt.Errorf("find faces: %w", err)
	}
	faces := boxes(cs, b)
	slices.SortStableFunc(faces, func(a, b Face) int { return area(b.Box) - area(a.Box) })
	faces = faces[:min(len(faces), MaxFaces)]
	for i := range faces {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("find faces: %w", err)
		}
		if faces[i].Landmarks, err = m.landmarker.landmarks(ctx, img, faces[i].Box); err != nil {
			return nil, fmt.Errorf("find faces: %w", err)
		}
		if opt.Describe {
			if faces[i].Descriptor, err = m.recognizer.describe(img, faces[i].Landmarks); err != nil {
				return nil, fmt.Errorf("find faces: describe face %d: %w", i, err)
			}
		}
	}
	return faces, nil
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }
