package workers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/rendition"
	"github.com/hibiken/asynq"
)

// TestCheckOriginal: what arrived in the bucket is checked before it is
// processed; an original that is not what was announced ends failed with
// the reason and the error is not retried.
func TestCheckOriginal(t *testing.T) {
	photo := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"})
	other := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:20:00"})
	heic := append([]byte("\x00\x00\x00\x18ftypheic"), make([]byte, 64)...)
	// A HEIC without its boxes: damaged for the build that decodes HEIC,
	// refused as HEIC by the pure-Go one.
	heicReason := "cannot decode image"
	if !rendition.DecodesHEIF() {
		heicReason = "HEIC needs the cgo build"
	}
	tests := []struct {
		name     string
		uploaded []byte // what the item's id is the hash of
		stored   []byte // what the bucket holds (nil: the same)
		bytes    int64  // recorded size (0: none)
		file     string
		reason   string // "" when the original is fine
	}{
		{"honest", photo, nil, int64(len(photo)), "a.jpg", ""},
		{"honest, no size recorded", photo, nil, 0, "a.jpg", ""},
		{"a lying client's bytes", photo, other, 0, "a.jpg", "content does not match its id"},
		{"other size than uploaded", photo, nil, int64(len(photo)) + 1, "a.jpg", "not the"},
		{"not an image", []byte("just some text, no pixels"), nil, 0, "notes.jpg", "not an image"},
		{"HEIC named .jpg", heic, nil, 0, "IMG_1.jpg", heicReason},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			m := f.upload(t, tt.uploaded, catalog.Media{SourceName: tt.file, Room: "Hall A", Bytes: tt.bytes})
			data := tt.uploaded
			if tt.stored != nil {
				data = tt.stored
			}
			err := f.h.checkOriginal(context.Background(), m, data)
			got, gerr := f.store.Media(context.Background(), m.ID)
			if gerr != nil {
				t.Fatal(gerr)
			}
			if tt.reason == "" {
				if err != nil || got.Status != catalog.Pending {
					t.Errorf("checkOriginal = %v, status %s; want nil and the item still pending", err, got.Status)
				}
				return
			}
			if err == nil || !errors.Is(err, asynq.SkipRetry) {
				t.Errorf("checkOriginal = %v, want a permanent error", err)
			}
			if got.Status != catalog.Failed || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("status %s, reason %q; want failed with a reason containing %q", got.Status, got.Reason, tt.reason)
			}
		})
	}
}

// TestProcessMediaFailsNonImages: an original that arrived straight in the
// bucket without the server's checks, and is no image, ends failed with the
// reason, is not retried and gets no renditions.
func TestProcessMediaFailsNonImages(t *testing.T) {
	f := newFixture(t)
	m := f.upload(t, []byte("%PDF-1.7 a document, not a photo"), catalog.Media{SourceName: "slides.jpg", Room: "Hall A"})
	got, err := f.process(t, m)
	if err == nil || !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("ProcessMedia = %v, want a permanent error", err)
	}
	if got.Status != catalog.Failed || !strings.Contains(got.Reason, "image") || len(got.Renditions) != 0 {
		t.Errorf("status %s, reason %q, renditions %v; want failed, naming the image problem, none", got.Status, got.Reason, got.Renditions)
	}
	for _, name := range []string{"large", "medium", "square"} {
		if _, err := f.blobs.Stat(context.Background(), catalog.RenditionKey(m.ID, name)); !catalog.IsNotFound(err) {
			t.Errorf("rendition %s stored: %v", name, err)
		}
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
