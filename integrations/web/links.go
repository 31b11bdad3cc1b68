package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The kinds of thing a link opens.
const (
	linkDecision = "decision"
	linkScope    = "scope"
	linkItem     = "item"
)

// Errors of Signer.Verify.
var (
	ErrLinkExpired = errors.New("the link has expired")
	ErrLinkInvalid = errors.New("the link is not valid")
)

// Signer makes and checks signed links. The zero value is not usable: use
// NewSigner.
type Signer struct {
	key  []byte
	base string // public base URL without a trailing slash; may be empty
	ttl  time.Duration
	now  func() time.Time
}

// NewSigner returns a Signer with the server secret key, the public base
// URL links are built from (empty: URLs are paths only, and the
// integrations post none) and how long a link lasts.
func NewSigner(key []byte, base string, ttl time.Duration) (*Signer, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("link secret: %d bytes, want at least 32", len(key))
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("link ttl: %v, want a positive duration", ttl)
	}
	return &Signer{key: append([]byte(nil), key...), base: strings.TrimRight(base, "/"), ttl: ttl, now: time.Now}, nil
}

// HasPublicURL reports whether links can be posted where others read them.
func (s *Signer) HasPublicURL() bool { return s != nil && s.base != "" }

// sign is the signature of a link to kind/subject valid until exp.
func (s *Signer) sign(kind, subject string, exp int64) string {
	m := hmac.New(sha256.New, s.key)
	// NUL cannot occur in a scope, a platform or a number, so the fields
	// cannot be shifted into one another.
	fmt.Fprintf(m, "slopguard link v1\x00%s\x00%s\x00%d", kind, subject, exp)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a link's signature for kind/subject and its expiry, in
// constant time for the signature.
func (s *Signer) Verify(kind, subject, exp, sig string) error {
	e, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || sig == "" {
		return ErrLinkInvalid
	}
	want := s.sign(kind, subject, e)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return ErrLinkInvalid
	}
	if s.now().Unix() >= e {
		return ErrLinkExpired
	}
	return nil
}

// expiry is when a link made now stops working.
func (s *Signer) expiry() int64 { return s.now().Add(s.ttl).Unix() }

// DecisionPath is the path and query of a link to one decision, valid
// until exp (Unix seconds).
func (s *Signer) DecisionPath(id int64, exp int64) string {
	subject := strconv.FormatInt(id, 10)
	q := url.Values{"exp": {strconv.FormatInt(exp, 10)}, "sig": {s.sign(linkDecision, subject, exp)}}
	return "/d/" + subject + "?" + q.Encode()
}

// ScopePath is the path and query of a link to a scope's dashboard, valid
// until exp (Unix seconds).
func (s *Signer) ScopePath(platform, scope string, exp int64) string {
	q := scopeQuery(platform, scope)
	q.Set("exp", strconv.FormatInt(exp, 10))
	q.Set("sig", s.sign(linkScope, scopeSubject(platform, scope), exp))
	return "/dashboard?" + q.Encode()
}

func scopeQuery(platform, scope string) url.Values {
	return url.Values{"platform": {platform}, "scope": {scope}}
}

// ItemPath is the path and query of a link to an item's latest decision,
// valid until exp (Unix seconds). It can be made before the decision is
// recorded, so a check run or a comment can carry it.
func (s *Signer) ItemPath(platform, scope, itemID string, exp int64) string {
	q := scopeQuery(platform, scope)
	q.Set("item", itemID)
	q.Set("exp", strconv.FormatInt(exp, 10))
	q.Set("sig", s.sign(linkItem, itemSubject(platform, scope, itemID), exp))
	return "/i?" + q.Encode()
}

// itemSubject is what an item link signs.
func itemSubject(platform, scope, itemID string) string {
	return platform + "\x00" + scope + "\x00" + itemID
}

// ItemURL is a fresh link to the page of an item's latest decision, or ""
// without a public base URL.
func (s *Signer) ItemURL(platform, scope, itemID string) string {
	if !s.HasPublicURL() || platform == "" || scope == "" || itemID == "" {
		return ""
	}
	return s.base + s.ItemPath(platform, scope, itemID, s.expiry())
}

// scopeSubject is what a scope link signs.
func scopeSubject(platform, scope string) string { return platform + "\x00" + scope }

// DecisionURL is a fresh link to a decision's page, or "" without a
// public base URL (or a nil Signer, or no decision ID): then nothing is posted.
func (s *Signer) DecisionURL(id int64) string {
	if !s.HasPublicURL() || id <= 0 {
		return ""
	}
	return s.base + s.DecisionPath(id, s.expiry())
}

// ScopeURL is a fresh link to a scope's dashboard, or "" without a public
// base URL.
func (s *Signer) ScopeURL(platform, scope string) string {
	if !s.HasPublicURL() || platform == "" || scope == "" {
		return ""
	}
	return s.base + s.ScopePath(platform, scope, s.expiry())
}

// LocalDecisionURL is DecisionURL for an operator: with no public base URL
// it is the path alone, to be put after the server's own address.
func (s *Signer) LocalDecisionURL(id int64) string { return s.base + s.DecisionPath(id, s.expiry()) }

// LocalScopeURL is ScopeURL for an operator, as LocalDecisionURL.
func (s *Signer) LocalScopeURL(platform, scope string) string {
	return s.base + s.ScopePath(platform, scope, s.expiry())
}
