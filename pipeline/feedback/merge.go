package feedback

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"unicode/utf8"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/fastzip"
)

// merge writes to w the package excelize wrote (out), with every
// placeholder replaced by the original part: its compressed bytes copied
// raw, or, for a sheet whose tab was selected, decompressed and
// recompressed with only that selection cleared. The sheets excelize wrote
// lose their selection the same way; only the result sheet keeps it. A sheet
// given to excelize slimmed gets back the rows it was not given (see
// slim.go). Entries keep excelize's
// order and get no timestamps, so the same inputs give the same bytes.
func (p *plan) merge(w io.Writer, out []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		return fmt.Errorf("reading excelize's output: %w", err)
	}
	zw := fastzip.NewWriter(w)
	if p.sst != nil && p.sst.sheet == "" {
		return errSplice
	}
	sstDone := p.sst == nil
	for _, e := range zr.File {
		if p.sst != nil && (e.Name == "xl/sharedStrings.xml" || e.Name == p.sst.sheet) {
			if err := copySharedTexts(zw, e, p.sst); err != nil {
				return err
			}
			sstDone = sstDone || e.Name == "xl/sharedStrings.xml"
			continue
		}
		if s := p.slim[e.Name]; s != nil {
			if err := copySpliced(zw, e, s); err != nil {
				return err
			}
			continue
		}
		orig, ok := p.stand[e.Name]
		if !ok {
			if p.sheetParts[e.Name] && tabSelected(e) {
				err = copyUnselected(zw, e.Name, e)
			} else {
				err = copyRaw(zw, e.Name, e)
			}
			if err != nil {
				return err
			}
			continue
		}
		// excelize must have left the placeholder alone: anything else
		// would be a change to a part it never saw.
		if e.UncompressedSize64 != uint64(len(placeholder)) {
			return fmt.Errorf("part %s, which was left unread, was changed", e.Name)
		}
		rc, err := e.Open()
		if err != nil {
			return err
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if !bytes.Equal(got, placeholder) {
			return fmt.Errorf("part %s, which was left unread, was changed", e.Name)
		}
		if p.selected[orig] {
			err = copyUnselected(zw, e.Name, orig)
		} else {
			err = copyRaw(zw, e.Name, orig)
		}
		if err != nil {
			return err
		}
	}
	if !sstDone {
		return errSplice
	}
	return zw.Close()
}

// copySharedTexts writes excelize's table of shared strings as the
// district's with the new texts appended, or the result sheet with its
// references moved past the district's texts (see sst.go).
func copySharedTexts(zw *zip.Writer, e *zip.File, s *sharedTexts) error {
	return rewritePart(zw, e, func(written []byte) ([]byte, error) {
		if e.Name == "xl/sharedStrings.xml" {
			return s.table(written)
		}
		return s.resultSheet(written), nil
	})
}

// copySpliced writes a slimmed sheet as excelize wrote it (e) with the
// original rows it was not given put back, and its tab unselected.
func copySpliced(zw *zip.Writer, e *zip.File, s *slimSheet) error {
	return rewritePart(zw, e, func(written []byte) ([]byte, error) {
		data, err := s.splice(written)
		if err != nil {
			return nil, err
		}
		data, _ = unselect(data)
		return data, nil
	})
}

// rewritePart writes part e as change makes it from its bytes, deflated.
func rewritePart(zw *zip.Writer, e *zip.File, change func([]byte) ([]byte, error)) error {
	rc, err := e.Open()
	if err != nil {
		return err
	}
	written, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return err
	}
	data, err := change(written)
	if err != nil {
		return err
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Deflate})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// copyRaw copies a zip entry's compressed bytes without decompressing them.
func copyRaw(zw *zip.Writer, name string, src *zip.File) error {
	fh := &zip.FileHeader{
		Name: name,
		// The sizes go into the local header, so no data descriptor (0x8);
		// the UTF-8 flag (0x800) is set below. Other flags (encryption)
		// belong to the bytes and stay with them.
		Flags:              src.Flags &^ (0x8 | 0x800),
		Method:             src.Method,
		CRC32:              src.CRC32,
		CompressedSize64:   src.CompressedSize64,
		UncompressedSize64: src.UncompressedSize64,
		NonUTF8:            src.NonUTF8,
	}
	// CreateRaw, unlike CreateHeader, leaves the flag for UTF-8 names to
	// the caller.
	if !fh.NonUTF8 && utf8.ValidString(name) && !ascii(name) {
		fh.Flags |= 0x800
	}
	w, err := zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	r, err := src.OpenRaw()
	if err != nil {
		return fmt.Errorf("part %s: %w", src.Name, err)
	}
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("part %s: %w", src.Name, err)
	}
	return nil
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// copyUnselected copies a sheet part with the selection of its tab cleared
// in its head: the result sheet is the one selected, and a second selected
// tab would open the workbook with the sheets grouped, where an edit on
// one changes the other. The rest of the part is streamed.
func copyUnselected(zw *zip.Writer, name string, src *zip.File) error {
	rc, err := src.Open()
	if err != nil {
		return fmt.Errorf("part %s: %w", src.Name, err)
	}
	defer rc.Close()
	head, err := io.ReadAll(io.LimitReader(rc, maxHeadScan))
	if err != nil {
		return fmt.Errorf("part %s: %w", src.Name, err)
	}
	patched, _ := unselect(head)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
	if err != nil {
		return err
	}
	if _, err := w.Write(patched); err != nil {
		return err
	}
	if _, err := io.Copy(w, rc); err != nil {
		return fmt.Errorf("part %s: %w", src.Name, err)
	}
	return nil
}

var (
	sheetViewTag = regexp.MustCompile(`<([A-Za-z_][\w.-]*:)?sheetView[\s/>][^<>]*`)
	selectedAttr = regexp.MustCompile(`(\stabSelected\s*=\s*)("(?:1|true)"|'(?:1|true)')`)
)

// unselect sets tabSelected to "0" in the sheetView start tags of a sheet
// part's head, up to the cells; changed tells whether there was any.
func unselect(head []byte) ([]byte, bool) {
	end := len(head)
	if i := bytes.Index(head, []byte("sheetData")); i >= 0 {
		end = i
	}
	changed := false
	out := sheetViewTag.ReplaceAllFunc(head[:end], func(tag []byte) []byte {
		return selectedAttr.ReplaceAllFunc(tag, func(attr []byte) []byte {
			changed = true
			m := selectedAttr.FindSubmatch(attr)
			q := m[2][:1]
			return append(append(append([]byte{}, m[1]...), q...), append([]byte("0"), q...)...)
		})
	})
	if !changed {
		return head, false
	}
	return append(out, head[end:]...), true
}

// detail is an error's text for a message: a path error without the path
// (it names our own folders), made printable and at most 200 bytes.
func detail(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	s := datadir.Printable(err.Error())
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// size shows a byte count for a message.
func size(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
