package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestImportsRefuseBadURLs: a recording URL or thumbnail, or a talk URL,
// that is not http(s) — "javascript:…" above all — is refused with the
// record named, whatever path it comes by, and reaches neither the catalog
// nor the published JSON.
func TestImportsRefuseBadURLs(t *testing.T) {
	const evil = "javascript:alert(document.cookie)"
	tests := []struct {
		name, path, body, token string
		errHas                  []string
	}{
		{"pyvideo URL", "/api/recordings?name=videos.json", `[{"title":"Keynote video","videos":[{"type":"url","url":"` + evil + `"}]}]`,
			adminToken, []string{"videos.json", "record 1", `recording "Keynote video"`, "URL", "http or https"}},
		{"pyvideo thumbnail", "/api/recordings?name=videos.json", `[{"title":"Ok","videos":[{"type":"url","url":"https://v.example/1"}]},` +
			`{"title":"Panel video","videos":[{"type":"url","url":"https://v.example/2"}],"thumbnail_url":"` + evil + `"}]`,
			adminToken, []string{"record 2", `recording "Panel video"`, "thumbnail"}},
		{"CSV URL", "/api/recordings?name=r.csv", "title,url\nLightning talks," + evil + "\n",
			videoSecret, []string{"r.csv", `recording "Lightning talks"`, "URL"}},
		{"CSV thumbnail", "/api/recordings?name=r.csv", "title,url,thumbnail\nLightning talks,https://v.example/3,\"data:text/html,<script>alert(1)</script>\"\n",
			videoSecret, []string{`recording "Lightning talks"`, "thumbnail"}},
		{"schedule talk URL", "/api/schedule?name=s.csv&timezone=Europe/Dublin",
			"id,title,room,start,end,url\nt9,Keynote,Hall A,2026-05-15 09:00,2026-05-15 10:00," + evil + "\n",
			adminToken, []string{"s.csv", `talk t9 ("Keynote")`, "http or https"}},
	}
	for _, tt := range tests {
		s, h := newAccessServer(t)
		ctx := context.Background()
		before, err := s.Store.ListRecordings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rec := do(t, h, "POST", tt.path, tt.token, []byte(tt.body))
		var body ErrorBody
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != 400 {
			t.Errorf("%s: %d %s, want 400", tt.name, rec.Code, rec.Body)
		}
		for _, want := range tt.errHas {
			if !strings.Contains(body.Error, want) {
				t.Errorf("%s: error %q does not say %q", tt.name, body.Error, want)
			}
		}
		after, err := s.Store.ListRecordings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("%s: %d recordings stored, want %d: a refused import stores nothing", tt.name, len(after), len(before))
		}
		sched, err := s.Store.Schedule(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, talk := range sched.Talks {
			if talk.ID == "t9" {
				t.Errorf("%s: the refused schedule was imported", tt.name)
			}
		}
		if rec := do(t, h, "POST", "/api/publish", adminToken, nil); rec.Code != 200 {
			t.Fatalf("%s: publish: %d %s", tt.name, rec.Code, rec.Body)
		}
		for _, key := range []string{"public/catalog.json", "public/schedule.json"} {
			if rc, _, err := s.Blobs.Get(ctx, key); err == nil {
				var b strings.Builder
				buf := make([]byte, 1<<16)
				for {
					n, err := rc.Read(buf)
					b.Write(buf[:n])
					if err != nil {
						break
					}
				}
				rc.Close()
				if strings.Contains(b.String(), "javascript:") || strings.Contains(b.String(), "data:text") {
					t.Errorf("%s: %s carries the refused URL", tt.name, key)
				}
			}
		}
	}

	// The video form refuses it too.
	_, h := newAccessServer(t)
	rec := do(t, h, "POST", "/api/talks/t1/recordings", videoSecret, []byte(`{"url":"`+evil+`"}`))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "http or https") {
		t.Errorf("video form: %d %s, want 400", rec.Code, rec.Body)
	}
}
