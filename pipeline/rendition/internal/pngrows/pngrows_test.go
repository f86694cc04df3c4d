package pngrows

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/pipeline/rendition/renditiontest"
)

// withIHDR returns data with its IHDR body changed by edit and its CRC
// fixed.
func withIHDR(data []byte, edit func(body []byte)) []byte {
	out := append([]byte(nil), data...)
	edit(out[16:29])
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

// readAll reads every row of the PNG in data.
func readAll(data []byte) error {
	d, err := New(context.Background(), data)
	if err != nil {
		return err
	}
	w, h := d.Size()
	row := make([]uint8, 3*w)
	for range h {
		if err := d.Next(row); err != nil {
			return err
		}
	}
	return nil
}

func TestErrors(t *testing.T) {
	good := renditiontest.PNG(renditiontest.PNGSpec{W: 20, H: 10, Depth: 8, ColorType: 2, Sample: func(x, y, c int) int { return x + y + c }})
	if err := readAll(good); err != nil {
		t.Fatalf("good PNG: %v", err)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not a PNG", []byte("GIF89a"), "not a PNG file"},
		{"16-bit palette", withIHDR(good, func(b []byte) { b[8], b[9] = 16, 3 }), "bit depth 16 with colour type 3"},
		{"palette without PLTE", withIHDR(good, func(b []byte) { b[9] = 3 }), "palette image with no PLTE"},
		{"unknown interlace", withIHDR(good, func(b []byte) { b[12] = 2 }), "unknown interlace method"},
		{"zero height", withIHDR(good, func(b []byte) { binary.BigEndian.PutUint32(b[4:], 0) }), "bad image size"},
		{"rows past the height", withIHDR(good, func(b []byte) { binary.BigEndian.PutUint32(b[4:], 9) }), "too much pixel data"},
		{"rows short of the height", withIHDR(good, func(b []byte) { binary.BigEndian.PutUint32(b[4:], 11) }), "ends early"},
		{"IHDR checksum", append(append([]byte(nil), good[:20]...), append([]byte{0xFF}, good[21:]...)...), "invalid checksum"},
		{"no IDAT", append(append([]byte(nil), good[:33]...), 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82), "no image data"},
	}
	for _, tt := range tests {
		err := readAll(tt.data)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error saying %q", tt.name, err, tt.want)
		}
	}
	if err := readAll(good[:len(good)-40]); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated: %v, want io.ErrUnexpectedEOF", err)
	}
}
