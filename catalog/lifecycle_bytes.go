package catalog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// RenditionBlobs is what SyncRenditions needs of a bucket.
type RenditionBlobs interface {
	BlobGetter
	BlobPutter
	BlobStatter
	BlobDeleter
	BlobLister
}

// MediaReader reads media items; MediaStore implements it.
type MediaReader interface {
	Media(ctx context.Context, id string) (*Media, error)
}

// maxRenditionBytes bounds a staff copy read back to be published.
const maxRenditionBytes = 64 << 20

// syncRounds bounds how often SyncRenditions starts over when the item's
// status changes under it.
const syncRounds = 4

// SyncRenditions makes the rendition bytes of media item id match its
// status as stored (RenditionsFor): a public item's renditions are copied
// from their staff keys to their public keys where missing; an item that is
// not public loses every object under its public prefix (a rendition that
// exists only there, made before staff copies existed, is first copied to
// its staff key); a hidden or failed item loses its staff copies too. Every path that changes an
// item's status calls it after the change is stored: the worker after
// deciding, review, takedown and re-tagging.
//
// It is idempotent and safe to run concurrently with any other change: after
// writing it reads the status again and starts over when it changed, so
// the last writer of a status always leaves the bytes that status wants.
// An item that no longer exists loses its public and staff copies. Errors
// are the store's and the bucket's, to be retried.
func SyncRenditions(ctx context.Context, store MediaReader, blobs RenditionBlobs, id string) error {
	var last Status
	for round := 0; round < syncRounds; round++ {
		m, err := store.Media(ctx, id)
		var status Status // "" for an item that is gone
		switch {
		case err == nil:
			status = m.Status
		case !IsNotFound(err):
			return err
		}
		if round > 0 && status == last {
			return nil
		}
		last = status
		staff, public := RenditionsFor(status)
		if public {
			if err := copyRenditions(ctx, blobs, m, StaffRenditionKey, RenditionKey, false); err != nil {
				return err
			}
		} else {
			if staff {
				// Renditions made before staff copies existed live only
				// under public/: keep them for staff before unpublishing.
				if err := copyRenditions(ctx, blobs, m, RenditionKey, StaffRenditionKey, false); err != nil {
					return err
				}
			}
			if err := deletePrefix(ctx, blobs, publicMediaPrefix(id)); err != nil {
				return err
			}
		}
		if !staff {
			if err := deletePrefix(ctx, blobs, staffMediaPrefix(id)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReplacedRenditions publishes the renditions names of media item id
// again after their staff copies were replaced (the faces task cuts an
// item's squares again around its faces): while the item is public, their
// public copies are overwritten from the staff ones; then SyncRenditions
// makes every byte match the status as stored, which may have changed
// meanwhile. Errors are SyncRenditions'.
func ReplacedRenditions(ctx context.Context, store MediaReader, blobs RenditionBlobs, id string, names []string) error {
	m, err := store.Media(ctx, id)
	switch {
	case IsNotFound(err):
		return SyncRenditions(ctx, store, blobs, id)
	case err != nil:
		return err
	}
	if _, public := RenditionsFor(m.Status); public {
		c := *m
		c.Renditions = nil
		for _, r := range m.Renditions {
			if slices.Contains(names, r.Name) {
				c.Renditions = append(c.Renditions, r)
			}
		}
		if err := copyRenditions(ctx, blobs, &c, StaffRenditionKey, RenditionKey, true); err != nil {
			return err
		}
	}
	return SyncRenditions(ctx, store, blobs, id)
}

// copyRenditions copies m's renditions from their keys by from to their
// keys by to, skipping those missing at from and, unless replace, those
// already there (renditions change only through ReplacedRenditions).
func copyRenditions(ctx context.Context, blobs RenditionBlobs, m *Media, from, to func(id, name string) string, replace bool) error {
	for _, r := range m.Renditions {
		dst := to(m.ID, r.Name)
		if !replace {
			if _, err := blobs.Stat(ctx, dst); err == nil {
				continue
			} else if !IsNotFound(err) {
				return err
			}
		}
		src := from(m.ID, r.Name)
		rc, info, err := blobs.Get(ctx, src)
		if IsNotFound(err) {
			continue // nothing to copy
		}
		if err != nil {
			return fmt.Errorf("copy %s of %s to %s: %w", r.Name, m.SourceName, dst, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxRenditionBytes+1))
		rc.Close()
		if err != nil {
			return E(Unavailable, "catalog.SyncRenditions", err, "cannot read %s", src)
		}
		if len(data) > maxRenditionBytes {
			return E(TooLarge, "catalog.SyncRenditions", nil, "%s is over %d bytes", src, maxRenditionBytes)
		}
		ctype := info.ContentType
		if ctype == "" || strings.HasPrefix(ctype, "application/octet-stream") {
			ctype = "image/jpeg"
		}
		if err := blobs.Put(ctx, dst, bytes.NewReader(data), int64(len(data)), ctype); err != nil {
			return err
		}
	}
	return nil
}

// deletePrefix deletes every blob under prefix.
func deletePrefix(ctx context.Context, blobs RenditionBlobs, prefix string) error {
	keys, err := blobs.List(ctx, prefix)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := blobs.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}
