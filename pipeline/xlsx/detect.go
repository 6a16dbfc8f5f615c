package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode/utf16"
)

var (
	sigZip      = []byte("PK\x03\x04")
	sigZipEmpty = []byte("PK\x05\x06") // an archive with no entries at all
	sigCentral  = []byte("PK\x01\x02") // central directory file header
	sigOLE2     = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")

	// Excel stores a password-protected .xlsx as an OLE2 file whose
	// directory names these streams; directory names are UTF-16LE.
	oleEncryptionNames = [][]byte{utf16le("EncryptionInfo"), utf16le("EncryptedPackage")}
)

const odsMimetype = "application/vnd.oasis.opendocument.spreadsheet"

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// classifyOLE2 tells an encrypted .xlsx from an old .xls. Both are OLE2
// compound files; only the encrypted package has the encryption streams.
// Searching the bytes for the stream names avoids parsing the compound
// file's sector chains, which hostile files love to make circular.
func classifyOLE2(r io.ReaderAt, size int64) error {
	found := false
	err := scanFile(r, size, len(oleEncryptionNames[1])-1, func(chunk []byte) bool {
		for _, name := range oleEncryptionNames {
			if bytes.Contains(chunk, name) {
				found = true
				return false
			}
		}
		return true
	})
	if err != nil {
		return ioErr("reading file", err)
	}
	if found {
		return formatErr(ProblemEncrypted, "password-protected workbook (encrypted ooxml package in an ole2 file)")
	}
	return formatErr(ProblemLegacyXLS, "ole2 compound file, an excel 97-2003 .xls workbook or other legacy office file")
}

// scanFile calls fn with successive chunks of the file that overlap by
// overlap bytes, so that a pattern up to overlap+1 bytes long is never split
// between chunks. fn returns false to stop early.
func scanFile(r io.ReaderAt, size int64, overlap int, fn func([]byte) bool) error {
	chunk := min(size, 1<<20)
	buf := make([]byte, overlap+int(chunk))
	keep := 0
	for off := int64(0); off < size; {
		n, err := r.ReadAt(buf[keep:keep+int(min(chunk, size-off))], off)
		if err != nil && err != io.EOF {
			return err
		}
		if n == 0 {
			return nil
		}
		data := buf[:keep+n]
		if !fn(data) {
			return nil
		}
		off += int64(n)
		keep = min(overlap, len(data))
		copy(buf, data[len(data)-keep:])
	}
	return nil
}

// odsPrefix recognises an OpenDocument file from its first entry, which the
// format requires to be an uncompressed "mimetype" entry.
func odsPrefix(head []byte) bool {
	const nameOff = 30
	if len(head) < nameOff+len("mimetype") || string(head[nameOff:nameOff+len("mimetype")]) != "mimetype" {
		return false
	}
	return bytes.Contains(head, []byte(odsMimetype))
}

// openZip opens the package and checks every limit that the zip directory
// alone can decide, before any part is decompressed. It reports whether the
// package is an OpenDocument spreadsheet, as its mimetype entry says, once
// it knows.
func (w *Workbook) openZip(r io.ReaderAt, size int64) (ods bool, err error) {
	// archive/zip parses the whole central directory into memory and, as
	// the directory's own count is only compared modulo 65536, it may hold
	// far more entries than it declares. Every entry starts with a central
	// header signature, so counting signatures bounds the entries before
	// archive/zip allocates anything.
	sigs := 0
	err = scanFile(r, size, len(sigCentral)-1, func(chunk []byte) bool {
		sigs += bytes.Count(chunk, sigCentral)
		return sigs <= w.lim.MaxEntries
	})
	if err != nil {
		return false, ioErr("reading file", err)
	}
	if sigs > w.lim.MaxEntries {
		return false, formatErr(ProblemTooLarge, "zip has more than %d entries", w.lim.MaxEntries)
	}
	zr, err := zip.NewReader(r, size)
	if errors.Is(err, zip.ErrInsecurePath) {
		// Names like "xl\workbook.xml" or "/xl/workbook.xml" are insecure for
		// extraction but harmless here: parts are looked up, never written.
		err = nil
	}
	if err != nil {
		var re *readError
		if errors.As(err, &re) {
			return false, ioErr("reading zip directory", err)
		}
		return false, corrupt("damaged zip archive: %v", err)
	}
	if len(zr.File) > w.lim.MaxEntries {
		return false, formatErr(ProblemTooLarge, "zip has %d entries, limit %d", len(zr.File), w.lim.MaxEntries)
	}
	var total uint64
	w.parts = make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		if f.UncompressedSize64 > uint64(w.lim.MaxUnzippedSize) {
			return false, formatErr(ProblemTooLarge, "part %s declares %s uncompressed, limit %s",
				f.Name, formatSize(clampSize(f.UncompressedSize64)), formatSize(w.lim.MaxUnzippedSize))
		}
		total += f.UncompressedSize64
		if total > uint64(w.lim.MaxUnzippedSize) {
			return false, formatErr(ProblemTooLarge, "parts declare more than %s uncompressed in total", formatSize(w.lim.MaxUnzippedSize))
		}
		key := strings.ToLower(normalizePartName(f.Name))
		if key == "" || strings.HasSuffix(key, "/") {
			continue // directory entries
		}
		if prev, dup := w.parts[key]; dup {
			// Part names are case-insensitive in OPC. With two entries of
			// one name, different readers see different content, an old
			// trick to show a reviewer one thing and a parser another.
			if prev.Name == f.Name {
				return false, corrupt("zip holds two entries named %s", f.Name)
			}
			return false, corrupt("zip holds entries %s and %s, whose names differ only in case", prev.Name, f.Name)
		}
		w.parts[key] = f
	}
	w.zr = zr
	if f := w.parts["mimetype"]; f != nil {
		mt, err := w.readSmall("mimetype", 256)
		return err == nil && isODSMimetype(mt), nil
	}
	return false, nil
}

func clampSize(n uint64) int64 {
	if n > 1<<62 {
		return 1 << 62
	}
	return int64(n)
}

// normalizePartName turns a zip entry name or resolved target into the form
// used for lookups: forward slashes, no leading slash. Some writers use
// backslashes (ExcelDataReader issue 385) or a leading slash.
func normalizePartName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	return strings.TrimLeft(name, "/")
}

// readSmall reads a whole part that is expected to be tiny.
func (w *Workbook) readSmall(part string, max int64) (string, error) {
	f := w.parts[strings.ToLower(part)]
	if f == nil {
		return "", errNoPart
	}
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max))
	return string(b), err
}

var errNoPart = errors.New("no such part")
