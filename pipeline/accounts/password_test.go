package accounts_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"grantpipe/pipeline/accounts"
)

func TestPasswordHashing(t *testing.T) {
	const pw = "correct horse battery"
	hash, err := accounts.Hash(pw, accounts.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the hash is a PHC string with OWASP's parameters", func(t *testing.T) {
		if !regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(hash) {
			t.Errorf("hash %q", hash)
		}
	})
	t.Run("the right password verifies", func(t *testing.T) {
		if ok, err := accounts.Verify(hash, pw); !ok || err != nil {
			t.Errorf("got %v, %v", ok, err)
		}
	})
	t.Run("a wrong password is refused", func(t *testing.T) {
		for _, wrong := range []string{"correct horse batterY", "correct horse battery ", "", pw[:len(pw)-1]} {
			if ok, err := accounts.Verify(hash, wrong); ok || err != nil {
				t.Errorf("%q: got %v, %v", wrong, ok, err)
			}
		}
	})
	t.Run("a hash made with other parameters still verifies with those it records", func(t *testing.T) {
		p := accounts.Params{Memory: 8 * 1024, Time: 3, Threads: 2, SaltLen: 24, KeyLen: 48}
		other, err := accounts.Hash(pw, p)
		if err != nil || !strings.HasPrefix(other, "$argon2id$v=19$m=8192,t=3,p=2$") {
			t.Fatalf("hash %q, %v", other, err)
		}
		if ok, err := accounts.Verify(other, pw); !ok || err != nil {
			t.Errorf("got %v, %v", ok, err)
		}
		if ok, _ := accounts.Verify(other, "wrong password!"); ok {
			t.Error("a wrong password verifies")
		}
	})
	t.Run("the same password hashes differently each time", func(t *testing.T) {
		again, _ := accounts.Hash(pw, accounts.DefaultParams)
		if again == hash {
			t.Error("two hashes of one password are equal: no salt")
		}
	})
	t.Run("a damaged or foreign hash is an error, not a match", func(t *testing.T) {
		for _, bad := range []string{
			"", pw, "$2a$10$abcdefghijklmnopqrstuv",
			strings.Replace(hash, "argon2id", "argon2i", 1),
			strings.Replace(hash, "v=19", "v=16", 1),
			strings.Replace(hash, "m=19456", "m=999999999", 1), // would take gigabytes
			strings.Replace(hash, "t=2", "t=0", 1),
			hash[:len(hash)-30], // a key cut short
		} {
			if ok, err := accounts.Verify(bad, pw); ok || !errors.Is(err, accounts.ErrBadHash) {
				t.Errorf("%q: got %v, %v", bad, ok, err)
			}
		}
	})
}

func TestPasswordRules(t *testing.T) {
	for _, c := range []struct {
		name, pw string
		ok       bool
	}{
		{"eleven characters are too few", "abcdefghijk", false},
		{"twelve characters are enough", "abcdefghijkl", true},
		{"twelve umlauts are twelve characters, not twenty-four bytes", "ääääööööüüüü", true},
		{"six umlauts are six characters although twelve bytes", "ääääöö", false},
		{"more than 1024 bytes are refused", strings.Repeat("x", 1025), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := accounts.CheckPassword(c.pw)
			if (err == nil) != c.ok || (err != nil && !errors.Is(err, accounts.ErrWeakPassword)) {
				t.Errorf("got %v", err)
			}
			if err != nil && strings.Contains(err.Error(), c.pw) {
				t.Errorf("the error %q shows the password", err)
			}
		})
	}
	t.Run("one-time passwords are four groups of five signs without look-alikes, each new", func(t *testing.T) {
		seen := map[string]bool{}
		for range 200 {
			p, err := accounts.OneTimePassword()
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`^[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){3}$`).MatchString(p) {
				t.Fatalf("one-time password %q", p)
			}
			if seen[p] {
				t.Fatalf("%q twice", p)
			}
			seen[p] = true
			if err := accounts.CheckPassword(p); err != nil {
				t.Fatalf("%q breaks the rules: %v", p, err)
			}
		}
	})
}
