package accounts_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
	"grantpipe/queries"
)

// clock is a settable time for the Service.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// service returns accounts on a new database with the built-in programme's
// districts, and the database and clock behind them.
func service(t *testing.T) (*accounts.Service, *store.Store, *clock) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "g.duckdb"), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	return accounts.New(st, c.now, p.AllDistricts()), st, c
}

func add(t *testing.T, s *accounts.Service, login, role, district, pw string) accounts.User {
	t.Helper()
	u, _, err := s.Add(context.Background(), login, role, district, pw)
	if err != nil {
		t.Fatalf("add %s: %v", login, err)
	}
	return u
}

// allText is every text value the account tables hold, to look for what
// must never be stored.
func allText(t *testing.T, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT login || ' ' || password_hash FROM users",
		"SELECT token_hash FROM api_tokens",
		`SELECT login || ' ' || action || ' ' || detail || ' ' || remote FROM audit_log`,
	} {
		rows, err := st.Raw().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			b.WriteString(s + "\n")
		}
		rows.Close()
	}
	return b.String()
}

func TestAccountsAreCheckedWhenAdded(t *testing.T) {
	ctx := context.Background()
	s, _, _ := service(t)
	const pw = "lange-genug-123"
	for _, c := range []struct {
		name, login, role, district string
		ok                          bool
	}{
		{"a district account with a district of the programme is added", "boerde", "district", "15083", true},
		{"a district account needs a district", "nodistrict", "district", "", false},
		{"a district account with an AGS outside the programme is refused", "berlin", "district", "11000", false},
		{"an analyst needs no district", "anna", "analyst", "", true},
		{"an analyst with a district is refused", "anna2", "analyst", "15083", false},
		{"an admin needs no district", "root", "admin", "", true},
		{"an unknown role is refused", "eve", "superuser", "", false},
		{"an empty login is refused", "  ", "admin", "", false},
		{"a login differing only in case from another is refused", "BOERDE", "district", "15083", false},
		{"a login differing only in case and spaces from an analyst's is refused", " Anna ", "admin", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := s.Add(ctx, c.login, c.role, c.district, pw)
			if (err == nil) != c.ok {
				t.Errorf("got %v", err)
			}
		})
	}
	t.Run("the duplicate login is refused as taken", func(t *testing.T) {
		if _, _, err := s.Add(ctx, "Root", "admin", "", pw); !errors.Is(err, accounts.ErrLoginTaken) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("a password shorter than twelve characters is refused", func(t *testing.T) {
		if _, _, err := s.Add(ctx, "kurz", "admin", "", "elf-zeichen"); !errors.Is(err, accounts.ErrWeakPassword) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("the list has the three accounts added, by login", func(t *testing.T) {
		us, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range us {
			got = append(got, fmt.Sprintf("%s/%s/%s", u.Login, u.Role, u.District))
		}
		if strings.Join(got, " ") != "anna/analyst/ boerde/district/15083 root/admin/" {
			t.Errorf("list %v", got)
		}
	})
}

func TestPasswordsAreStoredOnlyAsSaltedHashes(t *testing.T) {
	ctx := context.Background()
	s, st, _ := service(t)
	const pw = "Sommer2026!Sommer"
	add(t, s, "boerde", "district", "15083", pw)
	add(t, s, "harz", "district", "15085", pw)
	a, _, _ := st.UserByLogin(ctx, "boerde")
	b, _, _ := st.UserByLogin(ctx, "harz")
	t.Run("the stored hash is not the password", func(t *testing.T) {
		if strings.Contains(allText(t, st), pw) {
			t.Error("the password is in the database")
		}
	})
	t.Run("two accounts with the same password have different hashes", func(t *testing.T) {
		if a.PasswordHash == b.PasswordHash {
			t.Error("same hash")
		}
	})
	t.Run("both log in with it", func(t *testing.T) {
		for _, login := range []string{"boerde", "harz"} {
			if _, err := s.Authenticate(ctx, login, pw, "192.0.2.1:5000"); err != nil {
				t.Errorf("%s: %v", login, err)
			}
		}
	})
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	s, st, _ := service(t)
	const pw = "Sommer2026!Sommer"
	add(t, s, "Boerde", "district", "15083", pw)
	t.Run("the right password logs in, whatever the case of the login", func(t *testing.T) {
		u, err := s.Authenticate(ctx, "boerde", pw, "192.0.2.1:5000")
		if err != nil || u.Login != "Boerde" || u.District != "15083" || u.Role != "district" {
			t.Errorf("got %+v, %v", u, err)
		}
	})
	t.Run("an unknown login and a wrong password are the same error", func(t *testing.T) {
		_, unknown := s.Authenticate(ctx, "niemand", pw, "192.0.2.1")
		_, wrong := s.Authenticate(ctx, "boerde", pw+"x", "192.0.2.1")
		if !errors.Is(unknown, accounts.ErrBadCredentials) || !errors.Is(wrong, accounts.ErrBadCredentials) || unknown.Error() != wrong.Error() {
			t.Errorf("unknown %v, wrong %v", unknown, wrong)
		}
	})
	t.Run("the audit log records the success and the failures without the password", func(t *testing.T) {
		log, err := s.AuditLog(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range log {
			got = append(got, e.Login+"|"+e.Action+"|"+e.Detail+"|"+e.Remote)
		}
		want := []string{
			"boerde|login|failed: unknown login or wrong password|192.0.2.1",
			"niemand|login|failed: unknown login or wrong password|192.0.2.1",
			"Boerde|login|ok|192.0.2.1",
			"Boerde|account added|role district, district 15083|",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit log\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if strings.Contains(allText(t, st), pw) {
			t.Error("the password is in the database")
		}
	})
	t.Run("a disabled account cannot log in, and says so only to the right password", func(t *testing.T) {
		if err := s.Disable(ctx, "BOERDE"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "boerde", pw, "192.0.2.2"); !errors.Is(err, accounts.ErrDisabled) {
			t.Errorf("right password: %v", err)
		}
		if _, err := s.Authenticate(ctx, "boerde", "wrong password", "192.0.2.2"); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
	})
}

func TestTenFailuresLockTheLoginAndTheAddress(t *testing.T) {
	ctx := context.Background()
	const pw = "Sommer2026!Sommer"
	guess := func(s *accounts.Service, login, remote string, n int) {
		t.Helper()
		for i := range n {
			if _, err := s.Authenticate(ctx, login, fmt.Sprintf("guess number %d", i), remote); !errors.Is(err, accounts.ErrBadCredentials) {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
	}
	t.Run("nine failures do not lock: the right password still logs in", func(t *testing.T) {
		s, _, _ := service(t)
		add(t, s, "harz", "district", "15085", pw)
		guess(s, "harz", "198.51.100.7:40000", 9)
		if _, err := s.Authenticate(ctx, "harz", pw, "198.51.100.7:40001"); err != nil {
			t.Errorf("got %v", err)
		}
	})
	t.Run("after ten failures on a login the right password is refused from anywhere for 15 minutes, then accepted", func(t *testing.T) {
		s, _, c := service(t)
		add(t, s, "harz", "district", "15085", pw)
		// One failure from each of ten addresses: the login's own count locks it.
		for i := range 10 {
			guess(s, "harz", fmt.Sprintf("198.51.100.%d:40000", i), 1)
			c.advance(time.Minute)
		}
		c.advance(-time.Minute) // the tenth failure was at 09:09
		if _, err := s.Authenticate(ctx, "harz", pw, "203.0.113.1"); !errors.Is(err, accounts.ErrLocked) {
			t.Fatalf("right password while locked: %v", err)
		}
		c.advance(15*time.Minute - time.Second) // 09:23:59
		if _, err := s.Authenticate(ctx, "HARZ", pw, "203.0.113.1"); !errors.Is(err, accounts.ErrLocked) {
			t.Fatalf("a second before the lock ends: %v", err)
		}
		c.advance(time.Second) // 09:24:00, fifteen minutes after the tenth failure
		if _, err := s.Authenticate(ctx, "harz", pw, "203.0.113.1"); err != nil {
			t.Errorf("after the lock: %v", err)
		}
		log, _ := s.AuditLog(ctx, 3)
		if log[1].Detail != "refused: locked after too many failures" || log[0].Detail != "ok" {
			t.Errorf("audit log %+v", log)
		}
	})
	t.Run("ten failures spread over more than 15 minutes do not lock", func(t *testing.T) {
		s, _, c := service(t)
		add(t, s, "harz", "district", "15085", pw)
		for range 10 {
			guess(s, "harz", "", 1)
			c.advance(2 * time.Minute)
		}
		if _, err := s.Authenticate(ctx, "harz", pw, ""); err != nil {
			t.Errorf("got %v", err)
		}
	})
	t.Run("after ten failures from an address another account is refused from it but not from elsewhere", func(t *testing.T) {
		s, _, c := service(t)
		add(t, s, "harz", "district", "15085", pw)
		add(t, s, "anna", "analyst", "", pw)
		for i := range 10 {
			guess(s, fmt.Sprintf("user%d", i), "198.51.100.9:5555", 1)
		}
		if _, err := s.Authenticate(ctx, "anna", pw, "198.51.100.9:6666"); !errors.Is(err, accounts.ErrLocked) {
			t.Errorf("from the guessing address: %v", err)
		}
		if _, err := s.Authenticate(ctx, "harz", pw, "203.0.113.1:5555"); err != nil {
			t.Errorf("from another address: %v", err)
		}
		c.advance(accounts.LockFor)
		if _, err := s.Authenticate(ctx, "anna", pw, "198.51.100.9:6666"); err != nil {
			t.Errorf("from the guessing address after the lock: %v", err)
		}
	})
	t.Run("thirty guesses sent at once get at most ten passwords checked, the rest are refused as locked", func(t *testing.T) {
		s, _, _ := service(t)
		add(t, s, "harz", "district", "15085", pw)
		errs := make(chan error, 30)
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Go(func() {
				_, err := s.Authenticate(ctx, "harz", fmt.Sprintf("parallel guess %d", i), fmt.Sprintf("198.51.100.%d", i))
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		count := map[error]int{}
		for err := range errs {
			count[err]++
		}
		if count[accounts.ErrBadCredentials] > accounts.MaxFailures || count[accounts.ErrBadCredentials]+count[accounts.ErrLocked] != 30 {
			t.Errorf("outcomes %v", count)
		}
		if _, err := s.Authenticate(ctx, "harz", pw, "203.0.113.1"); !errors.Is(err, accounts.ErrLocked) {
			t.Errorf("right password after the burst: %v", err)
		}
	})
	t.Run("a reset lifts the lock on the login", func(t *testing.T) {
		s, _, _ := service(t)
		add(t, s, "harz", "district", "15085", pw)
		guess(s, "harz", "", 10)
		if _, err := s.Reset(ctx, "harz", "ein neues Passwort"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "harz", "ein neues Passwort", ""); err != nil {
			t.Errorf("got %v", err)
		}
	})
}

func TestReset(t *testing.T) {
	ctx := context.Background()
	s, st, _ := service(t)
	const pw = "Sommer2026!Sommer"
	add(t, s, "anna", "analyst", "", pw)
	otp, err := s.Reset(ctx, "Anna", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("without a password a one-time password is returned and logs in, to be changed", func(t *testing.T) {
		u, err := s.Authenticate(ctx, "anna", otp, "")
		if err != nil || !u.OneTime {
			t.Errorf("got %+v, %v", u, err)
		}
	})
	t.Run("the old password no longer logs in", func(t *testing.T) {
		if _, err := s.Authenticate(ctx, "anna", pw, ""); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("neither password is in the database or the audit log", func(t *testing.T) {
		text := allText(t, st)
		if strings.Contains(text, otp) || strings.Contains(text, pw) {
			t.Error("a password is stored")
		}
	})
	t.Run("a password given is set and not one-time", func(t *testing.T) {
		if _, err := s.Reset(ctx, "anna", "mein eigenes Passwort"); err != nil {
			t.Fatal(err)
		}
		if u, err := s.Authenticate(ctx, "anna", "mein eigenes Passwort", ""); err != nil || u.OneTime {
			t.Errorf("got %+v, %v", u, err)
		}
	})
	t.Run("an unknown account cannot be reset", func(t *testing.T) {
		if _, err := s.Reset(ctx, "niemand", ""); !errors.Is(err, accounts.ErrNoSuchUser) {
			t.Errorf("got %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	s, st, _ := service(t)
	const pw = "Sommer2026!Sommer"
	add(t, s, "boerde", "district", "15083", pw)
	add(t, s, "anna", "analyst", "", pw)
	token, err := s.NewToken(ctx, "boerde")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a token is gp_ and 32 random bytes in base64url", func(t *testing.T) {
		if !regexp.MustCompile(`^gp_[A-Za-z0-9_-]{43}$`).MatchString(token) {
			t.Errorf("token %q", token)
		}
	})
	t.Run("a token authenticates its account", func(t *testing.T) {
		u, err := s.UserByToken(ctx, token)
		if err != nil || u.Login != "boerde" || u.District != "15083" {
			t.Errorf("got %+v, %v", u, err)
		}
	})
	t.Run("only its sha256 is stored", func(t *testing.T) {
		sum := sha256.Sum256([]byte(token))
		var stored string
		st.Raw().QueryRow("SELECT token_hash FROM api_tokens").Scan(&stored)
		if stored != hex.EncodeToString(sum[:]) {
			t.Errorf("stored %q", stored)
		}
		if strings.Contains(allText(t, st), token) || strings.Contains(allText(t, st), token[3:]) {
			t.Error("the token is in the database")
		}
	})
	t.Run("a token changed in one sign, or without its prefix, authenticates nobody", func(t *testing.T) {
		last := "A"
		if strings.HasSuffix(token, "A") {
			last = "B"
		}
		other := token[:len(token)-1] + last
		for _, bad := range []string{other, token[3:], "", "gp_"} {
			if _, err := s.UserByToken(ctx, bad); !errors.Is(err, accounts.ErrBadToken) {
				t.Errorf("%q: %v", bad, err)
			}
		}
	})
	t.Run("a revoked token authenticates nobody, a new one does", func(t *testing.T) {
		analyst, err := s.NewToken(ctx, "anna")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeTokens(ctx, "anna"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByToken(ctx, analyst); !errors.Is(err, accounts.ErrBadToken) {
			t.Errorf("revoked: %v", err)
		}
		again, _ := s.NewToken(ctx, "anna")
		if u, err := s.UserByToken(ctx, again); err != nil || u.Login != "anna" {
			t.Errorf("new token: %+v, %v", u, err)
		}
	})
	t.Run("a disabled account's token authenticates nobody, and it gets no new one", func(t *testing.T) {
		if err := s.Disable(ctx, "boerde"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByToken(ctx, token); !errors.Is(err, accounts.ErrBadToken) {
			t.Errorf("got %v", err)
		}
		if _, err := s.NewToken(ctx, "boerde"); !errors.Is(err, accounts.ErrDisabled) {
			t.Errorf("new token: %v", err)
		}
	})
}
