package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/web"
)

// TestTokenCommands runs token create and token revoke against a server
// on an in-memory catalog.
func TestTokenCommands(t *testing.T) {
	store := catalogtest.NewMemStore()
	srv := &web.Server{Store: store, Blobs: catalogtest.NewMemBlobs(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		AdminTokenHash: web.HashToken("admin-secret")}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	srv.PublicURL = ts.URL
	env := map[string]string{"CONFMEDIA_SERVER": ts.URL, "CONFMEDIA_TOKEN": "admin-secret"}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
		return m.Run(context.Background(), args), out.String(), errb.String()
	}

	code, out, errs := run("token", "create", "--role", "video", "--name", "Vic", "--expires", "3d", "--json")
	var created web.TokenCreated
	if code != 0 || json.Unmarshal([]byte(out), &created) != nil {
		t.Fatalf("token create: exit %d\n%s\n%s", code, out, errs)
	}
	if created.Role != catalog.RoleVideo || created.Name != "Vic" || created.Expires.IsZero() ||
		created.Link != ts.URL+"/login?token="+created.Token {
		t.Errorf("created %+v", created)
	}
	// The link shows whom it is for; its button logs a browser in as the
	// video team.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(created.Link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "<strong>Vic</strong> (video)") {
		t.Fatalf("login link: %d %.300s, want the page naming Vic", resp.StatusCode, page)
	}
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`).FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	resp, err = client.PostForm(ts.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/video" {
		t.Errorf("login button: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	code, out, _ = run("token", "create", "--role", "photographer", "--name", "Pat Doe")
	if code != 0 || !strings.Contains(out, "photographer token for Pat Doe") || !strings.Contains(out, "login link: "+ts.URL+"/login?token=cm_") {
		t.Errorf("token create: exit %d\n%s", code, out)
	}

	// A speaker token belongs to the speaker named as the schedule spells
	// it, folded.
	if _, err := store.ReplaceSchedule(context.Background(), catalog.Schedule{
		Conference: catalog.Conference{Title: "Conf", Timezone: "UTC"},
		Speakers:   []catalog.Speaker{{ID: "zoe-42", Name: "Zoë Müller"}, {ID: "raj", Name: "Raj Patel"}},
	}); err != nil {
		t.Fatal(err)
	}
	code, out, errs = run("token", "create", "--role", "speaker", "--name", "Zoe", "--speaker", "zoe MULLER", "--json")
	var sp web.TokenCreated
	if code != 0 || json.Unmarshal([]byte(out), &sp) != nil || sp.SpeakerID != "zoe-42" {
		t.Errorf("token create --speaker by name: exit %d, %+v\n%s", code, sp, errs)
	}
	if tok, err := store.TokenByHash(context.Background(), web.HashToken(sp.Token)); err != nil || tok.SpeakerID != "zoe-42" {
		t.Errorf("stored speaker token %+v, %v; want it zoe-42's", tok, err)
	}
	if code, out, errs := run("token", "create", "--role", "speaker", "--name", "Raj", "--speaker", "raj"); code != 0 || !strings.Contains(out, "opens the page of speaker raj") {
		t.Errorf("token create --speaker by id: exit %d\n%s\n%s", code, out, errs)
	}

	for _, tt := range []struct {
		args []string
		code int
		errs string
	}{
		{[]string{"token", "create", "--role", "speaker", "--name", "x"}, exitUsage, "needs --speaker"},
		{[]string{"token", "create", "--role", "video", "--name", "x", "--speaker", "raj"}, exitUsage, "other roles take no --speaker"},
		{[]string{"token", "create", "--role", "speaker", "--name", "x", "--speaker", "Nobody"}, exitUsage, "no speaker"},
		{[]string{"token", "create", "--role", "root", "--name", "x"}, exitUsage, "unknown role"},
		{[]string{"token", "create", "--role", "video"}, exitUsage, "needs --role and --name"},
		{[]string{"token", "create", "--role", "video", "--name", "x", "--expires", "soon"}, exitUsage, "expiry"},
		{[]string{"token", "revoke"}, exitUsage, "takes one"},
		{[]string{"token", "revoke", "nothing-like-it"}, exitRejected, "no token"},
	} {
		code, _, errs := run(tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.errs) {
			t.Errorf("%s: exit %d, stderr %q; want %d with %q", strings.Join(tt.args, " "), code, errs, tt.code, tt.errs)
		}
	}

	// Revoke by the login link: only the token's hash is sent.
	code, out, errs = run("token", "revoke", created.Link)
	if code != 0 || !strings.Contains(out, "revoked the video token for Vic") {
		t.Errorf("token revoke: exit %d\n%s\n%s", code, out, errs)
	}
	if _, err := store.TokenByHash(context.Background(), web.HashToken(created.Token)); !catalog.IsNotFound(err) {
		t.Errorf("the token is still stored: %v", err)
	}
	// By its whole hash.
	if err := store.PutToken(context.Background(), catalog.Token{Hash: web.HashToken("x"), Role: catalog.RoleSpeaker, Name: "Ana"}); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run("token", "revoke", web.HashToken("x")); code != 0 || !strings.Contains(out, "speaker token for Ana") {
		t.Errorf("token revoke HASH: exit %d\n%s\n%s", code, out, errs)
	}
}
