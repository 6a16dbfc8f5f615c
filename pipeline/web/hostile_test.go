package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"grantpipe/pipeline/web"
)

// bomb is a workbook of Börde whose worksheet claims to unpack to 5 GiB.
func bomb(good []byte) []byte {
	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet3.xml" {
			w, _ := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, UncompressedSize64: 5 << 30})
			w.Write([]byte{0x03, 0x00}) // an empty final deflate block
			continue
		}
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		r, _ := f.Open()
		var part bytes.Buffer
		part.ReadFrom(r)
		r.Close()
		w.Write(part.Bytes())
	}
	zw.Close()
	return buf.Bytes()
}

func TestHostileUploadsAreRejectedAsFromTheInbox(t *testing.T) {
	s := newSite(t, nil)
	b := s.loggedIn("boerde")
	cases := []struct {
		name, file string
		data       []byte
	}{
		{"random bytes named .xlsx", "Meldung.xlsx", bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 1000)},
		{"a zip bomb", "bombe.xlsx", bomb(s.workbook("15083", 3, nil))},
		{"a name that climbs out of the inbox", "../../../grantpipe.duckdb.xlsx", []byte("PK\x03\x04 nothing")},
	}
	for _, c := range cases {
		t.Run(c.name+" is rejected and filed under the sender", func(t *testing.T) {
			_, page := b.uploaded(c.file, c.data)
			mustContain(t, "the result", page.Body, "Die Datei wurde abgelehnt.")
		})
	}
	t.Run("nothing was written outside the district's folders", func(t *testing.T) {
		got, _ := filepath.Glob(filepath.Join(s.root, "rejected", "*", "*.xlsx"))
		if len(got) != 3 {
			t.Errorf("rejected files %v", got)
		}
		for _, g := range got {
			if filepath.Base(filepath.Dir(g)) != "15083" {
				t.Errorf("%s is not Börde's", g)
			}
		}
		if m, _ := filepath.Glob(filepath.Join(filepath.Dir(s.root), "*.xlsx")); len(m) != 0 {
			t.Errorf("written beside the data directory: %v", m)
		}
	})
	t.Run("the server still answers", func(t *testing.T) {
		if r := b.get("/"); r.StatusCode != http.StatusOK {
			t.Errorf("status %d", r.StatusCode)
		}
	})
}

func TestTheWriterLetsOneAtATime(t *testing.T) {
	w := web.NewWriter()
	held, release := make(chan struct{}), make(chan struct{})
	go w.Do(context.Background(), func() error {
		close(held)
		<-release
		return nil
	})
	<-held
	t.Run("a request that gives up waiting gets its context's error", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		ran := false
		err := w.Do(ctx, func() error { ran = true; return nil })
		if !errors.Is(err, context.DeadlineExceeded) || ran {
			t.Errorf("err %v, ran %v", err, ran)
		}
	})
	t.Run("the next one runs once the first is done", func(t *testing.T) {
		close(release)
		if err := w.Do(context.Background(), func() error { return os.ErrExist }); !errors.Is(err, os.ErrExist) {
			t.Errorf("err %v", err)
		}
	})
}
