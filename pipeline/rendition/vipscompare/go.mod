module github.com/confmedia/confmedia/pipeline/rendition/vipscompare

go 1.26.0

// The comparator builds against this checkout of confmedia.
replace github.com/confmedia/confmedia => ../../..

require (
	github.com/confmedia/confmedia v0.0.0-00010101000000-000000000000
	github.com/disintegration/imaging v1.6.2
)

require (
	github.com/rwcarlsen/goexif v0.0.0-20190401172101-9e8deecbddbd // indirect
	golang.org/x/image v0.0.0-20191009234506-e7c1f5e7dbb8 // indirect
)
