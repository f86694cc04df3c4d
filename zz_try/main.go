package main

import (
	"os"

	"github.com/confmedia/confmedia/pipeline/internal/heif/heiftest"
)

func main() {
	os.WriteFile("/tmp/heictest/c.heic", heiftest.Container(heiftest.Spec{Width: 64, Height: 48, Rotation: 1, Exif: []byte("MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"), XMP: []byte("<x/>")}), 0o644)
}
