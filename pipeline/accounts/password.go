package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// DefaultParams are OWASP's recommendation for argon2id (m=19 MiB, t=2,
// p=1) with a 16-byte salt and a 32-byte key. Hashes record their own
// parameters, so raising these later leaves the stored hashes valid.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// MinPasswordLength is the fewest characters a password may have.
const MinPasswordLength = 12

// maxPasswordBytes bounds what is hashed: long enough for any passphrase,
// short enough that nobody makes the server hash megabytes.
const maxPasswordBytes = 1024

// ErrWeakPassword means a password breaks the password rules.
var ErrWeakPassword = errors.New("password too weak")

// CheckPassword says whether password may be set: at least
// MinPasswordLength characters (not bytes), at most 1024 bytes. The error
// never contains the password.
func CheckPassword(password string) error {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLength:
		return fmt.Errorf("%w: %d characters, at least %d needed", ErrWeakPassword, n, MinPasswordLength)
	case len(password) > maxPasswordBytes:
		return fmt.Errorf("%w: longer than %d bytes", ErrWeakPassword, maxPasswordBytes)
	}
	return nil
}

// Hash returns password hashed with argon2id under p and a random salt, as
// a PHC string: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, base64
// without padding.
func Hash(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrBadHash means a stored hash is not an argon2id PHC string this
// program can check.
var ErrBadHash = errors.New("not an argon2id hash")

// Verify says whether password matches the PHC string encoded, with the
// parameters the string records; the comparison takes constant time.
func Verify(encoded, password string) (bool, error) {
	p, salt, key, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// parsePHC reads $argon2id$v=19$m=…,t=…,p=…$salt$key. The bounds keep a
// damaged or planted hash from making a log-in take minutes or gigabytes.
func parsePHC(s string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("%w: version %q", ErrBadHash, parts[2])
	}
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil || n != 3 ||
		p.Memory < 8 || p.Memory > 4<<20 || p.Time < 1 || p.Time > 100 || threads < 1 || threads > 255 {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", ErrBadHash, parts[3])
	}
	p.Threads = uint8(threads)
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("%w: salt", ErrBadHash)
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 128 {
		return p, nil, nil, fmt.Errorf("%w: key", ErrBadHash)
	}
	p.SaltLen, p.KeyLen = len(salt), uint32(len(key))
	return p, salt, key, nil
}

// oneTimeAlphabet has letters and digits without look-alikes (no 0/o, 1/l/i):
// 31 signs, so that a one-time password read out on the telephone is
// typed right.
const oneTimeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// OneTimePassword returns a new random password of four groups of five
// signs, such as "k7m2p-xq9ad-…": about 99 bits.
func OneTimePassword() (string, error) {
	var b strings.Builder
	buf := make([]byte, 64)
	n := 0
	for n < 20 {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("one-time password: %w", err)
		}
		for _, c := range buf {
			// Rejecting 248…255 keeps every sign equally likely (248 = 8 × 31).
			if c >= 248 || n == 20 {
				continue
			}
			if n > 0 && n%5 == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(oneTimeAlphabet[int(c)%len(oneTimeAlphabet)])
			n++
		}
	}
	return b.String(), nil
}
