// Package match makes confmedia's tagging decisions: which talk an event
// photo shows, whose portrait a headshot is, and which talk a recording
// belongs to. It also turns a camera's wall-clock reading into an instant.
//
// The package is pure: it takes values (a schedule, a capture time, a
// recording's metadata) and returns decisions. It never reads the clock, the
// server's time zone, files or the network, and every list it returns has a
// defined order (ids sorted, or best first and then by id), so that the same
// input always yields the same decision.
//
// Names and titles are compared after Fold. Matching is deliberately
// conservative: when the evidence does not single out one answer, the
// decision says so (NeedsReview for media, an empty TalkID for recordings)
// and lists the candidates a reviewer can choose from.
package match
