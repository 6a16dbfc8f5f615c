package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

var (
	accountUserByLogin  = declare("accounts/user_by_login.sql")
	accountUsers        = declare("accounts/users.sql")
	accountInsertUser   = declare("accounts/insert_user.sql")
	accountSetDisabled  = declare("accounts/set_disabled.sql")
	accountSetPassword  = declare("accounts/set_password.sql")
	accountInsertToken  = declare("accounts/insert_token.sql")
	accountUserByToken  = declare("accounts/user_by_token.sql")
	accountRevokeTokens = declare("accounts/revoke_tokens.sql")
	accountInsertAudit  = declare("accounts/insert_audit.sql")
	accountAuditLog     = declare("accounts/audit_log.sql")
)

// User is an account of grantpipe serve (table users).
type User struct {
	ID           int64
	Login        string
	Role         string // district, analyst or admin
	District     string // the AGS for role district, else empty
	PasswordHash string // argon2id as a PHC string; never the password
	Disabled     bool
	CreatedAt    time.Time
	PasswordSet  time.Time
	OneTime      bool // the password must be changed at the next login
}

// AuditEntry is one entry of the audit trail (table audit_log).
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Login  string    `json:"login"`
	Action string    `json:"action"`
	Detail string    `json:"detail"`
	Remote string    `json:"remote"`
}

// ErrLoginTaken means another account has the same login, compared
// case-insensitively.
var ErrLoginTaken = errors.New("login already taken")

func scanUser(r interface{ Scan(...any) error }, u *User) error {
	return r.Scan(&u.ID, &u.Login, &u.Role, &u.District, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.PasswordSet, &u.OneTime)
}

// UserByLogin returns the account with login (case-insensitively) and
// whether there is one.
func (s *Store) UserByLogin(ctx context.Context, login string) (User, bool, error) {
	return s.oneUser(ctx, "user "+login, accountUserByLogin, login)
}

// UserByTokenHash returns the account holding a valid (not revoked) API
// token with this hex sha256, and whether there is one. A disabled
// account is returned too: the caller decides.
func (s *Store) UserByTokenHash(ctx context.Context, hash string) (User, bool, error) {
	return s.oneUser(ctx, "user by token", accountUserByToken, hash)
}

func (s *Store) oneUser(ctx context.Context, op string, st statement, arg string) (User, bool, error) {
	var u User
	err := scanUser(s.db.QueryRowContext(ctx, s.text(st), arg), &u)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return User{}, false, nil
	case err != nil:
		return User{}, false, fmt.Errorf("%s: %w", op, err)
	}
	return u, true, nil
}

// Users returns every account, by login.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	return allRows(ctx, s, "users", accountUsers, nil, func(r *sql.Rows, u *User) error { return scanUser(r, u) })
}

// AddUser stores a new account (ID, Disabled and PasswordSet are ignored:
// a new account is enabled and its password set when it is created) and
// returns its id, or ErrLoginTaken. The look-up and the insert are one
// transaction; with the data directory's single writer that keeps logins
// unique without a UNIQUE index (see schema/010_accounts.sql).
func (s *Store) AddUser(ctx context.Context, u User) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("add user: %w", err)
	}
	defer tx.Rollback()
	var other User
	err = scanUser(tx.QueryRowContext(ctx, s.text(accountUserByLogin), u.Login), &other)
	switch {
	case err == nil:
		return 0, fmt.Errorf("add user %s: %w (by %s)", u.Login, ErrLoginTaken, other.Login)
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("add user: %w", err)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, s.text(accountInsertUser), u.Login, u.Role, u.District, u.PasswordHash,
		u.CreatedAt.UTC(), u.OneTime).Scan(&id); err != nil {
		return 0, fmt.Errorf("add user %s: %w", u.Login, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("add user %s: %w", u.Login, err)
	}
	return id, nil
}

// SetUserDisabled disables (or enables again) the account with id.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	if _, err := s.db.ExecContext(ctx, s.text(accountSetDisabled), id, disabled); err != nil {
		return fmt.Errorf("disable user: %w", err)
	}
	return nil
}

// SetPassword stores a new password hash for the account with id, set at
// at; oneTime says it must be changed at the next login.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, at time.Time, oneTime bool) error {
	if _, err := s.db.ExecContext(ctx, s.text(accountSetPassword), id, hash, at.UTC(), oneTime); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// AddToken stores the hex sha256 of a new API token of the account with
// userID and returns the token's id.
func (s *Store) AddToken(ctx context.Context, userID int64, hash string, at time.Time) (int64, error) {
	var id int64
	if err := s.db.QueryRowContext(ctx, s.text(accountInsertToken), userID, hash, at.UTC()).Scan(&id); err != nil {
		return 0, fmt.Errorf("add token: %w", err)
	}
	return id, nil
}

// RevokeTokens revokes every valid API token of the account with userID
// and returns how many.
func (s *Store) RevokeTokens(ctx context.Context, userID int64, at time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.text(accountRevokeTokens), userID, at.UTC())
	if err != nil {
		return 0, fmt.Errorf("revoke tokens: %w", err)
	}
	return res.RowsAffected()
}

// AddAudit appends e (its ID is ignored) to the audit trail.
func (s *Store) AddAudit(ctx context.Context, e AuditEntry) error {
	if _, err := s.db.ExecContext(ctx, s.text(accountInsertAudit), e.At.UTC(), e.Login, e.Action, e.Detail, e.Remote); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog returns the latest limit entries of the audit trail, newest
// first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	return allRows(ctx, s, "audit log", accountAuditLog, []any{limit}, func(r *sql.Rows, e *AuditEntry) error {
		return r.Scan(&e.ID, &e.At, &e.Login, &e.Action, &e.Detail, &e.Remote)
	})
}
