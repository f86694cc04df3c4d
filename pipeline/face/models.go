package face

import (
	"embed"
	"io/fs"
)

// models holds the face models make copies into model/ (only its README in
// a clone where they were not fetched).
//
//go:embed model
var models embed.FS

// Load returns the face models built into the binary, or ErrNoModels when
// it was built without them.
func Load() (*Model, error) {
	fsys, err := fs.Sub(models, "model")
	if err != nil {
		return nil, err
	}
	return load(fsys)
}
