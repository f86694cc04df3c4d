//go:build faults && linux

package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFaultsRepeatedWrites(t *testing.T) {
	t0 := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	keys := map[string]string{"a/large": "a", "a/medium": "a", "b/large": "b", "c/large": "c"}
	// worker-1#1 died at 10 s; worker-1#2 and worker-2#1 live on.
	died := func(process string, when time.Time) bool { return process == "worker-1#1" && !when.Before(at(10)) }
	writes := []blobWrite{
		{"worker-1#1", "a/large", at(1)},
		{"worker-1#2", "a/large", at(12)}, // retry after the first run was killed
		{"worker-1#2", "b/large", at(13)},
		{"worker-1#2", "b/large", at(14)}, // the same run twice
		{"worker-1#2", "c/large", at(15)},
		{"worker-2#1", "c/large", at(16)}, // two live runs
		{"serve", "originals/a", at(0)},
		{"serve", "originals/a", at(1)}, // not a rendition
		{"worker-1#1", "a/medium", at(2)},
	}
	dups, retries := repeatedWrites(writes, keys, died)
	if got, want := retries, 1; got != want {
		t.Errorf("retries = %d, want %d", got, want)
	}
	if got, want := len(dups), 2; got != want || !dups["b"] || !dups["c"] {
		t.Errorf("duplicates = %v, want b and c", dups)
	}
}

func TestFaultsProxy(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Host) // the host the client signed for must arrive
	}))
	defer backend.Close()
	p, err := newS3Proxy(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	ep, err := p.endpoint("worker-1#1")
	if err != nil {
		t.Fatal(err)
	}
	// A connection of the proxy's closes when it goes down: no keep-alive.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	put := func() (int, error) {
		req, _ := http.NewRequest("PUT", ep+"/faults/public/media/x/large.jpg", strings.NewReader("jpeg"))
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if got, want := string(body), strings.TrimPrefix(ep, "http://"); got != want {
			t.Errorf("backend saw Host %q, want %q", got, want)
		}
		return resp.StatusCode, nil
	}
	if code, err := put(); err != nil || code != 200 {
		t.Fatalf("PUT through the proxy: %d, %v", code, err)
	}
	if got := p.allWrites(); len(got) != 1 || got[0].Key != "public/media/x/large.jpg" || got[0].Process != "worker-1#1" {
		t.Errorf("writes = %+v", got)
	}
	if err := p.setDown(true); err != nil {
		t.Fatal(err)
	}
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(ep, "http://"), time.Second); err == nil {
		t.Error("the proxy's port accepts connections while down")
	}
	if err := p.setDown(false); err != nil {
		t.Fatal(err)
	}
	if code, err := put(); err != nil || code != 200 {
		t.Fatalf("PUT after the proxy came back: %d, %v", code, err)
	}
	if got, want := p.writesBy("worker-1#1"), 2; got != want {
		t.Errorf("writesBy = %d, want %d", got, want)
	}
}

func TestFaultsObjectWrite(t *testing.T) {
	for _, tc := range []struct {
		method, url string
		want        bool
	}{
		{"PUT", "/faults/public/media/x/large.jpg", true},
		{"PUT", "/faults/originals/ab/abc?partNumber=1&uploadId=u", false},
		{"POST", "/faults/originals/ab/abc?uploadId=u", true},
		{"PUT", "/faults", false},
		{"PUT", "/faults?cors", false},
		{"GET", "/faults/public/media/x/large.jpg", false},
	} {
		r := httptest.NewRequest(tc.method, tc.url, nil)
		if got := isObjectWrite(r); got != tc.want {
			t.Errorf("isObjectWrite(%s %s) = %v, want %v", tc.method, tc.url, got, tc.want)
		}
	}
}
