//go:build faults && linux

package main

import (
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// s3Proxy stands between the confmedia processes and the S3 server. Each
// process gets a listener of its own, so that every write to the bucket is
// known by the process that made it; the listeners keep their ports when
// the S3 server behind them is restarted on another one, and all of them
// close while the server is away (new connections are refused, as by a
// stopped server). It plays no part in what a request does: bodies, headers
// and the Host a request was signed for pass through unchanged.
type s3Proxy struct {
	target atomic.Pointer[url.URL]

	mu        sync.Mutex
	down      bool
	listeners map[string]*proxyListener // by process name
	writes    []blobWrite

	// onRead, when set, is called before a GET or HEAD a process makes is
	// passed on; when it returns true the request is not answered.
	onRead func(process, path string) bool
}

type proxyListener struct {
	name string
	addr string
	srv  *http.Server
}

// blobWrite is one successful object write seen by the proxy.
type blobWrite struct {
	Process string
	Key     string
	At      time.Time
}

func newS3Proxy(target string) (*s3Proxy, error) {
	p := &s3Proxy{listeners: map[string]*proxyListener{}}
	if err := p.setTarget(target); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *s3Proxy) setTarget(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	p.target.Store(u)
	return nil
}

// endpoint opens a listener for the process called name and returns its
// URL. While the proxy is down the port is only reserved: it opens on up.
func (p *s3Proxy) endpoint(name string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	l := &proxyListener{name: name, addr: ln.Addr().String()}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.listeners[name] = l
	if p.down {
		ln.Close()
	} else {
		p.serve(l, ln)
	}
	return "http://" + l.addr, nil
}

func (p *s3Proxy) serve(l *proxyListener, ln net.Listener) {
	l.srv = &http.Server{Handler: p.handler(l.name), ReadHeaderTimeout: 30 * time.Second}
	go l.srv.Serve(ln)
}

// forget closes the listener of a process that has exited.
func (p *s3Proxy) forget(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if l := p.listeners[name]; l != nil && l.srv != nil {
		l.srv.Close()
	}
	delete(p.listeners, name)
}

// setDown closes every listener and every open connection (true), or
// opens them again on the same ports (false).
func (p *s3Proxy) setDown(down bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down == down {
		return nil
	}
	p.down = down
	var errs []error
	for _, l := range p.listeners {
		if down {
			if l.srv != nil {
				l.srv.Close()
				l.srv = nil
			}
			continue
		}
		ln, err := listenAgain(l.addr)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.serve(l, ln)
	}
	return errors.Join(errs...)
}

// listenAgain listens on addr, retrying briefly while the port is in use.
func listenAgain(addr string) (net.Listener, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		ln, err := net.Listen("tcp", addr)
		if err == nil || time.Now().After(deadline) {
			return ln, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *s3Proxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.listeners {
		if l.srv != nil {
			l.srv.Close()
		}
	}
	p.listeners = map[string]*proxyListener{}
}

// writesBy counts the writes a process made.
func (p *s3Proxy) writesBy(process string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, w := range p.writes {
		if w.Process == process {
			n++
		}
	}
	return n
}

// allWrites returns the writes seen so far.
func (p *s3Proxy) allWrites() []blobWrite {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]blobWrite(nil), p.writes...)
}

func (p *s3Proxy) handler(name string) http.Handler {
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(p.target.Load())
			r.Out.Host = r.In.Host // the request is signed for the host the client called
		},
		ModifyResponse: func(resp *http.Response) error {
			if resp.StatusCode/100 == 2 && isObjectWrite(resp.Request) {
				p.mu.Lock()
				p.writes = append(p.writes, blobWrite{Process: name, Key: objectKey(resp.Request.URL.Path), At: time.Now()})
				p.mu.Unlock()
			}
			return nil
		},
		ErrorLog: log.New(io.Discard, "", 0), // refused connections are the point of an outage
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && p.onRead != nil && p.onRead(name, r.URL.Path) {
			// The process is being killed: leave the request unanswered.
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			http.Error(w, "process killed", http.StatusBadGateway)
			return
		}
		rp.ServeHTTP(w, r)
	})
}

// isObjectWrite reports whether r, sent path-style, stores a whole object:
// a PUT (upload or copy) that is not one part of a multipart upload, or the
// POST that completes a multipart upload.
func isObjectWrite(r *http.Request) bool {
	q := r.URL.Query()
	switch r.Method {
	case http.MethodPut:
		return !q.Has("partNumber") && !q.Has("uploadId") && !q.Has("cors") && !q.Has("tagging") && strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1
	case http.MethodPost:
		return q.Has("uploadId")
	}
	return false
}

// objectKey is the key of a path-style request path: /bucket/key.
func objectKey(path string) string {
	path = strings.TrimPrefix(path, "/")
	if i := strings.IndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return ""
}
