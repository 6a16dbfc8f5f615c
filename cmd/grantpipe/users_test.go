package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
	"grantpipe/queries"
)

// runStdin runs grantpipe in-process with stdin as its standard input.
func runStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := mainIO(context.Background(), args, strings.NewReader(stdin), &out, &errOut, func(string) string { return "" })
	return code, out.String(), errOut.String()
}

// accountsOf opens the data directory's database as the server will, to
// log in with what the command printed.
func accountsOf(t *testing.T, data string) *accounts.Service {
	t.Helper()
	st, err := store.Open(context.Background(), datadir.New(data).Database(), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p, _ := programme.Default()
	return accounts.New(st, time.Now, p.AllDistricts())
}

func TestUsersCommand(t *testing.T) {
	data := t.TempDir()
	const pw = "Börde-Quartal-2026"
	code, out, errOut := runStdin(t, pw+"\n", "users", "add", "--data", data, "--login", "boerde", "--district", "15083", "--password-stdin")
	if code != 0 {
		t.Fatalf("users add: %d %s", code, errOut)
	}
	t.Run("add with --password-stdin says what it added and prints no secret", func(t *testing.T) {
		if out != "" || !strings.Contains(errOut, "Konto „boerde“ angelegt (district 15083).") || strings.Contains(errOut, pw) {
			t.Errorf("stdout %q, stderr %q", out, errOut)
		}
	})
	code, otp, errOut := run(t, "users", "add", "--data", data, "--login", "Anna", "--role", "analyst")
	otp = strings.TrimSpace(otp)
	t.Run("add without a password prints a one-time password alone on standard output", func(t *testing.T) {
		if code != 0 || !regexp.MustCompile(`^[a-z2-9]{5}(-[a-z2-9]{5}){3}$`).MatchString(otp) || !strings.Contains(errOut, "Einmalpasswort") {
			t.Errorf("code %d, stdout %q, stderr %q", code, otp, errOut)
		}
	})
	t.Run("list --json shows both accounts, the one-time password to be changed", func(t *testing.T) {
		code, out, errOut := run(t, "users", "list", "--data", data, "--json")
		if code != 0 {
			t.Fatalf("list: %d %s", code, errOut)
		}
		var us []accounts.User
		if err := json.Unmarshal([]byte(out), &us); err != nil {
			t.Fatal(err)
		}
		if len(us) != 2 || us[0].Login != "Anna" || us[0].Role != "analyst" || !us[0].OneTime ||
			us[1].Login != "boerde" || us[1].Role != "district" || us[1].District != "15083" || us[1].OneTime || us[1].Disabled {
			t.Errorf("accounts %+v", us)
		}
		if strings.Contains(out, "argon2") || strings.Contains(out, pw) {
			t.Errorf("the list shows a hash or password: %s", out)
		}
	})
	t.Run("refused accounts exit 1 or 2 and leave the list as it was", func(t *testing.T) {
		for _, c := range []struct {
			name string
			code int
			args []string
			want string
		}{
			{"a login taken in other case", 1, []string{"--login", "BOERDE", "--district", "15083"}, "login already taken"},
			{"a district outside the programme", 1, []string{"--login", "berlin", "--district", "11000"}, "not a district of the programme"},
			{"an analyst with a district", 1, []string{"--login", "x", "--role", "analyst", "--district", "15083"}, "has no district"},
			{"neither district nor role", 2, []string{"--login", "x"}, "--district"},
		} {
			code, _, errOut := run(t, append([]string{"users", "add", "--data", data}, c.args...)...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Errorf("%s: code %d, stderr %q", c.name, code, errOut)
			}
		}
		_, out, _ := run(t, "users", "list", "--data", data, "--lang", "en")
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "Login") {
			t.Errorf("list:\n%s", out)
		}
	})
	t.Run("a password too short from stdin is refused without showing it", func(t *testing.T) {
		code, _, errOut := runStdin(t, "kurz-geheim\n", "users", "reset", "--data", data, "--login", "boerde", "--password-stdin")
		if code != 1 || strings.Contains(errOut, "kurz-geheim") || !strings.Contains(errOut, "at least 12") {
			t.Errorf("code %d, stderr %q", code, errOut)
		}
	})
	code, token, errOut := run(t, "users", "token", "--data", data, "--login", "boerde")
	token = strings.TrimSpace(token)
	t.Run("the printed one-time password and token log in as their accounts", func(t *testing.T) {
		if code != 0 {
			t.Fatalf("token: %d %s", code, errOut)
		}
		s := accountsOf(t, data)
		if u, err := s.Authenticate(context.Background(), "anna", otp, "127.0.0.1"); err != nil || !u.OneTime {
			t.Errorf("one-time password: %+v %v", u, err)
		}
		if u, err := s.UserByToken(context.Background(), token); err != nil || u.District != "15083" {
			t.Errorf("token: %+v %v", u, err)
		}
	})
	t.Run("disable shows in the list and the token no longer works", func(t *testing.T) {
		if code, _, errOut := run(t, "users", "disable", "--data", data, "--login", "boerde"); code != 0 {
			t.Fatalf("disable: %d %s", code, errOut)
		}
		_, out, _ := run(t, "users", "list", "--data", data)
		if !regexp.MustCompile(`boerde\s+district\s+15083\s+gesperrt`).MatchString(out) {
			t.Errorf("list:\n%s", out)
		}
		if _, err := accountsOf(t, data).UserByToken(context.Background(), token); err == nil {
			t.Error("a disabled account's token works")
		}
	})
	t.Run("enable lets the account in again with a new one-time password only", func(t *testing.T) {
		code, out, errOut := run(t, "users", "enable", "--data", data, "--login", "boerde")
		otp := strings.TrimSpace(out)
		if code != 0 || otp == "" || !strings.Contains(errOut, "wieder freigegeben") {
			t.Fatalf("enable: %d %q %q", code, out, errOut)
		}
		_, list, _ := run(t, "users", "list", "--data", data)
		if !regexp.MustCompile(`boerde\s+district\s+15083\s+aktiv, Einmalpasswort`).MatchString(list) {
			t.Errorf("list:\n%s", list)
		}
		s := accountsOf(t, data)
		if u, err := s.Authenticate(context.Background(), "boerde", otp, "127.0.0.1"); err != nil || !u.OneTime {
			t.Errorf("the printed one-time password: %+v %v", u, err)
		}
		if _, err := s.UserByToken(context.Background(), token); err == nil {
			t.Error("the token revoked by disable works again")
		}
	})
	t.Run("an unknown subcommand prints the usage", func(t *testing.T) {
		if code, _, errOut := run(t, "users", "delete"); code != exitUsage || !strings.Contains(errOut, "users add --login") {
			t.Errorf("code %d, stderr %q", code, errOut)
		}
	})
}
