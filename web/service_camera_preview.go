package web

// What a camera's new clock offset would re-tag, before it is set: the
// review page shows it for a group's camera, then sets the offset through
// PUT /api/cameras/{key}. No HTTP here.

import (
	"context"
	"slices"
	"strings"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/confmedia/confmedia/web/api"
)

// OffsetPreview is api.OffsetPreview.
type OffsetPreview = api.OffsetPreview

// OffsetChange is api.OffsetChange.
type OffsetChange = api.OffsetChange

// PreviewCameraOffset says what setting camera key's clock offset to
// offset ("+1h", "-7m30s") would do to its event photos: it corrects each
// photo's capture time and tags it by the schedule as the workers do
// (match.ResolveTime, then Index.TagPhoto), and lists the photos whose
// status or talks would change. Photos a person decided, hidden and failed
// ones keep what they have and are only counted. It changes nothing. It
// returns NotFound for a camera with no photos, Invalid for an offset it
// cannot read or when no schedule is imported.
func (s reviewService) PreviewCameraOffset(ctx context.Context, key, offset string) (OffsetPreview, error) {
	const op = "web.PreviewCameraOffset"
	d, err := match.ParseOffset(strings.TrimSpace(offset))
	if err != nil {
		return OffsetPreview{}, catalog.E(catalog.Invalid, op, err, "offset %q: %s", offset, catalog.ErrorMessage(err))
	}
	idx, err := s.scheduleIndex(ctx)
	if err != nil {
		return OffsetPreview{}, err
	}
	if idx == nil {
		return OffsetPreview{}, catalog.E(catalog.Invalid, op, nil, "no schedule imported: a clock offset changes nothing yet")
	}
	items, err := s.Store.ListMedia(ctx, catalog.MediaFilter{Camera: key, Kind: catalog.Photo})
	if err != nil {
		return OffsetPreview{}, err
	}
	if len(items) == 0 {
		return OffsetPreview{}, catalog.E(catalog.NotFound, op, nil, "camera %q has no photos", key)
	}
	var current catalog.Camera
	if c, err := s.Store.Camera(ctx, key); err == nil {
		current = c
	} else if !catalog.IsNotFound(err) {
		return OffsetPreview{}, err
	}
	p := OffsetPreview{Camera: key, Current: current.Offset.String(), Offset: d.String(), Changes: []OffsetChange{}}
	for _, m := range items {
		if m.CameraTime.IsZero() {
			continue
		}
		p.Photos++
		if m.Decided || m.Status == catalog.Hidden || m.Status == catalog.Failed || m.Status == catalog.Pending {
			p.Decided++
			continue
		}
		taken := match.ResolveTime(m.CameraTime, d, idx.Zone())
		md := idx.TagPhoto(match.PhotoInput{Room: m.Room, Taken: taken, People: append(slices.Clone(m.People), m.Subjects...)})
		if md.Status == m.Status && slices.Equal(md.TalkIDs, m.TalkIDs) {
			p.Unchanged++
			continue
		}
		p.Changes = append(p.Changes, OffsetChange{
			ID: m.ID, SourceName: m.SourceName, FromStatus: string(m.Status), FromTalks: emptyIfNil(m.TalkIDs),
			ToStatus: string(md.Status), ToTalks: emptyIfNil(md.TalkIDs), ToReason: md.Reason,
		})
	}
	return p, nil
}
