package main

import (
	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web"
)

// publisher returns the one catalog.Publisher of this process, shared by
// its web app and its workers so that their publishes run one at a time
// and coalesce. It is made on first use, while the process is wired.
func (b *backends) publisher() *catalog.Publisher {
	if b.pub == nil {
		b.pub = &catalog.Publisher{
			Store:  b.store,
			Blobs:  b.blobs,
			URL:    web.PublicBlobURL(b.cfg.PublicURL, b.cfg.S3PublicURL),
			Logger: b.log.With("component", "publish"),
			// Private speakers: names and ids only, no speaker pages.
			PrivateSpeakers: b.cfg.PrivateSpeakers,
		}
	}
	return b.pub
}
