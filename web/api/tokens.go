package api

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// TokenRequest asks for a new token. Expires is a duration ("72h",
// "30d"); "" means DefaultTokenTTL and "never" (or "0") a token that does
// not expire. Speaker, required for the speaker role and refused for the
// others, names the speaker the token belongs to: their id, or their name
// as the schedule spells it (compared folded).
type TokenRequest struct {
	Role    catalog.Role `json:"role"`
	Name    string       `json:"name"`
	Expires string       `json:"expires,omitempty"`
	Speaker string       `json:"speaker,omitempty"`
}

// TokenInfo describes a stored token, never its secret: Hash is a prefix
// of its hash, enough to revoke it.
type TokenInfo struct {
	Hash    string       `json:"hash"`
	Role    catalog.Role `json:"role"`
	Name    string       `json:"name"`
	Created time.Time    `json:"created"`
	Expires time.Time    `json:"expires,omitzero"` // zero: never
	Expired bool         `json:"expired,omitempty"`
	// SpeakerID is the speaker a speaker token belongs to.
	SpeakerID string `json:"speaker_id,omitempty"`
}

// TokenCreated answers a TokenRequest: the secret, shown this once, and
// the login link that carries it.
type TokenCreated struct {
	Token string `json:"token"`
	Link  string `json:"link"`
	TokenInfo
}

// TokenList lists the stored tokens, newest first.
type TokenList struct {
	Tokens []TokenInfo `json:"tokens"`
}

// HashToken returns the stored form of a token: its sha256 in hex. The
// client sends it, never the token, to revoke a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
