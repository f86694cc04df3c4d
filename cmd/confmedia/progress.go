package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// progress reports long-running work on stderr: items, bytes, rate and ETA.
// On a terminal it redraws one line; otherwise it prints a plain line every
// few seconds, so logs stay readable.
type progress struct {
	w          io.Writer
	tty        bool
	label      string
	totalItems int64
	totalBytes int64
	items      atomic.Int64
	bytes      atomic.Int64
	start      time.Time
	stop       chan struct{}
	done       sync.WaitGroup
	now        func() time.Time
}

func newProgress(w io.Writer, tty bool, label string, items, bytes int64) *progress {
	p := &progress{w: w, tty: tty, label: label, totalItems: items, totalBytes: bytes,
		start: time.Now(), stop: make(chan struct{}), now: time.Now}
	interval := 5 * time.Second
	if tty {
		interval = 200 * time.Millisecond
	}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.print(false)
			}
		}
	}()
	return p
}

func (p *progress) addItem()         { p.items.Add(1) }
func (p *progress) addBytes(n int64) { p.bytes.Add(n) }

// line formats the current state.
func (p *progress) line() string {
	items, bytes := p.items.Load(), p.bytes.Load()
	el := p.now().Sub(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(bytes) / el
	}
	eta := "--"
	if rate > 0 && p.totalBytes > bytes {
		eta = (time.Duration(float64(p.totalBytes-bytes)/rate) * time.Second / time.Second * time.Second).Round(time.Second).String()
	} else if p.totalBytes > 0 && bytes >= p.totalBytes {
		eta = "0s"
	}
	pct := 100.0
	if p.totalBytes > 0 {
		pct = 100 * float64(bytes) / float64(p.totalBytes)
	}
	return fmt.Sprintf("%s: %d/%d files, %s/%s (%.0f%%), %s/s, ETA %s",
		p.label, items, p.totalItems, humanBytes(bytes), humanBytes(p.totalBytes), pct, humanBytes(int64(rate)), eta)
}

func (p *progress) print(final bool) {
	switch {
	case p.tty && final:
		fmt.Fprintf(p.w, "\r\033[K%s\n", p.line())
	case p.tty:
		fmt.Fprintf(p.w, "\r\033[K%s", p.line())
	default:
		fmt.Fprintln(p.w, p.line())
	}
}

// finish stops the reports and prints the final state.
func (p *progress) finish() {
	close(p.stop)
	p.done.Wait()
	p.print(true)
}

// countingReader adds what is read to a progress.
type countingReader struct {
	r io.Reader
	p *progress
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.addBytes(int64(n))
	return n, err
}
