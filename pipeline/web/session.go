package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"grantpipe/pipeline/accounts"
)

// Session timeouts: a session ends after IdleTimeout without a request,
// and AbsoluteTimeout after its log-in, whatever happens in between.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
)

// CookieName is the session cookie's name.
const CookieName = "grantpipe_session"

// session is one logged-in browser.
type session struct {
	user     accounts.User
	started  time.Time
	lastSeen time.Time
}

// sessions are kept in memory, by their token: a restart of the server logs
// everybody out, which one process holding the data directory can afford.
type sessions struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*session
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{now: now, m: map[string]*session{}}
}

// start makes a session for u and returns its token: 32 random bytes.
func (s *sessions) start(u accounts.User) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[token] = &session{user: u, started: now, lastSeen: now}
	return token, nil
}

// get returns the session of token and marks it used, or false when there
// is none or it timed out (it is then ended).
func (s *sessions) get(token string) (accounts.User, bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.m[token]
	if !ok {
		return accounts.User{}, false
	}
	if now.Sub(se.lastSeen) > IdleTimeout || now.Sub(se.started) > AbsoluteTimeout {
		delete(s.m, token)
		return accounts.User{}, false
	}
	se.lastSeen = now
	return se.user, true
}

// update replaces the account a session shows (after a password change).
func (s *sessions) update(token string, u accounts.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if se, ok := s.m[token]; ok {
		se.user = u
	}
}

// end ends the session of token.
func (s *sessions) end(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, token)
}

// endLogin ends every session of the account login: it was disabled or
// its password reset.
func (s *sessions) endLogin(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, se := range s.m {
		if se.user.Login == login {
			delete(s.m, k)
		}
	}
}

// sweep forgets the sessions that timed out, so that the map does not
// grow with browsers that never log out.
func (s *sessions) sweep() {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, se := range s.m {
		if now.Sub(se.lastSeen) > IdleTimeout || now.Sub(se.started) > AbsoluteTimeout {
			delete(s.m, k)
		}
	}
}

// cookie is the session cookie carrying token; secure over TLS. An empty
// token deletes it.
func cookie(token string, secure bool) *http.Cookie {
	c := &http.Cookie{Name: CookieName, Value: token, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
	if token == "" {
		c.MaxAge = -1
	}
	return c
}
