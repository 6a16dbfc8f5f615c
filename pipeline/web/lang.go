package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// langCookie keeps a browser's choice of language.
const langCookie = "grantpipe_lang"

// lang renders the texts of a page in one language.
type lang struct {
	Code string // de or en
	cat  *messages.Catalog
	loc  *time.Location
}

// T is the text of key, its placeholders filled from name, value pairs.
func (l lang) T(key string, pairs ...any) string {
	args := messages.Args{}
	for i := 0; i+1 < len(pairs); i += 2 {
		args[fmt.Sprint(pairs[i])] = pairs[i+1]
	}
	return l.cat.Text(l.Code, key, args)
}

// Date shows a day as a clerk writes it: 31.01.2026 in German.
func (l lang) Date(t time.Time) string {
	if l.Code == "en" {
		return t.Format("2 Jan 2006")
	}
	return t.Format("02.01.2006")
}

// Stamp shows a local wall-clock time (as the database keeps arrival
// times) with its day and minute.
func (l lang) Stamp(t time.Time) string {
	if l.Code == "en" {
		return t.Format("2 Jan 2006, 15:04")
	}
	return t.Format("02.01.2006, 15:04") + " Uhr"
}

// TMap is the text of key with its placeholders filled from args.
func (l lang) TMap(key string, args map[string]string) string {
	a := messages.Args{}
	for k, v := range args {
		a[k] = v
	}
	return l.cat.Text(l.Code, key, a)
}

// Clock shows an instant (as the database keeps run and audit times) in
// the programme's time zone, to the second.
func (l lang) Clock(t time.Time) string {
	t = t.In(l.loc)
	if l.Code == "en" {
		return t.Format("2 Jan 2006, 15:04:05")
	}
	return t.Format("02.01.2006, 15:04:05") + " Uhr"
}

// Seconds shows how long from a to b took, to a tenth of a second.
func (l lang) Seconds(a, b time.Time) string {
	s := strconv.FormatFloat(b.Sub(a).Seconds(), 'f', 1, 64)
	if l.Code == "de" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Period names a report period: 2026-Q1 is the first quarter of 2026,
// 2026 the year.
func (l lang) Period(p string) string {
	year, q, ok := strings.Cut(p, "-Q")
	if !ok {
		return l.T("web.reports.year", "year", p)
	}
	return l.T("web.quarter", "quarter", q, "year", year)
}

// Action names an action of the audit trail; one the catalogue does not
// know is shown as recorded.
func (l lang) Action(a string) string {
	key := "web.audit.act." + strings.ReplaceAll(a, " ", "_")
	if t := l.T(key); t != key {
		return t
	}
	return a
}

// Amount shows an amount written as 1234.50 as the page's language writes
// money; anything else as it is.
func (l lang) Amount(s string) string {
	c, err := money.Parse(s)
	if err != nil {
		return s
	}
	return c.Format(l.Code)
}

// Day shows a day written as 2006-01-02.
func (l lang) Day(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return l.Date(t)
}

// lang is the language of a request: ?lang=de or ?lang=en (kept in a
// cookie), else the cookie's, else German.
func (s *Server) lang(w http.ResponseWriter, r *http.Request) lang {
	l := lang{Code: "de", cat: s.cfg.Catalog, loc: s.cfg.Pipeline.Location()}
	if q := r.URL.Query().Get("lang"); q == "de" || q == "en" {
		l.Code = q
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.cfg.TLS, SameSite: http.SameSiteLaxMode})
	} else if c, err := r.Cookie(langCookie); err == nil && (c.Value == "de" || c.Value == "en") {
		l.Code = c.Value
	}
	return l
}
