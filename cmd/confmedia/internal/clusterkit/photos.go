//go:build cluster

package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// The batch's conference: one room, one day of half-hour slots.
const (
	room     = "Main Hall"
	day      = "2026-05-15"
	dayStart = 9 * time.Hour
	slots    = 18 // 09:00 to 18:00
	daySecs  = slots * 30 * 60
)

// runPhotos writes n small JPEGs numbered from first, each with its own
// EXIF capture time (second first+i·7 of the conference day, modulo the
// day, with the index as sub-seconds), so that up to daySecs photos are
// byte-distinct; and, with -schedule, the day's schedule as CSV.
func runPhotos(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("photos", flag.ContinueOnError)
	dir := fs.String("dir", "", "folder to write the photos into")
	n := fs.Int("n", 100, "how many photos")
	first := fs.Int("first", 0, "index of the first photo (batches with different ranges are distinct)")
	size := fs.Int("width", 320, "width in pixels (height is 3/4 of it)")
	sched := fs.String("schedule", "", "also write the schedule CSV to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *n <= 0 || *first < 0 || *first+*n > daySecs {
		return fmt.Errorf("need -dir and 0 < n, first+n <= %d", daySecs)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	base, _ := time.Parse("2006-01-02", day)
	base = base.Add(dayStart)
	for i := *first; i < *first+*n; i++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		at := base.Add(time.Duration(i*7%daySecs) * time.Second)
		b, err := exiftest.JPEG(exiftest.Spec{
			Width: *size, Height: *size * 3 / 4,
			DateTimeOriginal: at.Format("2006:01:02 15:04:05"),
			SubSec:           fmt.Sprintf("%05d", i),
			Make:             "Cluster", Model: "Bench 1",
			Artist: "Cluster Test", Quality: 85,
		})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*dir, fmt.Sprintf("p%05d.jpg", i)), b, 0o644); err != nil {
			return err
		}
	}
	if *sched != "" {
		return os.WriteFile(*sched, []byte(scheduleCSV()), 0o644)
	}
	return nil
}

// scheduleCSV is the day's schedule: a 25-minute talk every half hour.
func scheduleCSV() string {
	var b strings.Builder
	b.WriteString("id,title,room,start,duration,speakers\n")
	base, _ := time.Parse("2006-01-02", day)
	for i := range slots {
		at := base.Add(dayStart + time.Duration(i)*30*time.Minute)
		fmt.Fprintf(&b, "c%02d,Cluster talk %d,%s,%s,25,Speaker %02d\n", i+1, i+1, room, at.Format("2006-01-02T15:04:05"), i+1)
	}
	return b.String()
}
