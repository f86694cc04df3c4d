package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/web/api"
	"github.com/confmedia/confmedia/web/client"
)

// useCases are the API's use cases as one implementation offers them to
// one caller.
type useCases struct {
	review  api.ReviewService
	cameras api.CameraService
	tokens  api.TokenService
	videos  api.VideoService
	kinds   api.KindService
	uploads api.UploadService
	imports api.ImportService
}

// implementations open the fixture of newAccessServer (and addOthers) and
// return its use cases as the caller who calls them: the server's own,
// with who's identity in the context, and web/client's over HTTP, with
// who's token. Both must answer alike: the suite below runs on each.
var implementations = []struct {
	name string
	open func(t *testing.T, caller who) (useCases, context.Context)
}{
	{"server", func(t *testing.T, caller who) (useCases, context.Context) {
		s, _ := newAccessServer(t)
		addOthers(t, s)
		names := map[who]identity{
			asAdmin:        {Role: catalog.RoleAdmin, Name: "admin"},
			asPhotographer: {Role: catalog.RolePhotographer, Name: "Pat"},
			asVideo:        {Role: catalog.RoleVideo, Name: "Vic"},
		}
		id, ok := names[caller]
		if !ok {
			t.Fatalf("no identity for %s", caller)
		}
		return useCases{s.reviews(), s.cameras(), s.tokens(), s.videos(), s.kinds(), s.uploads(), s.imports()}, id.context(context.Background())
	}},
	{"client", func(t *testing.T, caller who) (useCases, context.Context) {
		s, h := newAccessServer(t)
		addOthers(t, s)
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		c := client.New(srv.URL, caller.secret())
		return useCases{c, c, c, c, c, c, c}, context.Background()
	}},
}

// TestUseCasesAlike runs the same calls on the server's use cases and on
// web/client's: what the CLI gets over HTTP is what the server decides.
func TestUseCasesAlike(t *testing.T) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			t.Run("review queue by role", func(t *testing.T) {
				for _, tt := range []struct {
					caller    who
					wantMedia bool
				}{{asAdmin, true}, {asVideo, false}} {
					uc, ctx := impl.open(t, tt.caller)
					list, err := uc.review.ReviewQueue(ctx)
					if err != nil {
						t.Fatal(err)
					}
					var media, recs []string
					for _, it := range list.Items {
						if it.Type == "media" {
							media = append(media, it.ID)
						} else {
							recs = append(recs, it.ID)
						}
					}
					if got := slices.Contains(media, mediaReview); got != tt.wantMedia {
						t.Errorf("%s: review queue holds %s: %v, want %v (%v)", tt.caller, mediaReview, got, tt.wantMedia, media)
					}
					if !slices.Contains(recs, recUnmatched) {
						t.Errorf("%s: review queue lacks recording %s: %v", tt.caller, recUnmatched, recs)
					}
				}
			})
			t.Run("video token may not decide media", func(t *testing.T) {
				uc, ctx := impl.open(t, asVideo)
				_, err := uc.review.Resolve(ctx, mediaReview, api.ResolveRequest{Talk: "t1"})
				if got, want := catalog.ErrorKind(err), catalog.Forbidden; got != want {
					t.Errorf("resolve a photo as video: %v (%v), want %v", got, err, want)
				}
			})
			t.Run("opt-outs", func(t *testing.T) {
				uc, ctx := impl.open(t, asAdmin)
				if _, err := uc.review.AddOptOut(ctx, "  Carol   Example ", "asked by mail"); err != nil {
					t.Fatal(err)
				}
				list, err := uc.review.OptOuts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, o := range list {
					names = append(names, o.Name)
				}
				slices.Sort(names)
				if got, want := names, []string{"Bob Example", "Carol Example"}; !slices.Equal(got, want) {
					t.Errorf("opt-outs %v, want %v", got, want)
				}
				if got, err := uc.review.RemoveOptOut(ctx, "carol example"); err != nil || got.Name != "Carol Example" {
					t.Errorf("remove: %+v, %v", got, err)
				}
				if _, err := uc.review.RemoveOptOut(ctx, "nobody"); !catalog.IsNotFound(err) {
					t.Errorf("remove nobody: %v, want NotFound", err)
				}
			})
			t.Run("hide", func(t *testing.T) {
				uc, ctx := impl.open(t, asAdmin)
				item, err := uc.review.HideMedia(ctx, mediaReview[:8], "")
				if err != nil {
					t.Fatal(err)
				}
				if got, want := item.Status, string(catalog.Hidden); got != want {
					t.Errorf("status %s, want %s", got, want)
				}
			})
			t.Run("a photographer's cameras are their own", func(t *testing.T) {
				for _, tt := range []struct {
					caller who
					want   []string
				}{{asPhotographer, []string{cameraKey}}, {asAdmin, []string{cameraKey, otherCamera}}} {
					uc, ctx := impl.open(t, tt.caller)
					list, err := uc.cameras.Cameras(ctx)
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, c := range list {
						got = append(got, c.Key)
					}
					if !slices.Equal(got, tt.want) {
						t.Errorf("%s sees cameras %v, want %v", tt.caller, got, tt.want)
					}
				}
				// Which cameras a photographer may name at all is the route
				// table's ownCamera rule; the use case credits theirs to them.
				uc, ctx := impl.open(t, asPhotographer)
				resp, err := uc.cameras.SetCameraOffset(ctx, cameraKey, "+1h", "Someone Else")
				if err != nil {
					t.Fatal(err)
				}
				if got, want := resp.Camera.Photographer, "Pat"; got != want {
					t.Errorf("a photographer's camera is credited to %q, want %q", got, want)
				}
				if got, want := resp.Camera.Offset, "+1h0m0s"; got != want {
					t.Errorf("offset %q, want %q", got, want)
				}
			})
			t.Run("tokens", func(t *testing.T) {
				uc, ctx := impl.open(t, asAdmin)
				created, err := uc.tokens.CreateToken(ctx, api.TokenRequest{Role: catalog.RolePhotographer, Name: "Rae", Expires: "30d"})
				if err != nil {
					t.Fatal(err)
				}
				list, err := uc.tokens.Tokens(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(list) == 0 || list[0].Name != "Rae" {
					t.Errorf("newest token first: %+v", list)
				}
				info, err := uc.tokens.RevokeToken(ctx, created.Link)
				if err != nil || info.Name != "Rae" {
					t.Errorf("revoke by link: %+v, %v", info, err)
				}
				if _, err := uc.tokens.RevokeToken(ctx, created.Token); !catalog.IsNotFound(err) {
					t.Errorf("revoke again: %v, want NotFound", err)
				}
			})
			t.Run("recordings", func(t *testing.T) {
				uc, ctx := impl.open(t, asVideo)
				info, err := uc.videos.AttachRecording(ctx, recUnmatched, "t1")
				if err != nil {
					t.Fatal(err)
				}
				if got, want := info.State, catalog.RecordingAttached; got != want || info.TalkID != "t1" {
					t.Errorf("attached: %+v", info)
				}
				if _, err := uc.videos.AttachRecording(ctx, recUnmatched, "t3"); catalog.ErrorKind(err) != catalog.Invalid {
					t.Errorf("attach to a do-not-record talk: %v, want Invalid", err)
				}
				out, err := uc.videos.ExportVideos(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := len(out.Videos), 2; got != want {
					t.Errorf("%d videos exported, want %d: %+v", got, want, out.Videos)
				}
				info, err = uc.videos.DetachRecording(ctx, recUnmatched)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := info.State, catalog.RecordingUnmatched; got != want {
					t.Errorf("detached: %s, want %s", got, want)
				}
				if _, err := uc.videos.DetachRecording(ctx, "nothing-here"); !catalog.IsNotFound(err) {
					t.Errorf("detach unknown: %v, want NotFound", err)
				}
			})
			t.Run("uploads", func(t *testing.T) {
				uc, ctx := impl.open(t, asPhotographer)
				photo := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"})
				sum := sha256.Sum256(photo)
				id := hex.EncodeToString(sum[:])
				resp, err := uc.uploads.UploadMedia(ctx, id, api.UploadMeta{Name: "dir/a.jpg", Photographer: "Someone Else", Room: "hall a"},
					bytes.NewReader(photo), int64(len(photo)))
				if err != nil {
					t.Fatal(err)
				}
				if got, want := resp.Status, UploadCreated; got != want || !resp.Queued {
					t.Errorf("upload: %+v, want %s and queued", resp, want)
				}
				again, err := uc.uploads.UploadMedia(ctx, id, api.UploadMeta{Name: "a.jpg"}, bytes.NewReader(photo), int64(len(photo)))
				if err != nil || again.Status != UploadDuplicate || again.Existing == nil || again.Existing.SourceName != "a.jpg" {
					t.Errorf("again: %+v, %v", again, err)
				}
				if _, err := uc.uploads.UploadMedia(ctx, strings.Repeat("0", 64), api.UploadMeta{Name: "b.jpg"}, bytes.NewReader(photo), int64(len(photo))); catalog.ErrorKind(err) != catalog.Invalid {
					t.Errorf("an id that is not the bytes' sha256: %v, want Invalid", err)
				}
				chk, err := uc.uploads.CheckMedia(ctx, api.CheckRequest{IDs: []string{id, mediaReview}, Room: "HALL A"})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := chk.Known, []string{id, mediaReview}; !slices.Equal(got, want) || chk.Room != "Hall A" {
					t.Errorf("check: known %v, room %q; want %v, Hall A", got, chk.Room, want)
				}
				if _, err := uc.uploads.CheckMedia(ctx, api.CheckRequest{Room: "Nowhere"}); catalog.ErrorKind(err) != catalog.Invalid {
					t.Errorf("unknown room: %v, want Invalid", err)
				}
				st, err := uc.uploads.QueueStats(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := st.PendingMedia, 1; got != want {
					t.Errorf("a photographer's pending uploads: %d, want %d (their own only)", got, want)
				}
			})
			t.Run("schedule import dry run", func(t *testing.T) {
				uc, ctx := impl.open(t, asAdmin)
				_, err := uc.imports.ImportScheduleWith(ctx, "x.txt", []byte("not a schedule"), api.ScheduleImport{DryRun: true})
				if got, want := catalog.ErrorKind(err), catalog.Invalid; got != want {
					t.Errorf("import of a non-schedule: %v (%v), want %v", got, err, want)
				}
			})
			t.Run("kind", func(t *testing.T) {
				uc, ctx := impl.open(t, asAdmin)
				resp, err := uc.kinds.SetMediaKind(ctx, mediaReview, api.SetKindRequest{Kind: string(catalog.Headshot), Speaker: "bo ng"})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := resp.Kind, catalog.Headshot; got != want {
					t.Errorf("kind %s, want %s", got, want)
				}
			})
		})
	}
}
