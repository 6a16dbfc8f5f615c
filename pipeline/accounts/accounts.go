// Package accounts is who may use grantpipe serve: accounts with argon2id
// password hashes, one-time passwords, API tokens, log-in throttling and the
// audit trail. Passwords and tokens never appear in a log, an audit entry
// or an error.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"grantpipe/pipeline/store"
)

// Roles of an account.
const (
	RoleDistrict = "district" // a district's own staff: its own district only
	RoleAnalyst  = "analyst"  // the ministry, reading
	RoleAdmin    = "admin"    // the ministry, reading and acting
)

// Throttling: after MaxFailures failed log-ins within Window, for one login
// or from one address, further attempts are refused for LockFor, even with
// the right password.
const (
	MaxFailures = 10
	Window      = 15 * time.Minute
	LockFor     = 15 * time.Minute
)

// Errors of a log-in, to branch on with errors.Is. An unknown login and a
// wrong password are the same error, so that nobody learns which logins
// exist.
var (
	ErrBadCredentials = errors.New("unknown login or wrong password")
	ErrDisabled       = errors.New("account disabled")
	ErrLocked         = errors.New("too many failed log-ins, try again later")
	ErrBadToken       = errors.New("unknown or revoked token")
)

// Errors of managing accounts.
var (
	ErrNoSuchUser = errors.New("no such account")
	ErrInvalid    = errors.New("invalid account")
	ErrLoginTaken = store.ErrLoginTaken
)

// User is an account as its users and the server see it: no hash.
type User struct {
	ID          int64     `json:"id"`
	Login       string    `json:"login"`
	Role        string    `json:"role"`
	District    string    `json:"district,omitempty"`
	Disabled    bool      `json:"disabled"`
	OneTime     bool      `json:"one_time"` // the password must be changed at the next login
	CreatedAt   time.Time `json:"created_at"`
	PasswordSet time.Time `json:"password_set_at"`
}

func userOf(u store.User) User {
	return User{ID: u.ID, Login: u.Login, Role: u.Role, District: u.District, Disabled: u.Disabled, OneTime: u.OneTime,
		CreatedAt: u.CreatedAt, PasswordSet: u.PasswordSet}
}

// Service manages the accounts of one data directory's database. Its
// throttling is kept in memory: a restart clears it, which is right for
// grantpipe serve, one process that holds the data directory. Safe for
// concurrent use.
type Service struct {
	st        *store.Store
	now       func() time.Time
	districts []string
	params    Params

	mu       sync.Mutex
	failures map[string]*attempts // by "login:<lower login>" and "addr:<host>"

	dummyOnce sync.Once
	dummy     string // a hash checked for unknown logins, so they take as long as known ones
}

// attempts are the recent failures of one login or address.
type attempts struct {
	at          []time.Time // within the window
	pending     int         // attempts whose password is being checked
	lockedUntil time.Time
}

// New returns the accounts of st; now is the clock and districts the AGS
// a district account may have (the programme's districts).
func New(st *store.Store, now func() time.Time, districts []string) *Service {
	return &Service{st: st, now: now, districts: districts, params: DefaultParams, failures: map[string]*attempts{}}
}

// Add creates an account and returns it. A district account needs a
// district of the programme, the ministry's accounts none. With an empty
// password a one-time password is made, returned once and must be changed
// at the first log-in; a password given is checked against the password
// rules and is not one-time.
func (s *Service) Add(ctx context.Context, login, role, district, password string) (User, string, error) {
	login = strings.TrimSpace(login)
	if err := s.checkAccount(login, role, district); err != nil {
		return User{}, "", err
	}
	hash, oneTime, err := s.newPassword(password)
	if err != nil {
		return User{}, "", err
	}
	u := store.User{Login: login, Role: role, District: district, PasswordHash: hash, CreatedAt: s.now(), OneTime: oneTime != ""}
	id, err := s.st.AddUser(ctx, u)
	if err != nil {
		return User{}, "", err
	}
	u.ID, u.PasswordSet = id, u.CreatedAt
	detail := "role " + role
	if district != "" {
		detail += ", district " + district
	}
	if err := s.Audit(ctx, login, "account added", detail, ""); err != nil {
		return User{}, "", err
	}
	return userOf(u), oneTime, nil
}

func (s *Service) checkAccount(login, role, district string) error {
	switch {
	case login == "":
		return fmt.Errorf("%w: the login is empty", ErrInvalid)
	case len(login) > 100 || strings.ContainsFunc(login, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return fmt.Errorf("%w: a login is at most 100 bytes without control characters", ErrInvalid)
	case role == RoleDistrict && !slices.Contains(s.districts, district):
		return fmt.Errorf("%w: %q is not a district of the programme", ErrInvalid, district)
	case role != RoleDistrict && role != RoleAnalyst && role != RoleAdmin:
		return fmt.Errorf("%w: role %q: want district, analyst or admin", ErrInvalid, role)
	case role != RoleDistrict && district != "":
		return fmt.Errorf("%w: a %s account has no district", ErrInvalid, role)
	}
	return nil
}

// newPassword hashes password, or, when it is empty, a new one-time
// password, which it returns.
func (s *Service) newPassword(password string) (hash, oneTime string, err error) {
	if password == "" {
		if oneTime, err = OneTimePassword(); err != nil {
			return "", "", err
		}
		password = oneTime
	} else if err := CheckPassword(password); err != nil {
		return "", "", err
	}
	hash, err = Hash(password, s.params)
	return hash, oneTime, err
}

// List returns every account, by login.
func (s *Service) List(ctx context.Context) ([]User, error) {
	us, err := s.st.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]User, len(us))
	for i, u := range us {
		out[i] = userOf(u)
	}
	return out, nil
}

func (s *Service) user(ctx context.Context, login string) (store.User, error) {
	u, ok, err := s.st.UserByLogin(ctx, strings.TrimSpace(login))
	if err != nil {
		return store.User{}, err
	}
	if !ok {
		return store.User{}, fmt.Errorf("%w: %s", ErrNoSuchUser, login)
	}
	return u, nil
}

// Disable disables an account and revokes its API tokens: it can no longer
// log in, and a later enabling does not bring old tokens back.
func (s *Service) Disable(ctx context.Context, login string) error {
	u, err := s.user(ctx, login)
	if err != nil {
		return err
	}
	if err := s.st.SetUserDisabled(ctx, u.ID, true); err != nil {
		return err
	}
	n, err := s.st.RevokeTokens(ctx, u.ID, s.now())
	if err != nil {
		return err
	}
	return s.Audit(ctx, u.Login, "account disabled", fmt.Sprintf("%d tokens revoked", n), "")
}

// Enable enables a disabled account again with a new one-time password,
// which it returns: whoever held the account before must not get in with
// the old one. Its revoked tokens stay revoked.
func (s *Service) Enable(ctx context.Context, login string) (string, error) {
	u, err := s.user(ctx, login)
	if err != nil {
		return "", err
	}
	if err := s.st.SetUserDisabled(ctx, u.ID, false); err != nil {
		return "", err
	}
	if err := s.Audit(ctx, u.Login, "account enabled", "", ""); err != nil {
		return "", err
	}
	return s.Reset(ctx, login, "")
}

// Reset sets a new password: password if given (checked against the
// rules), else a one-time password, which it returns and which must be
// changed at the next log-in. It also lifts a throttling lock on the login.
func (s *Service) Reset(ctx context.Context, login, password string) (string, error) {
	u, err := s.user(ctx, login)
	if err != nil {
		return "", err
	}
	hash, oneTime, err := s.newPassword(password)
	if err != nil {
		return "", err
	}
	if err := s.st.SetPassword(ctx, u.ID, hash, s.now(), oneTime != ""); err != nil {
		return "", err
	}
	s.mu.Lock()
	if a := s.failures[loginKey(u.Login)]; a != nil {
		a.at, a.lockedUntil = nil, time.Time{}
	}
	s.mu.Unlock()
	detail := "password set"
	if oneTime != "" {
		detail = "one-time password issued"
	}
	return oneTime, s.Audit(ctx, u.Login, "password reset", detail, "")
}

// Authenticate checks a log-in from remote (host or host:port; empty when
// not over the network) and returns the account. Every attempt is
// audited. Errors: ErrLocked (too many failures for the login or the
// address; the password is not even checked), ErrBadCredentials, and
// ErrDisabled (only when the password was right, so it tells nothing to
// a guesser).
func (s *Service) Authenticate(ctx context.Context, login, password, remote string) (User, error) {
	login = strings.TrimSpace(login)
	remote = host(remote)
	now := s.now()
	keys := []string{loginKey(login)}
	if remote != "" {
		keys = append(keys, "addr:"+remote)
	}
	if !s.begin(keys, now) {
		return User{}, s.refuse(ctx, login, remote, "refused: locked after too many failures", ErrLocked)
	}
	outcome := neutral
	defer func() { s.end(keys, now, outcome) }()
	u, ok, err := s.st.UserByLogin(ctx, login)
	if err != nil {
		return User{}, err
	}
	hash := u.PasswordHash
	if !ok {
		hash = s.dummyHash()
	}
	match, err := Verify(hash, password)
	if err != nil {
		return User{}, fmt.Errorf("log-in %s: stored hash: %w", u.Login, err)
	}
	if !ok || !match {
		outcome = failed
		return User{}, s.refuse(ctx, login, remote, "failed: unknown login or wrong password", ErrBadCredentials)
	}
	if u.Disabled {
		return User{}, s.refuse(ctx, u.Login, remote, "refused: account disabled", ErrDisabled)
	}
	outcome = succeeded
	if err := s.Audit(ctx, u.Login, "login", "ok", remote); err != nil {
		return User{}, err
	}
	return userOf(u), nil
}

// refuse audits a refused log-in and returns why.
func (s *Service) refuse(ctx context.Context, login, remote, detail string, why error) error {
	if len(login) > 100 { // what someone typed, not an account: kept short in the trail
		login = strings.ToValidUTF8(login[:100], "")
	}
	if err := s.Audit(ctx, login, "login", detail, remote); err != nil {
		return err
	}
	return why
}

func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		s.dummy, _ = Hash("no account has this password", s.params)
	})
	return s.dummy
}

func loginKey(login string) string { return "login:" + strings.ToLower(login) }

// host is remote without its port.
func host(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}

// begin says whether an attempt on keys may go on at now, and if so counts
// it as pending: a key is closed while it is locked, and also while its
// failures and pending attempts reach MaxFailures, so that guesses sent all
// at once cannot pass the limit while their hashes are being checked.
func (s *Service) begin(keys []string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget(now)
	for _, k := range keys {
		if a := s.failures[k]; a != nil && (now.Before(a.lockedUntil) || len(a.at)+a.pending >= MaxFailures) {
			return false
		}
	}
	for _, k := range keys {
		a := s.failures[k]
		if a == nil {
			a = &attempts{}
			s.failures[k] = a
		}
		a.pending++
	}
	return true
}

// An attempt's outcome for the throttling.
const (
	neutral   = iota // neither (disabled account, or the check itself failed)
	failed           // unknown login or wrong password
	succeeded        // logged in
)

// end closes an attempt begun at now: a failure counts for each of keys,
// and the MaxFailures-th within Window locks the key for LockFor; a success
// clears the login's failures (keys[0]), not the address's: one good
// account must not clear a guesser's count.
func (s *Service) end(keys []string, now time.Time, outcome int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, k := range keys {
		a := s.failures[k]
		if a == nil { // cannot happen while pending; kept safe all the same
			a = &attempts{}
			s.failures[k] = a
		}
		if a.pending > 0 {
			a.pending--
		}
		switch {
		case outcome == failed:
			a.at = append(recent(a.at, now), now)
			if len(a.at) >= MaxFailures {
				a.lockedUntil = now.Add(LockFor)
				a.at = nil
			}
		case outcome == succeeded && i == 0:
			a.at = nil
		}
	}
}

// forget drops what no longer counts: failures older than the window and
// locks that ran out, so an attack from many addresses does not grow the
// map for ever.
func (s *Service) forget(now time.Time) {
	for k, a := range s.failures {
		a.at = recent(a.at, now)
		if len(a.at) == 0 && a.pending == 0 && !now.Before(a.lockedUntil) {
			delete(s.failures, k)
		}
	}
}

func recent(at []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(at) && now.Sub(at[i]) >= Window {
		i++
	}
	return at[i:]
}

// TokenPrefix begins every API token, so that a leaked one is recognised
// (by secret scanners too).
const TokenPrefix = "gp_"

// NewToken makes an API token for the account login and returns it: 32
// random bytes, base64url, after TokenPrefix. It is shown once; only its
// sha256 is stored.
func (s *Service) NewToken(ctx context.Context, login string) (string, error) {
	u, err := s.user(ctx, login)
	if err != nil {
		return "", err
	}
	if u.Disabled {
		return "", fmt.Errorf("token for %s: %w", u.Login, ErrDisabled)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	id, err := s.st.AddToken(ctx, u.ID, tokenHash(token), s.now())
	if err != nil {
		return "", err
	}
	return token, s.Audit(ctx, u.Login, "token created", fmt.Sprintf("token %d", id), "")
}

// RevokeTokens revokes every API token of the account login.
func (s *Service) RevokeTokens(ctx context.Context, login string) error {
	u, err := s.user(ctx, login)
	if err != nil {
		return err
	}
	n, err := s.st.RevokeTokens(ctx, u.ID, s.now())
	if err != nil {
		return err
	}
	return s.Audit(ctx, u.Login, "tokens revoked", fmt.Sprintf("%d tokens", n), "")
}

// UserByToken returns the account of a valid API token, or ErrBadToken
// (also for a disabled account's token).
func (s *Service) UserByToken(ctx context.Context, token string) (User, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return User{}, ErrBadToken
	}
	u, ok, err := s.st.UserByTokenHash(ctx, tokenHash(token))
	if err != nil {
		return User{}, err
	}
	if !ok || u.Disabled {
		return User{}, ErrBadToken
	}
	return userOf(u), nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Audit records that login did action (detail) from remote.
func (s *Service) Audit(ctx context.Context, login, action, detail, remote string) error {
	return s.st.AddAudit(ctx, store.AuditEntry{At: s.now(), Login: login, Action: action, Detail: detail, Remote: remote})
}

// AuditLog returns the latest limit entries of the audit trail, newest
// first.
func (s *Service) AuditLog(ctx context.Context, limit int) ([]store.AuditEntry, error) {
	return s.st.AuditLog(ctx, limit)
}
