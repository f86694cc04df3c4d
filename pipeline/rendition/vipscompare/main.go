// Command vipscompare is confmedia's rendering comparator: it renders photos
// the way `confmedia render` does, with libvips in-process, and compares
// both tools' renditions with a Lanczos3 reference. It is its own module so
// that confmedia never depends on libvips; run.sh drives it.
//
//	vipscompare render [-parallel N] [-out DIR] FILE...
//	vipscompare quality -ours DIR -vips DIR FILE...
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/confmedia/confmedia/pipeline/exif"
	"github.com/confmedia/confmedia/pipeline/rendition"
	"github.com/confmedia/confmedia/pipeline/rendition/internal/quality"
	"github.com/disintegration/imaging"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "render":
		err = render(os.Args[2:])
	case "quality":
		err = compare(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vipscompare:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: vipscompare render [-parallel N] [-out DIR] FILE...\n       vipscompare quality -ours DIR -vips DIR FILE...")
	os.Exit(2)
}

// plan is one photo's renditions, in confmedia's sizes (rendition.Standard)
// and order: large from the original, medium from large, the square cut
// from medium.
type plan struct {
	large, mw, mh    int
	sx, sy, sq, side int
	quality          int
}

// fitLong is rendition's rule: the long edge at most size, never upscaled,
// the other edge rounded.
func fitLong(w, h, size int) (int, int) {
	if max(w, h) <= size {
		return w, h
	}
	s := float64(size) / float64(max(w, h))
	if w >= h {
		return size, max(1, int(math.Round(float64(h)*s)))
	}
	return max(1, int(math.Round(float64(w)*s))), size
}

func planFor(data []byte) (plan, error) {
	_, w, h, err := rendition.CheckConfig(bytes.NewReader(data), 0)
	if err != nil {
		return plan{}, err
	}
	md, _ := exif.Read(data)
	if md.Orientation >= 5 {
		w, h = h, w
	}
	large, medium, square := rendition.Standard[0].Size, rendition.Standard[1].Size, rendition.Standard[2].Size
	lw, lh := fitLong(w, h, large)
	mw, mh := fitLong(lw, lh, medium)
	sq := min(mw, mh)
	if sq < square {
		return plan{}, fmt.Errorf("medium %dx%d is too small for the %d square", mw, mh, square)
	}
	p := plan{large: large, mw: mw, mh: mh, sq: sq, side: square, quality: rendition.DefaultQuality}
	if mw >= mh {
		p.sx = (mw - sq) / 2
	} else {
		p.sy = (mh - sq) / 6
	}
	return p, nil
}

var names = [3]string{"large", "medium", "square"}

func render(args []string) error {
	fs := flag.NewFlagSet("render", flag.ExitOnError)
	parallel := fs.Int("parallel", 2, "photos rendered at once")
	out := fs.String("out", ".", "folder for NAME.large.jpg, NAME.medium.jpg, NAME.square.jpg")
	fs.Parse(args)
	files := fs.Args()
	if len(files) == 0 {
		return errors.New("render takes one or more FILEs")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := vipsInit(); err != nil {
		return err
	}
	start := time.Now()
	jobs := make(chan string)
	errs := make(chan error, len(files))
	var wg sync.WaitGroup
	for range max(*parallel, 1) {
		wg.Go(func() {
			for f := range jobs {
				errs <- renderFile(f, *out)
			}
		})
	}
	for _, f := range files {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	d := time.Since(start)
	fmt.Printf("libvips: %d photos in %.2f s, %.2f photos/s\n", len(files), d.Seconds(), float64(len(files))/d.Seconds())
	return nil
}

func renderFile(path, out string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	p, err := planFor(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	jpgs, err := vipsRender(data, p)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	for i, b := range jpgs {
		if err := os.WriteFile(filepath.Join(out, base+"."+names[i]+".jpg"), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// stats gathers one tool's figures over a class of photos.
type stats struct {
	ssim  []float64
	bytes [3]int64
}

func (s *stats) add(v float64) { s.ssim = append(s.ssim, v) }

func (s *stats) summary() (lo, mean float64) {
	lo = math.Inf(1)
	for _, v := range s.ssim {
		lo = min(lo, v)
		mean += v
	}
	return lo, mean / float64(len(s.ssim))
}

// compare prints, per file and per size class, the SSIM of confmedia's and
// libvips' renditions against a Lanczos3 reference resized straight from
// the upright full-size original, and their file sizes.
func compare(args []string) error {
	fs := flag.NewFlagSet("quality", flag.ExitOnError)
	ours := fs.String("ours", "", "folder of confmedia's renditions")
	vips := fs.String("vips", "", "folder of libvips' renditions")
	fs.Parse(args)
	if *ours == "" || *vips == "" || fs.NArg() == 0 {
		return errors.New("quality needs -ours, -vips and FILEs")
	}
	type class struct{ ours, vips stats }
	classes := map[int]*class{}
	seen := map[string]bool{}
	fmt.Printf("%-14s %-7s %11s %9s %9s %9s %9s %7s\n", "file", "rend.", "size", "SSIM ours", "SSIM vips", "KB ours", "KB vips", "ratio")
	for _, f := range fs.Args() {
		if seen[f] {
			continue
		}
		seen[f] = true
		orig, err := imaging.Open(f, imaging.AutoOrientation(true))
		if err != nil {
			return err
		}
		b := orig.Bounds()
		mp := int(math.Round(float64(b.Dx()*b.Dy()) / 1e6))
		c := classes[mp]
		if c == nil {
			c = &class{}
			classes[mp] = c
		}
		base := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		var rends [2][3]image.Image // ours, libvips
		var sizes [2][3]int
		for t, dir := range []string{*ours, *vips} {
			for i, name := range names {
				img, data, err := readJPEG(filepath.Join(dir, base+"."+name+".jpg"))
				if err != nil {
					return err
				}
				rends[t][i], sizes[t][i] = img, len(data)
			}
		}
		for i, name := range names {
			var ssim [2]float64
			for t := range rends {
				r := rends[t][i].Bounds()
				var crop image.Rectangle
				if i == 2 { // the square, cut from that tool's medium
					m := rends[t][1].Bounds()
					crop = quality.SquareCrop(b.Dx(), b.Dy(), m.Dx(), m.Dy())
				}
				ssim[t] = quality.SSIM(rends[t][i], quality.Reference(orig, crop, r.Dx(), r.Dy()))
			}
			c.ours.add(ssim[0])
			c.vips.add(ssim[1])
			c.ours.bytes[i] += int64(sizes[0][i])
			c.vips.bytes[i] += int64(sizes[1][i])
			fmt.Printf("%-14s %-7s %11s %9.4f %9.4f %9.1f %9.1f %7.3f\n", base, name, fmt.Sprint(rends[0][i].Bounds().Size()), ssim[0], ssim[1],
				float64(sizes[0][i])/1024, float64(sizes[1][i])/1024, float64(sizes[0][i])/float64(sizes[1][i]))
		}
	}
	var mps []int
	for mp := range classes {
		mps = append(mps, mp)
	}
	sort.Ints(mps)
	for _, mp := range mps {
		c := classes[mp]
		olo, omean := c.ours.summary()
		vlo, vmean := c.vips.summary()
		fmt.Printf("\n%d MP, %d renditions: SSIM vs Lanczos3 reference: confmedia min %.4f mean %.4f; libvips min %.4f mean %.4f\n",
			mp, len(c.ours.ssim), olo, omean, vlo, vmean)
		for i, name := range names {
			fmt.Printf("%d MP %s bytes: confmedia %d, libvips %d, ratio %.3f\n", mp, name, c.ours.bytes[i], c.vips.bytes[i],
				float64(c.ours.bytes[i])/float64(c.vips.bytes[i]))
		}
	}
	return nil
}

func readJPEG(path string) (image.Image, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, data, nil
}
