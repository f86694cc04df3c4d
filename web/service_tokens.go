package web

// The links use case (api.TokenService) over the catalog. No HTTP here:
// organizer_tokens.go decodes, calls these and encodes.

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/confmedia/confmedia/web/api"
)

// tokenService implements api.TokenService over the server's catalog.
type tokenService struct{ *Server }

var _ api.TokenService = tokenService{}

// tokens returns the server's links use case.
func (s *Server) tokens() tokenService { return tokenService{s} }

// tokenLister is a store that can list its tokens.
type tokenLister interface {
	Tokens(ctx context.Context) ([]catalog.Token, error)
}

func (s *Server) tokenInfo(t catalog.Token) TokenInfo {
	return TokenInfo{Hash: t.Hash[:min(len(t.Hash), shownHashPrefix)], Role: t.Role, Name: t.Name, Created: t.Created,
		Expires: t.Expires, Expired: !t.Expires.IsZero() && !s.now().Before(t.Expires), SpeakerID: t.SpeakerID}
}

// CreateToken makes a token for req.Role, named req.Name (who it is for),
// that lasts req.Expires (see ParseTokenTTL), stores its hash and returns
// the secret with its login link: the one use case behind the API and the
// tokens page. A speaker token belongs to the speaker req.Speaker names
// (see tokenSpeaker). An unknown role, an empty or over-long name, a bad
// expiry, a speaker token without a speaker of the schedule, or a speaker
// given for another role is Invalid.
func (s tokenService) CreateToken(ctx context.Context, req TokenRequest) (TokenCreated, error) {
	const op = "web.CreateToken"
	role, name, speaker := req.Role, req.Name, req.Speaker
	ttl, err := ParseTokenTTL(req.Expires)
	if err != nil {
		return TokenCreated{}, err
	}
	if !validRole(role) {
		return TokenCreated{}, catalog.E(catalog.Invalid, op, nil, "unknown role %q: want admin, photographer, video or speaker", role)
	}
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || len(name) > maxTokenName {
		return TokenCreated{}, catalog.E(catalog.Invalid, op, nil, "a token needs a name of at most %d characters: who it is for", maxTokenName)
	}
	speakerID, err := s.tokenSpeaker(ctx, role, speaker)
	if err != nil {
		return TokenCreated{}, err
	}
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return TokenCreated{}, fmt.Errorf("%s: %w", op, err)
	}
	secret := tokenPrefix + hex.EncodeToString(buf)
	now := s.now().UTC().Truncate(time.Second)
	t := catalog.Token{Hash: HashToken(secret), Role: role, Name: name, Created: now, SpeakerID: speakerID}
	if ttl > 0 {
		t.Expires = now.Add(ttl)
	}
	if err := s.Store.PutToken(ctx, t); err != nil {
		return TokenCreated{}, err
	}
	s.Logger.Info("token created", "role", role, "name", name, "speaker", speakerID, "expires", t.Expires, "by", tokenName(ctx))
	return TokenCreated{Token: secret, Link: s.LoginLink(secret), TokenInfo: s.tokenInfo(t)}, nil
}

// tokenSpeaker returns the id of the speaker a token of role belongs to:
// the schedule's speaker whose id is speaker, else whose name is speaker
// once both are folded (match.SameName: accents, case, punctuation and word
// order aside). Only speaker tokens belong to a speaker, and each to one.
func (s tokenService) tokenSpeaker(ctx context.Context, role catalog.Role, speaker string) (string, error) {
	const op = "web.CreateToken"
	speaker = strings.Join(strings.Fields(speaker), " ")
	if role != catalog.RoleSpeaker {
		if speaker != "" {
			return "", catalog.E(catalog.Invalid, op, nil, "only a speaker token belongs to a speaker: leave the speaker out for the %s role", role)
		}
		return "", nil
	}
	if speaker == "" {
		return "", catalog.E(catalog.Invalid, op, nil, "a speaker token needs the speaker it belongs to: their name as the schedule spells it, or their id")
	}
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		return "", err
	}
	var found []catalog.Speaker
	for _, sp := range sched.Speakers {
		if sp.ID == speaker {
			return sp.ID, nil
		}
		if match.SameName(sp.Name, speaker) {
			found = append(found, sp)
		}
	}
	switch len(found) {
	case 0:
		return "", catalog.E(catalog.Invalid, op, nil, "no speaker %q in the schedule: give their name as the schedule spells it, or their id", speaker)
	case 1:
		return found[0].ID, nil
	}
	ids := make([]string, len(found))
	for i, sp := range found {
		ids[i] = sp.ID
	}
	return "", catalog.E(catalog.Invalid, op, nil, "%d speakers are called %q: give one's id (%s)", len(found), speaker, strings.Join(ids, ", "))
}

// Tokens lists the stored tokens, newest first. It returns an Unavailable
// error when the store cannot list them.
func (s tokenService) Tokens(ctx context.Context) ([]TokenInfo, error) {
	l, ok := s.Store.(tokenLister)
	if !ok {
		return nil, catalog.E(catalog.Unavailable, "web.Tokens", nil, "this catalog store cannot list tokens; revoke one by its secret")
	}
	list, err := l.Tokens(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b catalog.Token) int {
		return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(a.Hash, b.Hash))
	})
	out := make([]TokenInfo, 0, len(list))
	for _, t := range list {
		out = append(out, s.tokenInfo(t))
	}
	return out, nil
}

// RevokeToken deletes the token given as its secret, a login link
// carrying it, or a prefix of its hash (see revokeHash): what web/client's
// RevokeToken takes. A secret no token has is NotFound.
func (s tokenService) RevokeToken(ctx context.Context, tokenOrHash string) (TokenInfo, error) {
	v := tokenFromInput(tokenOrHash)
	info, err := s.revokeHash(ctx, HashToken(v))
	if !catalog.IsNotFound(err) || v == "" || strings.Trim(strings.ToLower(v), "0123456789abcdef") != "" {
		return info, err
	}
	return s.revokeHash(ctx, v)
}

// revokeHash deletes the token whose hash is hash, or starts with hash (at
// least 8 hex digits), and returns what it was. It returns NotFound when
// no token matches, Invalid for a short or ambiguous prefix.
func (s tokenService) revokeHash(ctx context.Context, hash string) (TokenInfo, error) {
	const op = "web.RevokeToken"
	hash = strings.ToLower(strings.TrimSpace(hash))
	if len(hash) < minHashPrefix || strings.Trim(hash, "0123456789abcdef") != "" {
		return TokenInfo{}, catalog.E(catalog.Invalid, op, nil, "%q: give the token, or at least %d hex digits of its hash", hash, minHashPrefix)
	}
	t, err := s.Store.TokenByHash(ctx, hash)
	switch {
	case err == nil:
	case !catalog.IsNotFound(err):
		return TokenInfo{}, err
	case len(hash) == sha256.Size*2:
		return TokenInfo{}, catalog.E(catalog.NotFound, op, nil, "no token with hash %s", hash[:shownHashPrefix])
	default:
		l, ok := s.Store.(tokenLister)
		if !ok {
			return TokenInfo{}, catalog.E(catalog.NotFound, op, nil, "no token with hash %s (this store finds tokens only by their whole hash or secret)", hash)
		}
		all, err := l.Tokens(ctx)
		if err != nil {
			return TokenInfo{}, err
		}
		var found []catalog.Token
		for _, x := range all {
			if strings.HasPrefix(x.Hash, hash) {
				found = append(found, x)
			}
		}
		switch len(found) {
		case 0:
			return TokenInfo{}, catalog.E(catalog.NotFound, op, nil, "no token with hash %s", hash)
		case 1:
			t = found[0]
		default:
			return TokenInfo{}, catalog.E(catalog.Invalid, op, nil, "%d tokens have hashes starting %s: give more of it", len(found), hash)
		}
	}
	if err := s.Store.DeleteToken(ctx, t.Hash); err != nil {
		return TokenInfo{}, err
	}
	n, err := s.Store.DeleteTokenSessions(ctx, t.Hash)
	if err != nil {
		return TokenInfo{}, err
	}
	s.Logger.Info("token revoked", "role", t.Role, "name", t.Name, "by", tokenName(ctx), "sessions", n)
	return s.tokenInfo(t), nil
}
