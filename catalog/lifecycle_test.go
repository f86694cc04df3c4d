package catalog_test

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

var at = time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)

// TestApply is the lifecycle's transition table: every event from every
// status, with the status it leads to or the kind of error that refuses it.
func TestApply(t *testing.T) {
	const (
		P  = catalog.Pending
		T  = catalog.Tagged
		U  = catalog.Untagged
		NR = catalog.NeedsReview
		F  = catalog.Failed
		H  = catalog.Hidden
	)
	tagged := catalog.Decision{Status: T, TalkIDs: []string{"t1"}, SpeakerIDs: []string{"ana"}}
	review := catalog.Decision{Status: NR, Reason: "no capture time", Candidates: []string{"t1", "t2"}}
	optout := catalog.Decision{Status: H, Reason: "Ana Lima opted out of photos"}
	bad := catalog.Decision{Status: F}
	all := []catalog.Status{"", P, T, U, NR, F, H}
	type row struct {
		name   string
		event  catalog.Event
		from   []catalog.Status
		want   catalog.Status // "" with kind set: refused
		reason string         // the reason the item is left with; "-" for empty
		kind   catalog.Kind   // for refused events outside from
	}
	tests := []row{
		{"received", catalog.Received(at), []catalog.Status{""}, P, catalog.ReasonReceived, catalog.Conflict},
		{"processed tagged", catalog.Processed(tagged), []catalog.Status{P}, T, catalog.ReasonTagged, catalog.Conflict},
		{"processed needs review", catalog.Processed(review), []catalog.Status{P}, NR, "no capture time", catalog.Conflict},
		{"processed opted out", catalog.Processed(optout), []catalog.Status{P}, H, "Ana Lima opted out of photos", catalog.Conflict},
		{"processed untagged", catalog.Processed(catalog.Decision{Status: U}), []catalog.Status{P}, U, catalog.ReasonUntagged, catalog.Conflict},
		{"retag asked", catalog.Retag(), []catalog.Status{T, U, NR}, "", "", catalog.Conflict},
		{"retagged", catalog.Retagged(tagged), []catalog.Status{T, U, NR}, T, catalog.ReasonTagged, catalog.Conflict},
		{"retagged to review", catalog.Retagged(review), []catalog.Status{T, U, NR}, NR, "no capture time", catalog.Conflict},
		{"retagged opted out", catalog.Retagged(optout), []catalog.Status{T, U, NR}, H, "Ana Lima opted out of photos", catalog.Conflict},
		{"reviewed", catalog.Reviewed(tagged, "alice", at), []catalog.Status{T, U, NR}, T, "-", catalog.Conflict},
		{"reviewed untagged", catalog.Reviewed(catalog.Decision{Status: U}, "alice", at), []catalog.Status{T, U, NR}, U, "-", catalog.Conflict},
		{"failure", catalog.Failure("image data cut short", at), []catalog.Status{P, F}, F, "image data cut short", catalog.Conflict},
		{"failure without reason", catalog.Failure("", at), []catalog.Status{P, F}, F, catalog.ReasonFailed, catalog.Conflict},
		{"hidden", catalog.Hiding("asked by email", "alice", at), []catalog.Status{P, T, U, NR, F, H}, H, "asked by email", catalog.Conflict},
		{"hidden by default", catalog.Hiding("", "", at), []catalog.Status{P, T, U, NR, F, H}, H, catalog.ReasonHidden, catalog.Conflict},
		{"retry", catalog.Retry(), []catalog.Status{P, F}, P, catalog.ReasonRetry, catalog.Conflict},
		// Malformed decisions are refused whatever the status.
		{"processed to failed", catalog.Processed(bad), nil, "", "", 0},
		{"reviewed to hidden", catalog.Reviewed(optout, "alice", at), nil, "", "", 0},
	}
	for _, tt := range tests {
		for _, from := range all {
			m := catalog.Media{ID: "abc", SourceName: "a.jpg", Status: from, Reason: "before", Generation: 3,
				TalkIDs: []string{"old"}, Renditions: []catalog.Rendition{{Name: "large"}}}
			if from == "" {
				m.Generation, m.Reason = 0, ""
			}
			before := m
			err := catalog.Apply(&m, tt.event)
			allowed := slices.Contains(tt.from, from)
			if !allowed {
				if err == nil {
					t.Errorf("%s from %q: allowed, now %s; want refused", tt.name, from, m.Status)
					continue
				}
				if k := catalog.ErrorKind(err); tt.kind != 0 && k != tt.kind && k != catalog.Invalid {
					t.Errorf("%s from %q: error kind %v, want %v", tt.name, from, k, tt.kind)
				}
				if !strings.Contains(catalog.ErrorMessage(err), "a.jpg") {
					t.Errorf("%s from %q: %q does not name the file", tt.name, from, catalog.ErrorMessage(err))
				}
				if m.Status != before.Status || m.Reason != before.Reason || m.Generation != before.Generation || m.Decided != before.Decided {
					t.Errorf("%s from %q: a refused event changed the item to %s %q", tt.name, from, m.Status, m.Reason)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s from %q: %v", tt.name, from, err)
				continue
			}
			want := tt.want
			if want == "" {
				want = from
			}
			if m.Status != want {
				t.Errorf("%s from %q: status %s, want %s", tt.name, from, m.Status, want)
			}
			wantReason := tt.reason
			switch wantReason {
			case "":
				wantReason = before.Reason
			case "-":
				wantReason = ""
			}
			if m.Reason != wantReason {
				t.Errorf("%s from %q: reason %q, want %q", tt.name, from, m.Reason, wantReason)
			}
			if (m.Status == catalog.Hidden || m.Status == catalog.Failed) && len(m.Renditions) != 0 {
				t.Errorf("%s from %q: %s item keeps %d renditions", tt.name, from, m.Status, len(m.Renditions))
			}
		}
	}
}

func TestApplyDetails(t *testing.T) {
	// A new generation for a re-tag or a retry; the first one at upload.
	m := catalog.Media{SourceName: "a.jpg"}
	mustApply(t, &m, catalog.Received(at))
	if m.Generation != 1 || !m.UploadedAt.Equal(at) {
		t.Errorf("received: generation %d uploaded %v, want 1 %v", m.Generation, m.UploadedAt, at)
	}
	mustApply(t, &m, catalog.Failure("bad", at))
	mustApply(t, &m, catalog.Retry())
	if m.Generation != 2 || m.Status != catalog.Pending {
		t.Errorf("retry: %s generation %d, want pending 2", m.Status, m.Generation)
	}
	mustApply(t, &m, catalog.Processed(catalog.Decision{Status: catalog.Tagged, TalkIDs: []string{"t1"}}))
	mustApply(t, &m, catalog.Retag())
	if m.Generation != 3 || m.Status != catalog.Tagged {
		t.Errorf("retag: %s generation %d, want tagged 3", m.Status, m.Generation)
	}

	// A person's decision sticks until tagging sends it back to review.
	mustApply(t, &m, catalog.Reviewed(catalog.Decision{Status: catalog.Tagged, TalkIDs: []string{"t2"}}, "alice", at))
	if !m.Decided || m.DecidedBy != "alice" || !slices.Equal(m.TalkIDs, []string{"t2"}) {
		t.Errorf("reviewed: decided %v by %q talks %v", m.Decided, m.DecidedBy, m.TalkIDs)
	}
	mustApply(t, &m, catalog.Retagged(catalog.Decision{Status: catalog.NeedsReview, Reason: "talk t2 left the schedule"}))
	if m.Decided || m.DecidedBy != "" {
		t.Errorf("sent back to review: still decided by %q", m.DecidedBy)
	}

	// A takedown by a person is their decision; one by a rule is not.
	h := catalog.Media{SourceName: "b.jpg", Status: catalog.Tagged}
	mustApply(t, &h, catalog.Hiding("", "", at))
	if h.Decided {
		t.Error("hidden by a rule: marked as a person's decision")
	}
	mustApply(t, &h, catalog.Hiding("asked", "alice", at))
	if !h.Decided || h.DecidedBy != "alice" {
		t.Errorf("hidden by alice: decided %v by %q", h.Decided, h.DecidedBy)
	}

	// Review refusals explain themselves.
	for _, tt := range []struct {
		status catalog.Status
		kind   catalog.Kind
		has    string
	}{
		{catalog.Pending, catalog.Conflict, "still being processed"},
		{catalog.Failed, catalog.Invalid, "it can only be hidden"},
		{catalog.Hidden, catalog.Invalid, "it can only stay hidden"},
	} {
		m := catalog.Media{SourceName: "c.jpg", Status: tt.status, Reason: "why"}
		err := catalog.Apply(&m, catalog.Reviewed(catalog.Decision{Status: catalog.Tagged}, "alice", at))
		if catalog.ErrorKind(err) != tt.kind || !strings.Contains(catalog.ErrorMessage(err), tt.has) {
			t.Errorf("review of a %s item: %v, want %v %q", tt.status, err, tt.kind, tt.has)
		}
	}
}

func mustApply(t *testing.T, m *catalog.Media, e catalog.Event) {
	t.Helper()
	if err := catalog.Apply(m, e); err != nil {
		t.Fatalf("%s: %v", e.Kind, err)
	}
}

func TestFail(t *testing.T) {
	ctx := context.Background()
	store := catalogtest.NewMemStore()
	for _, m := range []*catalog.Media{
		{ID: "p", Kind: catalog.Photo, SourceName: "p.jpg", Status: catalog.Pending},
		{ID: "t", Kind: catalog.Photo, SourceName: "t.jpg", Status: catalog.Tagged},
	} {
		if _, err := store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := catalog.Fail(ctx, store, "p", "stopped the worker 3 times — too large or damaged?", at); err != nil {
		t.Fatal(err)
	}
	got, _ := store.Media(ctx, "p")
	if got.Status != catalog.Failed || got.Reason != "stopped the worker 3 times — too large or damaged?" || !got.ProcessedAt.Equal(at) {
		t.Errorf("failed item: %s %q %v", got.Status, got.Reason, got.ProcessedAt)
	}
	if err := catalog.Fail(ctx, store, "t", "late", at); catalog.ErrorKind(err) != catalog.Conflict {
		t.Errorf("Fail of a tagged item = %v, want a Conflict", err)
	}
	if got, _ := store.Media(ctx, "t"); got.Status != catalog.Tagged {
		t.Errorf("Fail of a tagged item made it %s", got.Status)
	}
	if err := catalog.Fail(ctx, store, "nope", "x", at); !catalog.IsNotFound(err) {
		t.Errorf("Fail of an unknown item = %v, want NotFound", err)
	}
}

func TestRecordingLifecycle(t *testing.T) {
	r := catalog.Recording{ID: "r1", State: catalog.RecordingPending}
	if err := catalog.MatchRecording(&r, catalog.RecordingDecision{TalkID: "t1"}); err != nil {
		t.Fatal(err)
	}
	if r.State != catalog.RecordingAttached || r.TalkID != "t1" || r.Reason == "" {
		t.Errorf("matched: %s %s %q", r.State, r.TalkID, r.Reason)
	}
	if err := catalog.MatchRecording(&r, catalog.RecordingDecision{Reason: "no talk alike", Candidates: []string{"t2"}}); err != nil {
		t.Fatal(err)
	}
	if r.State != catalog.RecordingUnmatched || r.TalkID != "" || r.Reason != "no talk alike" {
		t.Errorf("unmatched: %s %s %q", r.State, r.TalkID, r.Reason)
	}
	catalog.DismissRecording(&r, "vid")
	if r.State != catalog.RecordingDismissed || r.Reason != catalog.ReasonDismissed || !r.Decided {
		t.Errorf("dismissed: %s %q decided %v", r.State, r.Reason, r.Decided)
	}
	if err := catalog.MatchRecording(&r, catalog.RecordingDecision{TalkID: "t1"}); catalog.ErrorKind(err) != catalog.Conflict || r.State != catalog.RecordingDismissed {
		t.Errorf("matching a dismissed recording: %v, now %s", err, r.State)
	}
	catalog.AttachRecording(&r, "t3", "vid")
	if r.State != catalog.RecordingAttached || r.TalkID != "t3" || r.Reason != "" || r.Candidates != nil {
		t.Errorf("attached: %s %s %q %v", r.State, r.TalkID, r.Reason, r.Candidates)
	}
	r.Candidates = []string{"t3", "t4"}
	if err := catalog.DetachRecording(&r, "vid"); err != nil {
		t.Fatal(err)
	}
	if r.State != catalog.RecordingUnmatched || r.TalkID != "" || r.Reason != "detached from talk t3 by vid" || !slices.Equal(r.Candidates, []string{"t4"}) || !r.Decided {
		t.Errorf("detached: %s %s %q %v decided %v", r.State, r.TalkID, r.Reason, r.Candidates, r.Decided)
	}
	if err := catalog.DetachRecording(&r, "vid"); catalog.ErrorKind(err) != catalog.Invalid {
		t.Errorf("detaching an unmatched recording: %v, want Invalid", err)
	}
}

// TestSyncRenditions checks that the bytes match the status: staff copies
// while processed and not taken down, public copies only while public.
func TestSyncRenditions(t *testing.T) {
	ctx := context.Background()
	store, blobs := catalogtest.NewMemStore(), catalogtest.NewMemBlobs()
	m := &catalog.Media{ID: "abc", Kind: catalog.Photo, SourceName: "a.jpg", Status: catalog.Pending}
	for _, name := range []string{"large", "square"} {
		data := []byte("jpeg " + name)
		if err := blobs.Put(ctx, catalog.StaffRenditionKey(m.ID, name), bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		m.Renditions = append(m.Renditions, catalog.Rendition{Name: name, Key: catalog.RenditionKey(m.ID, name)})
	}
	if _, err := store.CreateMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	keys := func(prefix string) []string {
		k, err := blobs.List(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	steps := []struct {
		event         catalog.Event
		staff, public int
	}{
		{catalog.Processed(catalog.Decision{Status: catalog.NeedsReview, Reason: "no capture time"}), 2, 0},
		{catalog.Reviewed(catalog.Decision{Status: catalog.Tagged, TalkIDs: []string{"t1"}}, "alice", at), 2, 2},
		{catalog.Retagged(catalog.Decision{Status: catalog.NeedsReview, Reason: "talk t1 left the schedule"}), 2, 0},
		{catalog.Reviewed(catalog.Decision{Status: catalog.Untagged}, "alice", at), 2, 2},
		{catalog.Hiding("asked by email", "alice", at), 0, 0},
	}
	for _, st := range steps {
		if err := catalog.Transition(ctx, store, m.ID, st.event); err != nil {
			t.Fatal(err)
		}
		if err := catalog.SyncRenditions(ctx, store, blobs, m.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := store.Media(ctx, m.ID)
		if s, p := keys(catalog.StaffPrefix), keys(catalog.PublicPrefix); len(s) != st.staff || len(p) != st.public {
			t.Errorf("after %s (%s): staff %v public %v, want %d and %d", st.event.Kind, got.Status, s, p, st.staff, st.public)
		}
	}
	rc, _, err := blobs.Get(ctx, catalog.StaffRenditionKey(m.ID, "large"))
	if err == nil {
		rc.Close()
		t.Error("hidden item keeps its staff copy")
	}
}

// TestSyncRenditionsAdoptsOldPublicCopies: an item rendered before staff
// copies existed, then sent to review, keeps its rendition for staff.
func TestSyncRenditionsAdoptsOldPublicCopies(t *testing.T) {
	ctx := context.Background()
	store, blobs := catalogtest.NewMemStore(), catalogtest.NewMemBlobs()
	m := &catalog.Media{ID: "old", Kind: catalog.Photo, SourceName: "old.jpg", Status: catalog.Tagged,
		Renditions: []catalog.Rendition{{Name: "large", Key: catalog.RenditionKey("old", "large")}}}
	if _, err := store.CreateMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	data := []byte("old jpeg")
	if err := blobs.Put(ctx, catalog.RenditionKey("old", "large"), bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if err := catalog.Transition(ctx, store, "old", catalog.Retagged(catalog.Decision{Status: catalog.NeedsReview, Reason: "talk t1 left the schedule"})); err != nil {
		t.Fatal(err)
	}
	if err := catalog.SyncRenditions(ctx, store, blobs, "old"); err != nil {
		t.Fatal(err)
	}
	if keys, _ := blobs.List(ctx, catalog.PublicPrefix); len(keys) != 0 {
		t.Errorf("public copies left: %v", keys)
	}
	if keys, _ := blobs.List(ctx, catalog.StaffPrefix); !slices.Equal(keys, []string{catalog.StaffRenditionKey("old", "large")}) {
		t.Errorf("staff copies %v, want the adopted large", keys)
	}
}

// TestDocumentRenditionURLs: the catalog document points a public item's
// renditions at their public keys and, in the organizers' view only, an
// undecided item's at their staff copies.
func TestDocumentRenditionURLs(t *testing.T) {
	item := func(id string, s catalog.Status) *catalog.Media {
		return &catalog.Media{ID: id, Kind: catalog.Photo, Status: s,
			Renditions: []catalog.Rendition{{Name: "large", Key: catalog.RenditionKey(id, "large")}}}
	}
	media := []*catalog.Media{item("pub", catalog.Tagged), item("rev", catalog.NeedsReview), item("gone", catalog.Hidden)}
	for _, public := range []bool{false, true} {
		doc := catalog.BuildDocument(catalog.DocumentInput{Media: media, Public: public, URL: func(k string) string { return "u:" + k }})
		got := map[string]string{}
		for _, m := range doc.Media {
			got[m.ID] = m.Renditions["large"].URL
		}
		want := map[string]string{"pub": "u:" + catalog.RenditionKey("pub", "large")}
		if !public {
			want["rev"] = "u:" + catalog.StaffRenditionKey("rev", "large")
			want["gone"] = ""
		}
		for id, w := range want {
			if got[id] != w {
				t.Errorf("public=%v: %s's large at %q, want %q", public, id, got[id], w)
			}
		}
		if _, listed := got["rev"]; public && listed {
			t.Error("the public document lists an item that needs review")
		}
	}
}

// TestReplacedRenditions: a square cut again reaches the public copy of a
// public item, overwriting the old bytes; an item not public gets none.
func TestReplacedRenditions(t *testing.T) {
	ctx := context.Background()
	store, blobs := catalogtest.NewMemStore(), catalogtest.NewMemBlobs()
	put := func(key, data string) {
		t.Helper()
		if err := blobs.Put(ctx, key, strings.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	}
	read := func(key string) string {
		t.Helper()
		rc, _, err := blobs.Get(ctx, key)
		if err != nil {
			return ""
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return string(b)
	}
	for _, st := range []catalog.Status{catalog.Tagged, catalog.NeedsReview} {
		id := "id-" + string(st)
		m := &catalog.Media{ID: id, Kind: catalog.Photo, SourceName: "a.jpg", Status: st}
		for _, name := range []string{"large", "square"} {
			put(catalog.StaffRenditionKey(id, name), "old "+name)
			m.Renditions = append(m.Renditions, catalog.Rendition{Name: name, Key: catalog.RenditionKey(id, name)})
		}
		if _, err := store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := catalog.SyncRenditions(ctx, store, blobs, id); err != nil {
			t.Fatal(err)
		}
		put(catalog.StaffRenditionKey(id, "square"), "new square")
		if err := catalog.ReplacedRenditions(ctx, store, blobs, id, []string{"square"}); err != nil {
			t.Fatal(err)
		}
		want := map[catalog.Status][2]string{catalog.Tagged: {"new square", "old large"}, catalog.NeedsReview: {"", ""}}[st]
		if got := [2]string{read(catalog.RenditionKey(id, "square")), read(catalog.RenditionKey(id, "large"))}; got != want {
			t.Errorf("%s: public square and large %q, want %q", st, got, want)
		}
	}
}
