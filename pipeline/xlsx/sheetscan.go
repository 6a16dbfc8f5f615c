package xlsx

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// sheetScanner tokenizes worksheet parts, which are read cell by cell, and
// the shared strings, which hold an item per distinct text: the parts whose
// size grows with the data. It replaces encoding/xml's RawToken there,
// which costs several allocations per token, and accepts and rejects
// exactly what RawToken accepts and rejects (in its default strict mode,
// without an entity map), with the same messages and line numbers, so that
// a damaged sheet fails the same way as before.
//
// It works in place on the buffer of its partReader: tags are parsed where
// they lie, and only a tag that spans two reads of the part is copied, into
// spill. Character data is never returned as a token; it is checked as it
// streams past and, on request, appended to the caller's buffer, decoding
// entities and line ends on the way. Comments, processing instructions and
// directives are consumed silently.
//
// The buffer is refilled exactly when encoding/xml would have needed the
// next byte, so errors of the zip stream, the token bound of partReader and
// the closed flag surface at the same points.
type sheetScanner struct {
	partReader
	part string

	fatal  error // the error that ended scanning, returned from then on
	srcErr error // the error of the last failed refill, io.EOF at the end

	// Line numbers for error messages: lines counts the newlines in the
	// stream before buf[lineFrom].
	lines    int
	lineFrom int

	// markAdj is 1 after text that ended at a '<', which encoding/xml
	// had already read when the next token began (see partReader.mark).
	markAdj int64

	// The tag being parsed starts at buf[tagFrom], preceded by spill
	// when it began in an earlier buffer; positions in a tag are relative
	// to its first byte after '<' (or "</", "<?").
	inTag   bool
	tagFrom int
	spill   []byte

	// The current start tag, valid until the next call of next.
	tag        []byte
	nameEnd    int // end of the element name in tag
	localStart int // start of its local part
	attrs      []xmlAttr
	needClose  bool // the start tag was self-closing: next returns its end

	// The names of the open elements, as written, one after another.
	names []byte
	ends  []int

	// State of the character data being read.
	pend     string // the first character error, reported at its end
	overflow bool   // the caller's text buffer would exceed maxCellText
	escaped  bool   // an entity or '\r' was decoded

	ent      []byte // the entity being read, for error messages
	val      []byte // a decoded attribute value
	lastName []byte // the last non-ASCII name found valid
}

type tokKind uint8

const (
	tokStart tokKind = iota + 1
	tokEnd
)

// xmlAttr locates one attribute in sheetScanner.tag.
type xmlAttr struct {
	nameStart, nameEnd int
	valStart, valEnd   int // the raw value between its quotes
	escaped            bool
}

func newSheetScanner(part string, src io.Reader, sizeHint uint64, stop *atomic.Bool) *sheetScanner {
	s := &sheetScanner{partReader: *newPartReader(src, sizeHint, stop), part: part}
	s.lineFrom = s.r
	s.ends = make([]int, 0, 16)
	s.attrs = make([]xmlAttr, 0, 8)
	return s
}

// next reads up to the next start or end tag and returns its kind; for a
// start tag, the name and attributes are then available until the next
// call. Character data on the way is appended to *text, or checked and
// dropped when text is nil. next returns io.EOF only at a clean end: the
// input is exhausted and every element was closed.
func (s *sheetScanner) next(text *[]byte) (tokKind, error) {
	if s.fatal != nil {
		return 0, s.fatal
	}
	if s.needClose {
		s.needClose = false
		s.pop()
		return tokEnd, nil
	}
	for {
		s.mark = s.base + int64(s.r) + s.markAdj
		s.markAdj = 0
		if s.r == s.w && !s.more() {
			if s.srcErr != io.EOF {
				return s.fail(partErr(s.part, s.srcErr))
			}
			if n := len(s.ends); n > 0 {
				return s.fail(corrupt("%s: xml ends inside <%s>", s.part, s.stackName(n-1)))
			}
			return s.fail(io.EOF)
		}
		if s.buf[s.r] != '<' {
			if err := s.chars(modeText, 0, text); err != nil {
				return s.fail(err)
			}
			continue
		}
		s.r++
		b, ok := s.peek()
		if !ok {
			return s.fail(s.eofErr())
		}
		var err error
		switch b {
		case '/':
			s.r++
			if err = s.endTag(); err == nil {
				return tokEnd, nil
			}
		case '?':
			s.r++
			err = s.procInst()
		case '!':
			s.r++
			err = s.bang(text)
		default:
			if err = s.startTag(); err == nil {
				return tokStart, nil
			}
		}
		if err != nil {
			return s.fail(err)
		}
	}
}

func (s *sheetScanner) fail(err error) (tokKind, error) {
	s.fatal = err
	return 0, err
}

// more refills the buffer, all of which has been consumed, keeping the
// part of a tag that it holds. It returns false when the source fails,
// and keeps failing from then on, as encoding/xml does.
func (s *sheetScanner) more() bool {
	if s.srcErr != nil {
		return false
	}
	s.lines += bytes.Count(s.buf[s.lineFrom:s.w], newline)
	if s.inTag {
		s.spill = append(s.spill, s.buf[s.tagFrom:s.w]...)
	}
	err := s.fill()
	s.lineFrom, s.tagFrom = s.r, s.r
	if err != nil {
		s.srcErr = err
		return false
	}
	return true
}

var newline = []byte{'\n'}

// peek returns the next byte without consuming it.
func (s *sheetScanner) peek() (byte, bool) {
	if s.r == s.w && !s.more() {
		return 0, false
	}
	return s.buf[s.r], true
}

func (s *sheetScanner) lineAt(i int) int {
	return 1 + s.lines + bytes.Count(s.buf[s.lineFrom:i], newline)
}

// syntaxErr reports msg as encoding/xml would, on the line of buf[i].
func (s *sheetScanner) syntaxErr(i int, msg string) error {
	return corrupt("%s: xml syntax error on line %d: %s", s.part, s.lineAt(i), msg)
}

// eofErr is the error for input that ends inside a token.
func (s *sheetScanner) eofErr() error {
	if s.srcErr == io.EOF {
		return s.syntaxErr(s.w, "unexpected EOF")
	}
	return partErr(s.part, s.srcErr)
}

func (s *sheetScanner) depth() int { return len(s.ends) }

func (s *sheetScanner) stackName(i int) []byte {
	start := 0
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.names[start:s.ends[i]]
}

func (s *sheetScanner) pop() {
	n := len(s.ends) - 1
	s.ends = s.ends[:n]
	if n == 0 {
		s.names = s.names[:0]
	} else {
		s.names = s.names[:s.ends[n-1]]
	}
}

// local reports whether the current start tag's local name is name.
func (s *sheetScanner) local(name string) bool {
	return string(s.tag[s.localStart:s.nameEnd]) == name
}

// stackLocal reports whether the local name of the open element at index
// i (0 is the root) is name.
func (s *sheetScanner) stackLocal(i int, name string) bool {
	return string(localPart(s.stackName(i))) == name
}

// localPart splits a name as encoding/xml does: at its one colon, unless
// the colon is first or last.
func localPart(name []byte) []byte {
	if i := bytes.IndexByte(name, ':'); i > 0 && i < len(name)-1 {
		return name[i+1:]
	}
	return name
}

// attrIs reports whether attribute i of the current start tag has the
// unprefixed name name.
func (s *sheetScanner) attrIs(i int, name string) bool {
	a := &s.attrs[i]
	return string(s.tag[a.nameStart:a.nameEnd]) == name
}

// attrValue returns the value of attribute i of the current start tag,
// with entities and line ends decoded. It is valid until the next call.
func (s *sheetScanner) attrValue(i int) []byte {
	a := &s.attrs[i]
	raw := s.tag[a.valStart:a.valEnd]
	if !a.escaped {
		return raw
	}
	s.val = appendDecoded(s.val[:0], raw)
	return s.val
}

// Tags.

func (s *sheetScanner) beginTag() {
	s.inTag = true
	s.tagFrom = s.r
	s.spill = s.spill[:0]
}

// rel turns a buffer index into a position in the current tag.
func (s *sheetScanner) rel(i int) int { return len(s.spill) + i - s.tagFrom }

// tagBytes returns the bytes of the current tag between two positions
// that were read already. Like the buffer, it is valid until more is
// called.
func (s *sheetScanner) tagBytes(from, to int) []byte {
	if len(s.spill) > 0 {
		s.spill = append(s.spill, s.buf[s.tagFrom:s.r]...)
		s.tagFrom = s.r
		return s.spill[from:to]
	}
	return s.buf[s.tagFrom+from : s.tagFrom+to]
}

// readName consumes a name as encoding/xml's readName does: ASCII name
// bytes and every byte of a multi-byte character, which checkName judges
// afterwards. It returns the name's length, the number of colons, the
// position of the last one and whether it has non-ASCII bytes.
func (s *sheetScanner) readName() (n, colons, colonAt int, hi bool, err error) {
	for {
		buf, i, w := s.buf, s.r, s.w
		for ; i < w; i++ {
			c := buf[i]
			if c >= utf8.RuneSelf {
				hi = true
				continue
			}
			if !isNameByte[c] {
				break
			}
			if c == ':' {
				colons++
				colonAt = s.rel(i)
			}
		}
		n += i - s.r
		s.r = i
		if i < w {
			return n, colons, colonAt, hi, nil
		}
		if !s.more() {
			return n, colons, colonAt, hi, s.eofErr()
		}
	}
}

var isNameByte [utf8.RuneSelf]bool

func init() {
	for c := range isNameByte {
		isNameByte[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '_' || c == ':' || c == '.' || c == '-'
	}
}

// checkName returns a syntax error unless the name of n bytes at position
// from of the tag is an XML name, which readName ends just before s.r.
func (s *sheetScanner) checkName(from, n int, hi bool) error {
	name := s.tagBytes(from, from+n)
	if !hi {
		if c := name[0]; '0' <= c && c <= '9' || c == '.' || c == '-' {
			return s.syntaxErr(s.r, "invalid XML name: "+string(name))
		}
		return nil
	}
	if bytes.Equal(name, s.lastName) {
		return nil
	}
	if !isXMLName(name) {
		return s.syntaxErr(s.r, "invalid XML name: "+string(name))
	}
	s.lastName = append(s.lastName[:0], name...)
	return nil
}

// isXMLName reports whether a name with non-ASCII characters is an XML
// name. The Unicode tables for that live unexported in encoding/xml, so
// it is asked directly; such names are rare in worksheets, and checkName
// remembers the last one.
func isXMLName(name []byte) bool {
	doc := make([]byte, 0, len(name)+3)
	doc = append(doc, '<')
	for _, c := range name {
		if c == ':' {
			c = '_' // ':' and '_' are valid in the same places; ':' would be split off
		}
		doc = append(doc, c)
	}
	doc = append(doc, '/', '>')
	_, err := xml.NewDecoder(bytes.NewReader(doc)).RawToken()
	return err == nil
}

// startTag parses a start tag; s.r is just after its '<'.
func (s *sheetScanner) startTag() error {
	s.beginTag()
	n, colons, colonAt, hi, err := s.readName()
	if err != nil {
		return err
	}
	if n == 0 {
		return s.syntaxErr(s.r, "expected element name after <")
	}
	if err := s.checkName(0, n, hi); err != nil {
		return err
	}
	if colons > 1 {
		return s.syntaxErr(s.r, "expected element name after <")
	}
	s.nameEnd, s.localStart = n, 0
	if colons == 1 && colonAt > 0 && colonAt < n-1 {
		s.localStart = colonAt + 1
	}
	s.attrs = s.attrs[:0]
	empty := false
	for {
		s.skipSpace()
		b, ok := s.peek()
		if !ok {
			return s.eofErr()
		}
		if b == '>' {
			s.r++
			break
		}
		if b == '/' {
			s.r++
			if b, ok = s.peek(); !ok {
				return s.eofErr()
			}
			s.r++
			if b != '>' {
				return s.syntaxErr(s.r, "expected /> in element")
			}
			empty = true
			break
		}
		var a xmlAttr
		a.nameStart = s.rel(s.r)
		n, colons, _, hi, err := s.readName()
		if err != nil {
			return err
		}
		if n == 0 {
			return s.syntaxErr(s.r, "expected attribute name in element")
		}
		if err := s.checkName(a.nameStart, n, hi); err != nil {
			return err
		}
		if colons > 1 {
			return s.syntaxErr(s.r, "expected attribute name in element")
		}
		a.nameEnd = a.nameStart + n
		s.skipSpace()
		if b, ok = s.peek(); !ok {
			return s.eofErr()
		}
		s.r++
		if b != '=' {
			return s.syntaxErr(s.r, "attribute name without = in element")
		}
		s.skipSpace()
		if b, ok = s.peek(); !ok {
			return s.eofErr()
		}
		s.r++
		if b != '"' && b != '\'' {
			return s.syntaxErr(s.r, "unquoted or missing attribute value in element")
		}
		a.valStart = s.rel(s.r)
		if err := s.chars(modeAttr, b, nil); err != nil {
			return err
		}
		a.valEnd = s.rel(s.r) - 1
		a.escaped = s.escaped
		s.attrs = append(s.attrs, a)
	}
	if len(s.spill) > 0 {
		s.tag = s.tagBytes(0, s.rel(s.r))
	} else {
		s.tag = s.buf[s.tagFrom:s.r]
	}
	s.inTag = false
	if len(s.ends) >= maxDepth {
		return corrupt("%s: xml elements nested deeper than %d", s.part, maxDepth)
	}
	s.names = append(s.names, s.tag[:s.nameEnd]...)
	s.ends = append(s.ends, len(s.names))
	s.needClose = empty
	return nil
}

func (s *sheetScanner) skipSpace() {
	for {
		for s.r < s.w {
			switch s.buf[s.r] {
			case ' ', '\t', '\r', '\n':
				s.r++
			default:
				return
			}
		}
		if !s.more() {
			return
		}
	}
}

// endTag parses an end tag; s.r is just after its "</".
func (s *sheetScanner) endTag() error {
	s.beginTag()
	n, colons, colonAt, hi, err := s.readName()
	if err != nil {
		return err
	}
	if n == 0 {
		return s.syntaxErr(s.r, "expected element name after </")
	}
	if err := s.checkName(0, n, hi); err != nil {
		return err
	}
	if colons > 1 {
		return s.syntaxErr(s.r, "expected element name after </")
	}
	s.skipSpace()
	b, ok := s.peek()
	if !ok {
		return s.eofErr()
	}
	s.r++
	if b != '>' {
		local := 0
		if colons == 1 && colonAt > 0 && colonAt < n-1 {
			local = colonAt + 1
		}
		return s.syntaxErr(s.r, "invalid characters between </"+string(s.tagBytes(local, n))+" and >")
	}
	name := s.tagBytes(0, n)
	s.inTag = false
	if len(s.ends) == 0 || !bytes.Equal(s.stackName(len(s.ends)-1), name) {
		return corrupt("%s: xml syntax error: unexpected </%s>", s.part, name)
	}
	s.pop()
	return nil
}

// procInst consumes a processing instruction; s.r is just after its "<?".
// An XML declaration, wherever it stands, is checked for its version and
// may switch the encoding of the rest of the part, as in encoding/xml.
func (s *sheetScanner) procInst() error {
	s.beginTag()
	n, _, _, hi, err := s.readName()
	if err != nil {
		return err
	}
	if n == 0 {
		return s.syntaxErr(s.r, "expected target name after <?")
	}
	if err := s.checkName(0, n, hi); err != nil {
		return err
	}
	isDecl := n == 3 && string(s.tagBytes(0, 3)) == "xml"
	s.skipSpace()
	start := s.rel(s.r)
	s.inTag = isDecl
	var b0 byte
	for {
		b, ok := s.peek()
		if !ok {
			return s.eofErr()
		}
		s.r++
		if b0 == '?' && b == '>' {
			break
		}
		b0 = b
	}
	if !isDecl {
		return nil
	}
	content := string(s.tagBytes(start, s.rel(s.r)-2))
	s.inTag = false
	if ver := procInstParam("version", content); ver != "" && ver != "1.0" {
		return corrupt("%s: unsupported version %q; only version 1.0 is supported", s.part, ver)
	}
	enc := procInstParam("encoding", content)
	if enc == "" || strings.EqualFold(enc, "utf-8") {
		return nil
	}
	cs, err := charsetOf(enc)
	if err != nil {
		return corrupt("%s: opening charset %q: %v", s.part, enc, err)
	}
	if cs == charsetLatin1 || cs == charsetCP1252 {
		// Convert the rest of the part, beginning with what the buffer
		// still holds.
		s.lines += bytes.Count(s.buf[s.lineFrom:s.r], newline)
		rest := &sliceThenReader{head: bytes.Clone(s.buf[s.r:s.w]), tail: s.src, err: s.err}
		s.src = &latin1Reader{src: bufio.NewReader(rest), cp1252: cs == charsetCP1252}
		s.w, s.err = s.r, nil
		s.lineFrom = s.r
	}
	return nil
}

// procInstParam is encoding/xml's procInst: it parses the `param="..."`
// or `param='...'` value out of the content of a processing instruction,
// returning "" if not found.
func procInstParam(param, s string) string {
	param = param + "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// bang consumes what starts with "<!": a comment, a CDATA section, whose
// text goes to *text like other character data, or a directive such as
// <!DOCTYPE ...>, whose entity declarations are ignored as encoding/xml
// ignores them.
func (s *sheetScanner) bang(text *[]byte) error {
	b, ok := s.peek()
	if !ok {
		return s.eofErr()
	}
	s.r++
	switch b {
	case '-':
		if b, ok = s.peek(); !ok {
			return s.eofErr()
		}
		s.r++
		if b != '-' {
			return s.syntaxErr(s.r, "invalid sequence <!- not part of <!--")
		}
		var b0, b1 byte
		for {
			if b, ok = s.peek(); !ok {
				return s.eofErr()
			}
			s.r++
			if b0 == '-' && b1 == '-' {
				if b != '>' {
					return s.syntaxErr(s.r, `invalid sequence "--" not allowed in comments`)
				}
				return nil
			}
			b0, b1 = b1, b
		}
	case '[':
		for i := 0; i < 6; i++ {
			if b, ok = s.peek(); !ok {
				return s.eofErr()
			}
			s.r++
			if b != "CDATA["[i] {
				return s.syntaxErr(s.r, "invalid <![ sequence")
			}
		}
		return s.chars(modeCDATA, 0, text)
	}
	// A directive. Quoted angle brackets do not count for nesting, and
	// comments inside are skipped.
	var inquote byte
	depth := 0
	for {
		if b, ok = s.peek(); !ok {
			return s.eofErr()
		}
		s.r++
		if inquote == 0 && b == '>' && depth == 0 {
			return nil
		}
	handle:
		switch {
		case b == inquote:
			inquote = 0
		case inquote != 0:
		case b == '\'' || b == '"':
			inquote = b
		case b == '>':
			depth--
		case b == '<':
			for i := 0; i < 3; i++ {
				if b, ok = s.peek(); !ok {
					return s.eofErr()
				}
				s.r++
				if b != "!--"[i] {
					depth++
					goto handle
				}
			}
			var b0, b1 byte
			for {
				if b, ok = s.peek(); !ok {
					return s.eofErr()
				}
				s.r++
				if b0 == '-' && b1 == '-' && b == '>' {
					break
				}
				b0, b1 = b1, b
			}
		}
	}
}

// Character data.

const (
	modeText  = iota // text between tags: ends before '<'
	modeCDATA        // a CDATA section: ends after "]]>"
	modeAttr         // a quoted attribute value: ends after the quote
)

// charSpecial marks, for each mode, the bytes that the loop in chars
// must look at; the others are copied in runs.
var charSpecial [3][256]bool

func init() {
	for c := range 256 {
		base := c < 0x20 && c != '\t' && c != '\n' || c >= utf8.RuneSelf // '\r' included
		charSpecial[modeText][c] = base || c == '<' || c == '&' || c == ']' || c == '>'
		charSpecial[modeCDATA][c] = base || c == ']' || c == '>'
		charSpecial[modeAttr][c] = base || c == '<' || c == '&' || c == '"' || c == '\''
	}
}

// chars reads character data as encoding/xml's text does: it decodes
// entities (not in CDATA) and turns "\r\n" and a lone '\r' into '\n'. An
// invalid entity and "]]>" outside CDATA are errors at once; invalid
// UTF-8 and characters outside XML's range are errors at the end of the
// data. The decoded data is appended to *dst when dst is not nil; more
// than maxCellText bytes there in all is an error, also at the end.
// Text (modeText) that ends with the input is not an error, and the next
// call of next reports the end.
func (s *sheetScanner) chars(mode int, quote byte, dst *[]byte) error {
	special := &charSpecial[mode]
	s.pend, s.overflow, s.escaped = "", false, false
	rb := 0     // how many of the raw bytes just before were ']', up to 2
	held := 0   // in CDATA, the ']' bytes not yet written, which may end it
	cr := false // a '\r' ended the previous buffer; skip a '\n' next
	for {
		if s.r == s.w {
			if !s.more() {
				break
			}
			if cr {
				cr = false
				if s.buf[s.r] == '\n' {
					s.r++
					continue
				}
			}
		}
		buf, i, w := s.buf, s.r, s.w
		start := i
		for i < w && !special[buf[i]] {
			i++
		}
		if i > start {
			if held > 0 {
				s.emit(dst, closeBrackets[:held])
				held = 0
			}
			if dst != nil {
				s.emit(dst, buf[start:i])
			}
			rb = 0
			s.r = i
			if i == w {
				continue
			}
		}
		c := buf[i]
		switch c {
		case '<':
			if mode == modeAttr {
				s.r = i + 1
				return s.syntaxErr(i+1, "unescaped < inside quoted string")
			}
			s.r = i
			s.markAdj = 1
			return s.endChars()
		case '&':
			s.r = i + 1
			r, err := s.entity()
			if err != nil {
				return err
			}
			if s.pend == "" && !isInCharacterRange(r) {
				s.pend = illegalChar(r)
			}
			if dst != nil {
				var enc [utf8.UTFMax]byte
				s.emit(dst, utf8.AppendRune(enc[:0], r))
			}
			s.escaped = true
			rb = 0
			continue
		case '"', '\'':
			s.r = i + 1
			if c == quote {
				return s.endChars()
			}
			continue // dst is nil for attribute values
		case ']':
			s.r = i + 1
			switch {
			case mode != modeCDATA:
				s.emitByte(dst, ']')
			case held == 2:
				s.emitByte(dst, ']')
			default:
				held++
			}
			rb = min(rb+1, 2)
			continue
		case '>':
			s.r = i + 1
			if rb == 2 {
				if mode == modeCDATA {
					return s.endChars() // the held "]]" is the delimiter
				}
				return s.syntaxErr(i+1, "unescaped ]]> not in CDATA section")
			}
			if held > 0 {
				s.emit(dst, closeBrackets[:held])
				held = 0
			}
			s.emitByte(dst, '>')
			rb = 0
			continue
		case '\r':
			if held > 0 {
				s.emit(dst, closeBrackets[:held])
				held = 0
			}
			s.emitByte(dst, '\n')
			s.escaped = true
			rb = 0
			i++
			if i == w {
				cr = true
			} else if buf[i] == '\n' {
				i++
			}
			s.r = i
			continue
		}
		// A control character or a byte of a multi-byte character.
		if held > 0 {
			s.emit(dst, closeBrackets[:held])
			held = 0
		}
		rb = 0
		if c < utf8.RuneSelf || s.pend != "" {
			if c < utf8.RuneSelf && s.pend == "" {
				s.pend = illegalChar(rune(c))
			}
			s.emitByte(dst, c)
			s.r = i + 1
			continue
		}
		if utf8.FullRune(buf[i:w]) {
			r, n := utf8.DecodeRune(buf[i:w])
			if r == utf8.RuneError && n == 1 {
				s.pend = "invalid UTF-8"
			} else if !isInCharacterRange(r) {
				s.pend = illegalChar(r)
			}
			s.emit(dst, buf[i:i+n])
			s.r = i + n
			continue
		}
		// The character continues in the next buffer.
		var seq [utf8.UTFMax]byte
		k := copy(seq[:], buf[i:w])
		s.emit(dst, buf[i:w])
		s.r = w
		s.finishRune(seq, k, dst)
	}
	// The input ended, or failed.
	if mode == modeCDATA {
		if s.srcErr == io.EOF {
			return s.syntaxErr(s.w, "unexpected EOF in CDATA section")
		}
		return partErr(s.part, s.srcErr)
	}
	if err := s.endChars(); err != nil {
		return err
	}
	if mode == modeAttr {
		return s.eofErr()
	}
	return nil
}

var closeBrackets = []byte("]]")

// finishRune reads the rest of a multi-byte character whose first k bytes
// ended the previous buffer.
func (s *sheetScanner) finishRune(seq [utf8.UTFMax]byte, k int, dst *[]byte) {
	for {
		if s.r == s.w && !s.more() {
			s.pend = "invalid UTF-8"
			return
		}
		c := s.buf[s.r]
		seq[k] = c
		k++
		if !utf8.FullRune(seq[:k]) {
			s.emitByte(dst, c)
			s.r++
			continue
		}
		r, n := utf8.DecodeRune(seq[:k])
		if r == utf8.RuneError && n == 1 {
			s.pend = "invalid UTF-8" // c is left for the caller
			return
		}
		if !isInCharacterRange(r) {
			s.pend = illegalChar(r)
		}
		s.emitByte(dst, c)
		s.r++
		return
	}
}

func (s *sheetScanner) endChars() error {
	if s.pend != "" {
		return s.syntaxErr(s.r, s.pend)
	}
	if s.overflow {
		return corrupt("%s: text longer than %s in one cell", s.part, formatSize(maxCellText))
	}
	return nil
}

func (s *sheetScanner) emit(dst *[]byte, b []byte) {
	if dst == nil || s.overflow {
		return
	}
	if len(*dst)+len(b) > maxCellText {
		s.overflow = true
		return
	}
	*dst = append(*dst, b...)
}

func (s *sheetScanner) emitByte(dst *[]byte, c byte) {
	if dst == nil || s.overflow {
		return
	}
	if len(*dst)+1 > maxCellText {
		s.overflow = true
		return
	}
	*dst = append(*dst, c)
}

func illegalChar(r rune) string {
	return fmt.Sprintf("illegal character code %U", r)
}

// isInCharacterRange is the Char production of XML 1.0, as encoding/xml
// checks it.
func isInCharacterRange(r rune) bool {
	return r == 0x09 ||
		r == 0x0A ||
		r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// entity reads an entity or character reference; s.r is just after its
// '&'. Only the five predefined entities exist: a DOCTYPE cannot declare
// more.
func (s *sheetScanner) entity() (rune, error) {
	s.ent = append(s.ent[:0], '&')
	b, ok := s.peek()
	if !ok {
		return 0, s.eofErr()
	}
	if b == '#' {
		s.r++
		s.ent = append(s.ent, '#')
		if b, ok = s.peek(); !ok {
			return 0, s.eofErr()
		}
		base := uint64(10)
		if b == 'x' {
			base = 16
			s.r++
			s.ent = append(s.ent, 'x')
			if b, ok = s.peek(); !ok {
				return 0, s.eofErr()
			}
		}
		var n uint64
		digits, tooBig := 0, false
		for {
			d := digitValue(b, base)
			if d < 0 {
				break
			}
			s.r++
			s.ent = append(s.ent, b)
			digits++
			if !tooBig {
				if n = n*base + uint64(d); n > unicode.MaxRune {
					tooBig = true
				}
			}
			if b, ok = s.peek(); !ok {
				return 0, s.eofErr()
			}
		}
		if b != ';' {
			return 0, s.entityErr(false)
		}
		s.r++
		s.ent = append(s.ent, ';')
		if digits == 0 || tooBig {
			return 0, s.entityErr(true)
		}
		if n >= 0xD800 && n < 0xE000 {
			return utf8.RuneError, nil // as string(rune(n)) gives
		}
		return rune(n), nil
	}
	for b >= utf8.RuneSelf || isNameByte[b] {
		s.r++
		s.ent = append(s.ent, b)
		if b, ok = s.peek(); !ok {
			return 0, s.eofErr()
		}
	}
	if b != ';' {
		return 0, s.entityErr(false)
	}
	s.r++
	s.ent = append(s.ent, ';')
	if r, ok := predefinedEntity(s.ent[1 : len(s.ent)-1]); ok {
		return r, nil
	}
	return 0, s.entityErr(true)
}

func predefinedEntity(name []byte) (rune, bool) {
	switch string(name) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	return 0, false
}

func (s *sheetScanner) entityErr(semicolon bool) error {
	msg := "invalid character entity " + string(s.ent)
	if !semicolon {
		msg += " (no semicolon)"
	}
	return s.syntaxErr(s.r, msg)
}

func digitValue(c byte, base uint64) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case base == 16 && 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case base == 16 && 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// appendDecoded decodes an attribute value that chars has checked: its
// entities are valid, and each '\r' is a line end.
func appendDecoded(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '\r':
			dst = append(dst, '\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
		case '&':
			end := i + bytes.IndexByte(raw[i:], ';')
			ref := raw[i+1 : end]
			var r rune
			if len(ref) > 0 && ref[0] == '#' {
				base, digits := uint64(10), ref[1:]
				if len(digits) > 0 && digits[0] == 'x' {
					base, digits = 16, digits[1:]
				}
				var n uint64
				for _, d := range digits {
					n = n*base + uint64(digitValue(d, base))
					if n > unicode.MaxRune {
						break // cannot happen: chars refused it
					}
				}
				r = rune(n)
				if !utf8.ValidRune(r) {
					r = utf8.RuneError
				}
			} else {
				r, _ = predefinedEntity(ref)
			}
			dst = utf8.AppendRune(dst, r)
			i = end
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// richText collects the text of the element that just started (a shared
// string <si> or an inline <is>) up to its end: the <t> child, or the <t> of each <r> run. Phonetic
// runs (<rPh>) are furigana for Japanese text and not part of the value.
func (s *sheetScanner) richText(dst *[]byte) error {
	base := s.depth()
	inText := false
	for {
		var sink *[]byte
		if inText {
			sink = dst
		}
		tok, err := s.next(sink)
		if err != nil {
			return err
		}
		switch tok {
		case tokStart:
			d := s.depth() - base
			inText = s.local("t") && (d == 1 || d == 2 && s.stackLocal(base, "r"))
		case tokEnd:
			inText = false
			if s.depth() < base {
				return nil
			}
		}
	}
}
