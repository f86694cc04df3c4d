package rendition

import (
	"fmt"
	"testing"
)

// BenchmarkResample times the resizes of a Standard render of a 24 MP photo
// decoded at half size: the large rendition from the decoded image, medium
// from large.
func BenchmarkResample(b *testing.B) {
	src := fromImage(texture(3000, 2000), 3000, 2000)
	defer releaseAll(src)
	for _, c := range []struct {
		sw, sh, w, h int
		f            filter
	}{
		{3000, 2000, 2048, 1365, lanczos3},
		{3000, 2000, 2048, 1365, catmullRom},
		{2048, 1365, 1024, 683, lanczos3},
	} {
		in := src
		if c.sw != src.w {
			in = resample(src, c.sw, c.sh, lanczos3)
			defer releaseAll(in)
		}
		b.Run(fmt.Sprintf("%dx%d>%dx%d/%s", c.sw, c.sh, c.w, c.h, c.f.name), func(b *testing.B) {
			for b.Loop() {
				releaseAll(resample(in, c.w, c.h, c.f))
			}
		})
	}
}
