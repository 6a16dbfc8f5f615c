package xlsx

import (
	"archive/zip"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strings"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	// maxTokenBytes bounds one XML token (a tag, a run of text, a comment).
	// encoding/xml buffers a whole token before returning it, and
	// sheetScanner a whole tag, so without this bound one text node or tag
	// of 1 GiB inside a streamed worksheet would be held in memory at once.
	maxTokenBytes = 4 << 20

	// maxCellText bounds the text collected for one cell or shared string.
	// Excel stops at 32,767 characters; 1 MiB leaves room for any writer
	// while keeping one hostile cell cheap.
	maxCellText = 1 << 20

	// maxDepth bounds element nesting. SpreadsheetML needs about ten levels;
	// the bound keeps the name stack small on hostile input.
	maxDepth = 256
)

var errTokenTooLong = errors.New("xml token too long")

// partReader feeds a part to encoding/xml or, for worksheets, to
// sheetScanner, which reads its buffer directly. It implements
// io.ByteReader so that the decoder reads from it directly instead of
// through its own bufio.Reader, which lets it see how far the decoder has
// read since the current token began and stop a token that grows past
// maxTokenBytes. It also converts UTF-16 parts (Excel for Windows Phone
// writes them) to UTF-8, which both parsers require.
type partReader struct {
	src  io.Reader
	stop *atomic.Bool // the workbook's closed flag, so Close interrupts a long read
	buf  []byte
	r, w int
	base int64 // stream offset of buf[0]
	mark int64 // stream offset where the current token began
	err  error
}

// newPartReader reads src, whose declared size is sizeHint; the hint only
// keeps small parts from costing a full-sized buffer each.
func newPartReader(src io.Reader, sizeHint uint64, stop *atomic.Bool) *partReader {
	n := 32 << 10
	if sizeHint < uint64(n) {
		n = max(int(sizeHint)+1, 64)
	}
	p := &partReader{src: src, stop: stop, buf: make([]byte, n)}
	p.sniff()
	return p
}

// sniff looks at the first bytes for a byte order mark or the UTF-16 form
// of "<?", the only ways an XML part can announce UTF-16 before its
// declaration is readable.
func (p *partReader) sniff() {
	for p.w < 4 && p.err == nil {
		n, err := p.src.Read(p.buf[p.w:])
		p.w += n
		if err != nil {
			p.err = err
		}
	}
	b := p.buf[:p.w]
	var bigEndian bool
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		p.r = 3
		return
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		b = b[2:]
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		b, bigEndian = b[2:], true
	case len(b) >= 4 && b[0] == '<' && b[1] == 0 && b[2] != 0 && b[3] == 0:
	case len(b) >= 4 && b[0] == 0 && b[1] == '<' && b[2] == 0 && b[3] != 0:
		bigEndian = true
	default:
		return
	}
	rest := append([]byte(nil), b...)
	var src io.Reader = &sliceThenReader{head: rest, tail: p.src, err: p.err}
	p.src = &utf16Reader{src: src, bigEndian: bigEndian}
	p.r, p.w, p.err = 0, 0, nil
}

// sliceThenReader returns the bytes consumed while sniffing and then the
// rest of the stream, or the error that sniffing already met.
type sliceThenReader struct {
	head []byte
	tail io.Reader
	err  error
}

func (s *sliceThenReader) Read(b []byte) (int, error) {
	if len(s.head) > 0 {
		n := copy(b, s.head)
		s.head = s.head[n:]
		return n, nil
	}
	if s.err != nil {
		return 0, s.err
	}
	return s.tail.Read(b)
}

func (p *partReader) fill() error {
	if p.err != nil {
		return p.err
	}
	if p.base+int64(p.w)-p.mark > maxTokenBytes {
		return errTokenTooLong
	}
	if p.stop.Load() {
		return errClosed
	}
	p.base += int64(p.w)
	p.r, p.w = 0, 0
	for p.w == 0 {
		n, err := p.src.Read(p.buf)
		p.w = n
		if err != nil {
			p.err = err
			if n == 0 {
				return err
			}
			break
		}
	}
	return nil
}

// ReadByte is called once per byte by encoding/xml; the common path is kept
// tiny.
func (p *partReader) ReadByte() (byte, error) {
	if p.r == p.w {
		if err := p.fill(); err != nil {
			return 0, err
		}
	}
	c := p.buf[p.r]
	p.r++
	return c, nil
}

// Read exists because encoding/xml hands its reader to CharsetReader as an
// io.Reader.
func (p *partReader) Read(b []byte) (int, error) {
	if p.r == p.w {
		if err := p.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(b, p.buf[p.r:p.w])
	p.r += n
	return n, nil
}

// markToken records that a new token starts here.
func (p *partReader) markToken() { p.mark = p.base + int64(p.r) }

// utf16Reader converts UTF-16 to UTF-8, replacing unpaired surrogates and
// a dangling odd byte with U+FFFD.
type utf16Reader struct {
	src       io.Reader
	bigEndian bool
	raw       [8 << 10]byte
	rs, re    int
	err       error
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	if len(p) < utf8.UTFMax {
		return 0, io.ErrShortBuffer
	}
	for {
		if n := u.decode(p); n > 0 {
			return n, nil
		}
		if u.err != nil {
			if u.re > u.rs {
				// A dangling odd byte or half a surrogate pair at the end.
				u.rs = u.re
				return utf8.EncodeRune(p, utf8.RuneError), nil
			}
			return 0, u.err
		}
		copy(u.raw[:], u.raw[u.rs:u.re])
		u.re -= u.rs
		u.rs = 0
		m, err := u.src.Read(u.raw[u.re:])
		u.re += m
		if err != nil {
			u.err = err
		}
	}
}

// decode converts the complete code units buffered in raw into p and
// returns the number of bytes written.
func (u *utf16Reader) decode(p []byte) int {
	n := 0
	for u.re-u.rs >= 2 && len(p)-n >= utf8.UTFMax {
		c := rune(u.unit(u.rs))
		switch {
		case c >= 0xD800 && c < 0xDC00:
			if u.re-u.rs < 4 {
				if u.err == nil {
					return n // the low half is still to be read
				}
				u.rs += 2
				c = utf8.RuneError
			} else if r := utf16.DecodeRune(c, rune(u.unit(u.rs+2))); r != utf8.RuneError {
				u.rs += 4
				c = r
			} else {
				u.rs += 2
				c = utf8.RuneError
			}
		case c >= 0xDC00 && c < 0xE000:
			u.rs += 2
			c = utf8.RuneError
		default:
			u.rs += 2
		}
		n += utf8.EncodeRune(p[n:], c)
	}
	return n
}

func (u *utf16Reader) unit(i int) uint16 {
	if u.bigEndian {
		return uint16(u.raw[i])<<8 | uint16(u.raw[i+1])
	}
	return uint16(u.raw[i]) | uint16(u.raw[i+1])<<8
}

// The encodings that spreadsheet writers declare besides UTF-8, by what
// reading them takes.
const (
	charsetSame   = iota // read as it is: UTF-8 already, or ASCII
	charsetLatin1        // ISO-8859-1
	charsetCP1252        // Windows-1252
)

// charsetOf classifies the encoding named in an XML declaration.
func charsetOf(label string) (int, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-16", "utf-16le", "utf-16be", "utf16", "ucs-2", "unicode":
		// Already converted by partReader, which saw the byte order mark. A
		// part that declares UTF-16 but is UTF-8 is read as UTF-8.
		return charsetSame, nil
	case "us-ascii", "ascii":
		return charsetSame, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return charsetLatin1, nil
	case "windows-1252", "cp1252":
		return charsetCP1252, nil
	}
	return 0, fmt.Errorf("unsupported encoding %q", label)
}

// charsetReader lets encoding/xml accept the encodings of charsetOf.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	cs, err := charsetOf(label)
	if err != nil {
		return nil, err
	}
	switch cs {
	case charsetLatin1:
		return &latin1Reader{src: byteReader(input)}, nil
	case charsetCP1252:
		return &latin1Reader{src: byteReader(input), cp1252: true}, nil
	}
	return input, nil
}

func byteReader(r io.Reader) io.ByteReader {
	if br, ok := r.(io.ByteReader); ok {
		return br
	}
	return &oneByteReader{r: r}
}

type oneByteReader struct{ r io.Reader }

func (o *oneByteReader) ReadByte() (byte, error) {
	var b [1]byte
	_, err := io.ReadFull(o.r, b[:])
	return b[0], err
}

// latin1Reader converts ISO-8859-1 or Windows-1252 to UTF-8, byte by byte
// so that partReader keeps counting the token length underneath.
type latin1Reader struct {
	src    io.ByteReader
	cp1252 bool
	pend   [utf8.UTFMax]byte
	pi, pn int
}

// cp1252High maps 0x80-0x9F of Windows-1252; zero entries are undefined
// there and fall back to the Latin-1 control character.
var cp1252High = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

func (l *latin1Reader) ReadByte() (byte, error) {
	if l.pi < l.pn {
		c := l.pend[l.pi]
		l.pi++
		return c, nil
	}
	c, err := l.src.ReadByte()
	if err != nil || c < 0x80 {
		return c, err
	}
	r := rune(c)
	if l.cp1252 && c < 0xA0 && cp1252High[c-0x80] != 0 {
		r = cp1252High[c-0x80]
	}
	l.pn = utf8.EncodeRune(l.pend[:], r)
	l.pi = 1
	return l.pend[0], nil
}

func (l *latin1Reader) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		c, err := l.ReadByte()
		if err != nil {
			return n, err
		}
		b[n] = c
		n++
	}
	return n, nil
}

// xmlReader wraps encoding/xml's RawToken, which is much faster than Token
// but checks neither that end tags match nor that the document is
// complete; xmlReader does both with a bounded stack of element names. It
// reads the parts that are read once; worksheets go through sheetScanner.
type xmlReader struct {
	dec   *xml.Decoder
	pr    *partReader
	part  string
	stack []xml.Name
}

func newXMLReader(part string, src io.Reader, sizeHint uint64, stop *atomic.Bool) *xmlReader {
	pr := newPartReader(src, sizeHint, stop)
	dec := xml.NewDecoder(pr)
	dec.CharsetReader = charsetReader
	return &xmlReader{dec: dec, pr: pr, part: part, stack: make([]xml.Name, 0, 16)}
}

// next returns the next token. It returns io.EOF only at a clean end: the
// input is exhausted and every element was closed. CharData tokens are only
// valid until the next call.
func (x *xmlReader) next() (xml.Token, error) {
	x.pr.markToken()
	tok, err := x.dec.RawToken()
	if err != nil {
		if err == io.EOF {
			if n := len(x.stack); n > 0 {
				return nil, corrupt("%s: xml ends inside <%s>", x.part, qname(x.stack[n-1]))
			}
			return nil, io.EOF
		}
		return nil, partErr(x.part, err)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		if len(x.stack) >= maxDepth {
			return nil, corrupt("%s: xml elements nested deeper than %d", x.part, maxDepth)
		}
		x.stack = append(x.stack, t.Name)
	case xml.EndElement:
		n := len(x.stack)
		if n == 0 || x.stack[n-1] != t.Name {
			return nil, corrupt("%s: xml syntax error: unexpected </%s>", x.part, qname(t.Name))
		}
		x.stack = x.stack[:n-1]
	}
	return tok, nil
}

// depth is the number of open elements, counting one that just started.
func (x *xmlReader) depth() int { return len(x.stack) }

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// partErr turns an error met while reading a part into a *FormatError,
// unless it came from the underlying file, which says nothing about the
// file's content.
func partErr(part string, err error) error {
	var fe *FormatError
	var re *readError
	var se *xml.SyntaxError
	var ce flate.CorruptInputError
	switch {
	case errors.As(err, &fe):
		return fe
	case errors.Is(err, errClosed):
		return errClosed
	case errors.As(err, &re):
		return ioErr("reading "+part, err)
	case errors.Is(err, errTokenTooLong):
		return corrupt("%s: xml token longer than %s", part, formatSize(maxTokenBytes))
	case errors.As(err, &se):
		return corrupt("%s: xml syntax error on line %d: %s", part, se.Line, se.Msg)
	case errors.Is(err, zip.ErrChecksum):
		return damaged(zip.ErrChecksum, "%s: checksum mismatch in zip entry", part)
	case errors.Is(err, zip.ErrAlgorithm):
		return damaged(zip.ErrAlgorithm, "%s: unsupported zip compression method", part)
	case errors.Is(err, zip.ErrFormat):
		return damaged(zip.ErrFormat, "%s: damaged zip entry (data longer than declared, or bad header)", part)
	case errors.As(err, &ce):
		return damaged(ce, "%s: damaged compressed data", part)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return damaged(io.ErrUnexpectedEOF, "%s: compressed data ends early", part)
	}
	return corrupt("%s: %s", part, strings.TrimPrefix(err.Error(), "xml: "))
}

// damaged is the error for damage to the zip container, with the zip or
// flate error as FormatError.Err.
func damaged(cause error, format string, args ...any) *FormatError {
	fe := corrupt(format, args...)
	fe.Err = cause
	return fe
}

// entryReader reads a zip entry for a parser and makes sure that whatever
// is read of it has been checked against its CRC-32 once the reading ends.
// archive/zip compares the checksum only when an entry is read to its end,
// and not at all when the header says 0, which a writer may mean as "not
// set" but a hostile or damaged file can use to skip the check. So
// entryReader computes the checksum itself for such entries (a real CRC of
// 0 still matches), and finish reads the rest of an entry that a parser
// left unread, such as everything after a worksheet's cells.
type entryReader struct {
	rc    io.ReadCloser
	stop  *atomic.Bool // the workbook's closed flag, so that Close interrupts finish
	hash  hash.Hash32  // nil when archive/zip checks the checksum
	ended bool         // the entry was read to its end and its checksum matched
}

// dataDescriptor is the general-purpose flag bit that puts the checksum
// in a record after the data, which archive/zip always checks.
const dataDescriptor = 0x8

func openEntry(f *zip.File, stop *atomic.Bool) (*entryReader, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	e := &entryReader{rc: rc, stop: stop}
	if f.CRC32 == 0 && f.Flags&dataDescriptor == 0 {
		e.hash = crc32.NewIEEE()
	}
	return e, nil
}

func (e *entryReader) Read(p []byte) (int, error) {
	n, err := e.rc.Read(p)
	if e.hash != nil {
		e.hash.Write(p[:n])
		if err == io.EOF && e.hash.Sum32() != 0 {
			return n, zip.ErrChecksum
		}
	}
	if err == io.EOF {
		e.ended = true
	}
	return n, err
}

// finish reads the entry to its end, using buf, and returns the error that
// ends it: nil when the checksum matches.
func (e *entryReader) finish(buf []byte) error {
	for !e.ended {
		if e.stop.Load() {
			return errClosed
		}
		_, err := e.Read(buf)
		if err != nil && err != io.EOF {
			return err
		}
	}
	return nil
}

func (e *entryReader) Close() error { return e.rc.Close() }

// capReader is the second guard for parts loaded whole: archive/zip already
// stops at the declared size, which was checked against MaxPartSize, but the
// bound on memory should not depend on that alone.
type capReader struct {
	r     io.Reader
	left  int64
	part  string
	limit int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, formatErr(ProblemTooLarge, "part %s is larger than %s", c.part, formatSize(c.limit))
		}
		if err == nil {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
