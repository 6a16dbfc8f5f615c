package web

import (
	"errors"
	"net/http"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/store"
)

// user is the account of the request's session, its token, and whether
// there is one.
func (s *Server) user(r *http.Request) (accounts.User, string, bool) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return accounts.User{}, "", false
	}
	u, ok := s.sessions.get(c.Value)
	return u, c.Value, ok
}

// signedIn lets only a logged-in user through to h; others are sent to the
// log-in page. A user with a one-time password must first set their own.
func (s *Server) signedIn(h func(http.ResponseWriter, *http.Request, accounts.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, _, ok := s.user(r)
		if !ok {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if u.OneTime && r.URL.Path != "/password" {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		h(w, r, u)
	}
}

// loginPage is the log-in form and what went wrong with the last attempt.
type loginPage struct {
	Login string
	Error string // message key
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.user(r); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", loginPage{})
}

// login checks the credentials through the account service (which counts
// failures per login and per address and audits every attempt) and starts
// a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	login, password := r.PostFormValue("login"), r.PostFormValue("password")
	var u accounts.User
	var authErr error
	err := s.withStore(r.Context(), func(*store.Store) error {
		u, authErr = s.accounts.Authenticate(r.Context(), login, password, remote(r))
		if errors.Is(authErr, accounts.ErrBadCredentials) || errors.Is(authErr, accounts.ErrLocked) || errors.Is(authErr, accounts.ErrDisabled) {
			return nil
		}
		return authErr
	})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	switch {
	case errors.Is(authErr, accounts.ErrLocked):
		s.render(w, r, http.StatusTooManyRequests, "login", loginPage{Login: login, Error: "web.login.locked"})
		return
	case authErr != nil:
		// A disabled account is told apart only by the right password;
		// to the browser it is one more failed log-in.
		s.render(w, r, http.StatusUnauthorized, "login", loginPage{Login: login, Error: "web.login.failed"})
		return
	}
	if _, old, ok := s.user(r); ok {
		s.sessions.end(old)
	}
	token, err := s.sessions.start(u)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	http.SetCookie(w, cookie(token, s.cfg.TLS))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends the session on the server, so that its cookie no longer
// works anywhere, and deletes the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if u, token, ok := s.user(r); ok {
		s.sessions.end(token)
		err := s.withStore(r.Context(), func(*store.Store) error {
			return s.accounts.Audit(r.Context(), u.Login, "logout", "", remote(r))
		})
		if err != nil {
			s.cfg.Log.Warn("audit", "err", err)
		}
	}
	http.SetCookie(w, cookie("", s.cfg.TLS))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// passwordPage is the form to set one's own password.
type passwordPage struct {
	Error string // message key
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request, u accounts.User) {
	s.render(w, r, http.StatusOK, "password", passwordPage{})
}

// password sets the user's own password: given twice, checked by the
// account rules; the one-time password is then spent.
func (s *Server) password(w http.ResponseWriter, r *http.Request, u accounts.User) {
	pw, again := r.PostFormValue("password"), r.PostFormValue("again")
	if pw != again {
		s.render(w, r, http.StatusBadRequest, "password", passwordPage{Error: "web.password.mismatch"})
		return
	}
	if err := accounts.CheckPassword(pw); err != nil {
		s.render(w, r, http.StatusBadRequest, "password", passwordPage{Error: "web.password.weak"})
		return
	}
	err := s.withStore(r.Context(), func(*store.Store) error {
		_, err := s.accounts.Reset(r.Context(), u.Login, pw)
		return err
	})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	_, token, _ := s.user(r)
	u.OneTime = false
	s.sessions.update(token, u)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
