package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"grantpipe/pipeline/store"
)

func TestAccountsTables(t *testing.T) {
	ctx := context.Background()
	st := open(t, filepath.Join(t.TempDir(), "g.duckdb"))
	defer st.Close()
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	id, err := st.AddUser(ctx, store.User{Login: "Anna", Role: "analyst", PasswordHash: "$argon2id$x", CreatedAt: at})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a login is found whatever its case", func(t *testing.T) {
		u, ok, err := st.UserByLogin(ctx, "aNNA")
		if err != nil || !ok || u.ID != id || u.Login != "Anna" || !u.PasswordSet.Equal(at) {
			t.Errorf("got %+v, %v, %v", u, ok, err)
		}
	})
	t.Run("a second account with the same login in other case is refused", func(t *testing.T) {
		_, err := st.AddUser(ctx, store.User{Login: "ANNA", Role: "admin", PasswordHash: "h", CreatedAt: at})
		if !errors.Is(err, store.ErrLoginTaken) {
			t.Errorf("got %v, want ErrLoginTaken", err)
		}
	})
	t.Run("the schema refuses a district account without its district and an analyst with one", func(t *testing.T) {
		for _, u := range []store.User{
			{Login: "d", Role: "district", PasswordHash: "h", CreatedAt: at},
			{Login: "e", Role: "analyst", District: "15083", PasswordHash: "h", CreatedAt: at},
			{Login: "f", Role: "root", PasswordHash: "h", CreatedAt: at},
		} {
			if _, err := st.AddUser(ctx, u); err == nil {
				t.Errorf("%+v was stored", u)
			}
		}
	})
	t.Run("a revoked token finds no account", func(t *testing.T) {
		if _, err := st.AddToken(ctx, id, "abc", at); err != nil {
			t.Fatal(err)
		}
		if u, ok, _ := st.UserByTokenHash(ctx, "abc"); !ok || u.ID != id {
			t.Fatalf("token: %+v %v", u, ok)
		}
		if n, err := st.RevokeTokens(ctx, id, at); n != 1 || err != nil {
			t.Fatalf("revoked %d, %v", n, err)
		}
		if _, ok, _ := st.UserByTokenHash(ctx, "abc"); ok {
			t.Error("a revoked token still finds its account")
		}
	})
	t.Run("the audit log lists the newest entry first", func(t *testing.T) {
		for _, a := range []string{"first", "second"} {
			if err := st.AddAudit(ctx, store.AuditEntry{At: at, Login: "Anna", Action: a}); err != nil {
				t.Fatal(err)
			}
		}
		log, err := st.AuditLog(ctx, 1)
		if err != nil || len(log) != 1 || log[0].Action != "second" {
			t.Errorf("got %+v, %v", log, err)
		}
	})
}
