package catalogtest

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// storeVector is a descriptor whose numbers all derive from seed.
func storeVector(seed float32) catalog.FaceVector {
	var v catalog.FaceVector
	for i := range v {
		v[i] = seed + float32(i)/1024
	}
	v[7] = -seed // a negative number and
	v[9] = 1e-30 // a tiny one survive the round trip too
	return v
}

// storeHeadshot is a headshot of speaker, tagged.
func storeHeadshot(n int, speaker string) *catalog.Media {
	return &catalog.Media{ID: storeID(n), Kind: catalog.Headshot, SourceName: speaker + ".jpg", SpeakerHint: speaker,
		Status: catalog.Tagged, SpeakerIDs: []string{speaker}, Generation: 1}
}

func storeKnown(t *testing.T, s catalog.Store) []catalog.KnownFace {
	t.Helper()
	k, err := s.FaceDescriptors(t.Context())
	if err != nil {
		t.Fatalf("FaceDescriptors: %v", err)
	}
	return k
}

func storeKnownIDs(k []catalog.KnownFace) []string {
	return storeIDs(k, func(k catalog.KnownFace) string { return k.SpeakerID + "/" + k.MediaID[60:] })
}

func storeFaceDescriptors(t *testing.T, s catalog.Store) {
	ctx := t.Context()
	if k := storeKnown(t, s); k != nil {
		t.Fatalf("empty store has descriptors %v", storeKnownIDs(k))
	}
	storeCreate(t, s, storeHeadshot(2, "s2"))
	storeCreate(t, s, storeHeadshot(1, "s1"))
	storeCreate(t, s, storeHeadshot(3, "s1"))
	for _, p := range []struct {
		n       int
		speaker string
		seed    float32
	}{{2, "s2", 2}, {1, "s1", 1}, {3, "s1", 3}} {
		if err := s.PutFaceDescriptor(ctx, storeID(p.n), p.speaker, storeVector(p.seed)); err != nil {
			t.Fatalf("PutFaceDescriptor(%d, %s): %v", p.n, p.speaker, err)
		}
	}
	k := storeKnown(t, s)
	want := []string{"s1/" + storeID(1)[60:], "s1/" + storeID(3)[60:], "s2/" + storeID(2)[60:]}
	if got := storeKnownIDs(k); !slices.Equal(got, want) {
		t.Fatalf("FaceDescriptors = %v, want %v", got, want)
	}
	if v1, v2 := storeVector(1), storeVector(2); k[0].Vector != v1 || k[2].Vector != v2 {
		t.Errorf("descriptors did not round-trip: %v… want %v…", k[0].Vector[:10], v1[:10])
	}
	// Put again replaces.
	if err := s.PutFaceDescriptor(ctx, storeID(1), "s1", storeVector(9)); err != nil {
		t.Fatal(err)
	}
	if k := storeKnown(t, s); len(k) != 3 || k[0].Vector != storeVector(9) {
		t.Errorf("after a second Put: %v, first %v…; want 3, the new vector", storeKnownIDs(k), k[0].Vector[:4])
	}

	// Only a headshot tagged with that speaker takes one.
	photo := storeFullMedia(storeID(4))
	photo.Status, photo.SpeakerIDs = catalog.Tagged, []string{"s1"}
	storeCreate(t, s, photo)
	pending := storeHeadshot(5, "s5")
	pending.Status = catalog.Pending
	storeCreate(t, s, pending)
	for _, tt := range []struct {
		what    string
		n       int
		speaker string
		want    catalog.Kind
	}{
		{"a photo", 4, "s1", catalog.Conflict},
		{"a pending headshot", 5, "s5", catalog.Conflict},
		{"another speaker's headshot", 2, "s1", catalog.Conflict},
		{"no speaker", 2, "", catalog.Conflict},
		{"a missing item", 99, "s1", catalog.NotFound},
	} {
		storeWantKind(t, "PutFaceDescriptor of "+tt.what, s.PutFaceDescriptor(ctx, storeID(tt.n), tt.speaker, storeVector(1)), tt.want)
	}
	if k := storeKnown(t, s); len(k) != 3 {
		t.Errorf("refused Puts stored something: %v", storeKnownIDs(k))
	}
	// Neither Put nor the refusals changed the catalog's version: the
	// descriptors are not part of the catalog.
	v1, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutFaceDescriptor(ctx, storeID(2), "s2", storeVector(7)); err != nil {
		t.Fatal(err)
	}
	if v2, _ := s.Version(ctx); v2 != v1 {
		t.Errorf("PutFaceDescriptor moved Version from %d to %d", v1, v2)
	}

	n, err := s.DeleteFaceDescriptors(ctx)
	if err != nil || n != 3 {
		t.Errorf("DeleteFaceDescriptors = %d, %v; want 3, nil", n, err)
	}
	if k := storeKnown(t, s); k != nil {
		t.Errorf("after DeleteFaceDescriptors: %v", storeKnownIDs(k))
	}
}

// storeFaceDescriptorsDropped: every way a headshot stops being tagged
// with its speaker deletes its descriptor, for good: the headshot tagged
// again does not bring it back.
func storeFaceDescriptorsDropped(t *testing.T, s catalog.Store) {
	ctx := t.Context()
	at := time.Date(2026, 5, 15, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		what   string
		change func(m *catalog.Media) error
		keep   bool
	}{
		{"re-tagged to the same speaker", func(m *catalog.Media) error {
			return catalog.Apply(m, catalog.Retagged(catalog.Decision{Status: catalog.Tagged, SpeakerIDs: []string{"s1"}}))
		}, true},
		{"a re-tag asked for", func(m *catalog.Media) error { return catalog.Apply(m, catalog.Retag()) }, true},
		{"renditions changed", func(m *catalog.Media) error { m.Renditions = nil; return nil }, true},
		{"hidden", func(m *catalog.Media) error { return catalog.Apply(m, catalog.Hiding("", "Org", at)) }, false},
		{"sent to review", func(m *catalog.Media) error {
			return catalog.Apply(m, catalog.Retagged(catalog.Decision{Status: catalog.NeedsReview, Reason: "?"}))
		}, false},
		{"re-tagged to another speaker", func(m *catalog.Media) error {
			return catalog.Apply(m, catalog.Retagged(catalog.Decision{Status: catalog.Tagged, SpeakerIDs: []string{"s2"}}))
		}, false},
		{"re-tagged to no speaker", func(m *catalog.Media) error {
			return catalog.Apply(m, catalog.Retagged(catalog.Decision{Status: catalog.Untagged}))
		}, false},
		{"reclassified as a photo", func(m *catalog.Media) error {
			return catalog.Apply(m, catalog.Reclassify(catalog.Photo, "", "Org", at))
		}, false},
		{"reclassified to another speaker", func(m *catalog.Media) error {
			return catalog.Apply(m, catalog.Reclassify(catalog.Headshot, "s2", "Org", at))
		}, false},
		{"failed", func(m *catalog.Media) error {
			m.Status = catalog.Pending
			return catalog.Apply(m, catalog.Failure("broken", at))
		}, false},
	}
	for i, tt := range tests {
		id := storeID(100 + i)
		storeCreate(t, s, storeHeadshot(100+i, "s1"))
		if err := s.PutFaceDescriptor(ctx, id, "s1", storeVector(float32(i))); err != nil {
			t.Fatalf("%s: PutFaceDescriptor: %v", tt.what, err)
		}
		if err := s.UpdateMedia(ctx, id, tt.change); err != nil {
			t.Fatalf("%s: UpdateMedia: %v", tt.what, err)
		}
		// Tagged with s1 again: a descriptor dropped stays dropped.
		if err := s.UpdateMedia(ctx, id, func(m *catalog.Media) error {
			m.Kind, m.Status, m.SpeakerIDs = catalog.Headshot, catalog.Tagged, []string{"s1"}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		kept := false
		for _, k := range storeKnown(t, s) {
			kept = kept || k.MediaID == id
		}
		if kept != tt.keep {
			t.Errorf("headshot %s: descriptor kept %v, want %v", tt.what, kept, tt.keep)
		}
	}

	// Deleted with the headshot, and not back when the same bytes are
	// uploaded again.
	id := storeID(200)
	storeCreate(t, s, storeHeadshot(200, "s3"))
	if err := s.PutFaceDescriptor(ctx, id, "s3", storeVector(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMedia(ctx, id); err != nil {
		t.Fatal(err)
	}
	storeCreate(t, s, storeHeadshot(200, "s3"))
	for _, k := range storeKnown(t, s) {
		if k.MediaID == id {
			t.Errorf("descriptor of a deleted headshot survived: %s", k.SpeakerID)
		}
	}
}

func storeListRecognized(t *testing.T, s catalog.Store) {
	ctx := t.Context()
	for i, rec := range [][]string{{"s1", "s2"}, {"s2"}, nil, {"s1"}} {
		m := storeFullMedia(storeID(i + 1))
		m.Status, m.Recognized = catalog.Tagged, rec
		if i == 3 {
			m.Status = catalog.Hidden
		}
		storeCreate(t, s, m)
	}
	for _, tt := range []struct {
		f    catalog.MediaFilter
		want []string
	}{
		{catalog.MediaFilter{Recognized: "s1"}, []string{storeID(1), storeID(4)}},
		{catalog.MediaFilter{Recognized: "s1", Status: []catalog.Status{catalog.Tagged, catalog.Untagged}}, []string{storeID(1)}},
		{catalog.MediaFilter{Recognized: "s2"}, []string{storeID(1), storeID(2)}},
		{catalog.MediaFilter{Recognized: "s"}, nil},
	} {
		ms, err := s.ListMedia(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		got := storeIDs(ms, func(m *catalog.Media) string { return m.ID })
		if !slices.Equal(got, tt.want) {
			t.Errorf("ListMedia(%+v) = %v, want %v", tt.f, got, tt.want)
		}
	}
	// ForgetFaces clears every item's Recognized.
	descs, items, err := catalog.ForgetFaces(ctx, s)
	if err != nil || descs != 0 || items != 3 {
		t.Errorf("ForgetFaces = %d, %d, %v; want 0, 3, nil", descs, items, err)
	}
	if ms, _ := s.ListMedia(ctx, catalog.MediaFilter{Recognized: "s2"}); len(ms) != 0 {
		t.Errorf("after ForgetFaces %d items still recognise s2", len(ms))
	}
}

// storeKnownUse maps each descriptor's headshot (short id) to "recognizes"
// or "protects".
func storeKnownUse(t *testing.T, s catalog.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range storeKnown(t, s) {
		use := "recognizes"
		if k.Protects {
			use = "protects"
		}
		out[k.SpeakerID+"/"+k.MediaID[60:]] = use
	}
	return out
}

// storeFaceDescriptorsOptOut: the descriptor of a speaker who opted out is
// kept only to protect them, while their headshot shows them, Tagged or
// hidden (the opt-out hides it); one can be put for a headshot the opt-out
// hid already; removing the opt-out (or giving its name to another
// speaker) applies the rule without one, in the same write.
func storeFaceDescriptorsOptOut(t *testing.T, s catalog.Store) {
	ctx := t.Context()
	at := time.Date(2026, 5, 15, 10, 0, 0, 0, time.UTC)
	hide := func(m *catalog.Media) error {
		return catalog.Apply(m, catalog.Retagged(catalog.Decision{Status: catalog.Hidden, Reason: "S One opted out of photos", SpeakerIDs: []string{"s1"}}))
	}
	// 1: tagged before the opt-out, then hidden by it. 2: tagged, still
	// (the re-tag has not run yet). 3: uploaded after the opt-out, hidden
	// at once, its descriptor put afterwards. 4: s2's, untouched.
	for n, sp := range map[int]string{1: "s1", 2: "s1", 3: "s1", 4: "s2"} {
		storeCreate(t, s, storeHeadshot(n, sp))
	}
	for _, n := range []int{1, 2} {
		if err := s.PutFaceDescriptor(ctx, storeID(n), "s1", storeVector(float32(n))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutFaceDescriptor(ctx, storeID(4), "s2", storeVector(4)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutOptOut(ctx, catalog.OptOut{Name: "S One", SpeakerID: "s1", Created: at}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 3} {
		if err := s.UpdateMedia(ctx, storeID(n), hide); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutFaceDescriptor(ctx, storeID(3), "s1", storeVector(3)); err != nil {
		t.Fatalf("PutFaceDescriptor of a headshot hidden by its speaker's opt-out: %v", err)
	}
	want := map[string]string{"s1/" + storeID(1)[60:]: "protects", "s1/" + storeID(2)[60:]: "protects",
		"s1/" + storeID(3)[60:]: "protects", "s2/" + storeID(4)[60:]: "recognizes"}
	if got := storeKnownUse(t, s); !maps.Equal(got, want) {
		t.Fatalf("with s1's opt-out: %v, want %v", got, want)
	}
	// Still refused while opted out: another speaker's headshot, a failed one.
	storeWantKind(t, "PutFaceDescriptor of s2's headshot for s1", s.PutFaceDescriptor(ctx, storeID(4), "s1", storeVector(1)), catalog.Conflict)

	// The opt-out removed: the hidden headshots lose theirs, the tagged
	// one recognises again.
	if err := s.DeleteOptOut(ctx, "S One"); err != nil {
		t.Fatal(err)
	}
	want = map[string]string{"s1/" + storeID(2)[60:]: "recognizes", "s2/" + storeID(4)[60:]: "recognizes"}
	if got := storeKnownUse(t, s); !maps.Equal(got, want) {
		t.Errorf("after the opt-out was removed: %v, want %v", got, want)
	}
	// Opted out again, not back: what was deleted stays deleted.
	if err := s.PutOptOut(ctx, catalog.OptOut{Name: "S One", SpeakerID: "s1", Created: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateMedia(ctx, storeID(2), hide); err != nil {
		t.Fatal(err)
	}
	want = map[string]string{"s1/" + storeID(2)[60:]: "protects", "s2/" + storeID(4)[60:]: "recognizes"}
	if got := storeKnownUse(t, s); !maps.Equal(got, want) {
		t.Errorf("opted out again, headshot 2 hidden: %v, want %v", got, want)
	}
	// The same name given to another speaker: s1 is no longer covered.
	if err := s.PutOptOut(ctx, catalog.OptOut{Name: "S One", SpeakerID: "s9", Created: at}); err != nil {
		t.Fatal(err)
	}
	want = map[string]string{"s2/" + storeID(4)[60:]: "recognizes"}
	if got := storeKnownUse(t, s); !maps.Equal(got, want) {
		t.Errorf("after the opt-out named another speaker: %v, want %v", got, want)
	}
	// While opted out, a headshot that stops showing its speaker loses it.
	if err := s.PutOptOut(ctx, catalog.OptOut{Name: "S Two", SpeakerID: "s2", Created: at}); err != nil {
		t.Fatal(err)
	}
	if got := storeKnownUse(t, s); got["s2/"+storeID(4)[60:]] != "protects" {
		t.Errorf("s2 opted out: %v, want s2's descriptor protecting", got)
	}
	if err := s.UpdateMedia(ctx, storeID(4), func(m *catalog.Media) error {
		return catalog.Apply(m, catalog.Reclassify(catalog.Photo, "", "Org", at))
	}); err != nil {
		t.Fatal(err)
	}
	if k := storeKnown(t, s); k != nil {
		t.Errorf("headshot reclassified as a photo: descriptors %v, want none", storeKnownIDs(k))
	}
	// DeleteFaceDescriptors (faces forget) deletes protecting ones too.
	storeCreate(t, s, storeHeadshot(5, "s2"))
	if err := s.UpdateMedia(ctx, storeID(5), func(m *catalog.Media) error {
		return catalog.Apply(m, catalog.Retagged(catalog.Decision{Status: catalog.Hidden, SpeakerIDs: []string{"s2"}}))
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFaceDescriptor(ctx, storeID(5), "s2", storeVector(5)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteFaceDescriptors(ctx); err != nil || n != 1 {
		t.Errorf("DeleteFaceDescriptors = %d, %v; want 1, nil", n, err)
	}
	if k := storeKnown(t, s); k != nil {
		t.Errorf("after DeleteFaceDescriptors: %v", storeKnownIDs(k))
	}
}
