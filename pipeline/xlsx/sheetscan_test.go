package xlsx

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sheetPackage builds a workbook around one worksheet part.
func sheetPackage(t testing.TB, sheet string) []byte {
	return storedZip(t,
		part{"_rels/.rels", rootRels},
		part{"xl/workbook.xml", oneSheetWorkbook},
		part{"xl/_rels/workbook.xml.rels", oneSheetRels},
		part{"xl/worksheets/sheet1.xml", sheet},
		part{"xl/styles.xml", twoStyles},
		part{"xl/sharedStrings.xml", `<sst><si><t>zero</t></si><si><t>one_x0041_</t></si></sst>`},
	)
}

// chunkReader returns its data in reads of the given sizes in turn, so
// that tags, entities and characters are cut at every place.
type chunkReader struct {
	data  []byte
	sizes []int
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(c.sizes[c.i%len(c.sizes)], len(p), len(c.data))
	c.i++
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// readSheetInChunks reads the sheet part of wb from sheet, delivered in
// chunks instead of through the zip entry.
func readSheetInChunks(wb *Workbook, sheet string, sizes []int) ([]row, error) {
	src := &entryReader{rc: io.NopCloser(&chunkReader{data: []byte(sheet), sizes: sizes}), stop: &wb.closed}
	rs := newRows(wb, "S", "xl/worksheets/sheet1.xml", src, 0)
	defer rs.Close()
	var out []row
	for rs.Next() {
		out = append(out, row{rs.Row(), append([]Cell(nil), rs.Cells()...)})
	}
	return out, rs.Err()
}

var chunkings = [][]int{{1}, {2, 3}, {5, 1, 7}, {64}}

// TestWorksheetXML pins how worksheet XML is read, down to the messages
// for damaged XML, which are those encoding/xml gave when it read sheets:
// every case reads the same whole and cut into small reads.
func TestWorksheetXML(t *testing.T) {
	tests := []struct {
		name  string
		sheet string // sheetData content, or a whole part if it starts with "<?" or "\xff"
		want  []row
		err   string // the end of the error, after "xlsx: corrupt: xl/worksheets/sheet1.xml: "
	}{
		{
			name:  "entities and character references are decoded",
			sheet: `<row r="1"><c r="A1" t="inlineStr"><is><t>&amp;&lt;&gt;&apos;&quot; &#228;&#xE4;&#65;&#x1F600;</t></is></c></row>`,
			want:  []row{{1, []Cell{{Col: 1, Type: String, Value: "&<>'\" ääA😀", Cached: true}}}},
		},
		{
			name:  "line ends become \\n, a referenced \\r stays",
			sheet: "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a\r\nb\rc&#13;\nd</t></is></c></row>",
			want:  []row{{1, []Cell{{Col: 1, Type: String, Value: "a\nb\nc\r\nd", Cached: true}}}},
		},
		{
			name:  "comments and processing instructions split text, CDATA sections join it",
			sheet: `<row r="1"><c r="A1" t="str"><v>x<!-- note --><?pi data?>y</v></c><c r="B1" t="str"><v><![CDATA[<b> & ]]]]><![CDATA[>]]></v></c></row>`,
			want:  []row{{1, []Cell{{Col: 1, Type: String, Value: "xy", Cached: true}, {Col: 2, Type: String, Value: "<b> & ]]>", Cached: true}}}},
		},
		{
			name:  "attribute values are decoded",
			sheet: `<row r="&#50;"><c r="&#x42;2" s='1' t="&#110;"><v> 45000 </v></c></row>`,
			want:  []row{{2, []Cell{{Col: 2, Type: Number, Value: "45000", Cached: true, DateFormat: true}}}},
		},
		{
			name:  "text of a <v> is collected up to the next end tag, and from every <v>",
			sheet: `<row r="1"><c r="A1"><v>1<x>2</x>3</v></c><c r="B1"><v>4<x/>5</v></c><c r="C1"><v>6</v><v>7</v></c></row>`,
			want:  []row{{1, []Cell{{Col: 1, Type: Number, Value: "12", Cached: true}, {Col: 2, Type: Number, Value: "4", Cached: true}, {Col: 3, Type: Number, Value: "67", Cached: true}}}},
		},
		{
			name:  "inline rich text takes <t> children and the <t> of <r> runs only",
			sheet: `<row r="1"><c r="A1" t="inlineStr"><is><t>a<b/>c</t><r><t>d</t><x><t>e</t></x></r><t>f</t></is></c></row>`,
			want:  []row{{1, []Cell{{Col: 1, Type: String, Value: "adf", Cached: true}}}},
		},
		{
			name:  "rows and cells count only as direct children",
			sheet: `<row r="1"><c r="A1"><v>1</v></c></row><foo><row r="2"><c><v>2</v></c></row></foo><row r="3"><foo><c><v>3</v></c></foo><c r="B3"><v>4</v></c></row>`,
			want: []row{
				{1, []Cell{{Col: 1, Type: Number, Value: "1", Cached: true}}},
				{3, []Cell{{Col: 2, Type: Number, Value: "4", Cached: true}}},
			},
		},
		{
			name:  "shared string indexes, booleans and errors",
			sheet: `<row r="1"><c r="A1" t="s"><v>+1</v></c><c r="B1" t="b"><v> true </v></c><c r="C1" t="b"><v>yes</v></c><c r="D1" t="e"><v>#N/A</v></c></row>`,
			want:  []row{{1, []Cell{{Col: 1, Type: String, Value: "oneA", Cached: true}, {Col: 2, Type: Bool, Value: "1", Cached: true}, {Col: 3, Type: Bool, Value: "yes", Cached: true}, {Col: 4, Type: Error, Value: "#N/A", Cached: true}}}},
		},
		{
			name:  "a repeated attribute counts last, an invalid style is ignored",
			sheet: `<row r="1"><c r="A1" s="+1"><v>1</v></c><c r="B1" s="1" s="x"><v>2</v></c><c r="C1" t="x" t="n"><v>3</v></c></row>`,
			want:  []row{{1, []Cell{{Col: 1, Type: Number, Value: "1", Cached: true, DateFormat: true}, {Col: 2, Type: Number, Value: "2", Cached: true, DateFormat: true}, {Col: 3, Type: Number, Value: "3", Cached: true}}}},
		},
		{
			name:  "multi-byte characters",
			sheet: "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\xf0\x9f\x98\x80\xef\xbf\xbd东京ä</t></is></c></row>",
			want:  []row{{1, []Cell{{Col: 1, Type: String, Value: "😀\ufffd东京ä", Cached: true}}}},
		},
		{
			name:  "a part in ISO-8859-1",
			sheet: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><x:worksheet xmlns:x=\"s\"><x:sheetData><x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t>f\xf6\x80</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>",
			want:  []row{{1, []Cell{{Col: 1, Type: String, Value: "fö\u0080", Cached: true}}}},
		},
		{
			name:  "a part in Windows-1252",
			sheet: "<?xml version=\"1.0\" encoding=\"windows-1252\"?><worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\x80 &#228;</t></is></c></row></sheetData></worksheet>",
			want:  []row{{1, []Cell{{Col: 1, Type: String, Value: "€ ä", Cached: true}}}},
		},
		{
			name:  "a part in UTF-16",
			sheet: utf16Doc(t, `<?xml version="1.0" encoding="UTF-16"?><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>東京 &amp; 😀</t></is></c></row></sheetData></worksheet>`),
			want:  []row{{1, []Cell{{Col: 1, Type: String, Value: "東京 & 😀", Cached: true}}}},
		},
		{
			name:  "a DOCTYPE is skipped, its entities are not defined",
			sheet: `<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "x"> <!-- <!ENTITY b "y"> --> <!ATTLIST c t CDATA "s">]><worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
			want:  []row{{1, []Cell{{Col: 1, Type: Number, Value: "1", Cached: true}}}},
		},
		{
			name:  "nothing after sheetData is read",
			sheet: `<row r="1"><c r="A1"><v>1</v></c></row></sheetData><<<`,
			want:  []row{{1, []Cell{{Col: 1, Type: Number, Value: "1", Cached: true}}}},
		},

		{name: "a mismatched end tag", sheet: `<row r="1"><c r="A1"><v>1</c></row>`, err: "xml syntax error: unexpected </c>"},
		{name: "text in an end tag", sheet: `<row r="1"><c r="A1"><v>1</v></c></row x>`, err: "xml syntax error on line 2: invalid characters between </row and >"},
		{
			name:  "a name with two colons",
			sheet: `<row r="1"><c r="A1"><v>1</v></c></row><x:c:d/>`,
			want:  []row{{1, []Cell{{Col: 1, Type: Number, Value: "1", Cached: true}}}},
			err:   "xml syntax error on line 2: expected element name after <",
		},
		{name: "a reference to U+0000", sheet: `<row r="1"><c r="A1"><v>&#0;</v></c></row>`, err: "xml syntax error on line 2: illegal character code U+0000"},
		{name: "a reference past U+10FFFF", sheet: `<row r="1"><c r="A1"><v>&#1114112;</v></c></row>`, err: "xml syntax error on line 2: invalid character entity &#1114112;"},
		{name: "a reference without digits", sheet: `<row r="1"><c r="A1"><v>&#x;</v></c></row>`, err: "xml syntax error on line 2: invalid character entity &#x;"},
		{name: "a hexadecimal reference with a capital X", sheet: `<row r="1"><c r="A1"><v>&#X41;</v></c></row>`, err: "xml syntax error on line 2: invalid character entity &# (no semicolon)"},
		{name: "an undefined entity", sheet: `<row r="1"><c r="A1"><v>&foo;</v></c></row>`, err: "xml syntax error on line 2: invalid character entity &foo;"},
		{name: "an entity without semicolon", sheet: `<row r="1"><c r="A1"><v>&amp</v></c></row>`, err: "xml syntax error on line 2: invalid character entity &amp (no semicolon)"},
		{name: "invalid UTF-8", sheet: "<row r=\"1\"><c r=\"A1\"><v>\xc3(</v></c></row>", err: "xml syntax error on line 2: invalid UTF-8"},
		{name: "U+FFFE", sheet: "<row r=\"1\"><c r=\"A1\"><v>\xef\xbf\xbe</v></c></row>", err: "xml syntax error on line 2: illegal character code U+FFFE"},
		{name: "a control character, with its line", sheet: "<row r=\"1\">\n<c r=\"A1\">\n<v>\x01</v></c></row>", err: "xml syntax error on line 4: illegal character code U+0001"},
		{name: "]]> in text", sheet: `<row r="1"><c r="A1"><v>]]></v></c></row>`, err: "xml syntax error on line 2: unescaped ]]> not in CDATA section"},
		{name: "an unquoted attribute value", sheet: `<row r="1"><c r="A1" t=s><v>1</v></c></row>`, err: "xml syntax error on line 2: unquoted or missing attribute value in element"},
		{name: "an attribute without value", sheet: `<row r="1"><c r="A1" t><v>1</v></c></row>`, err: "xml syntax error on line 2: attribute name without = in element"},
		{name: "< in an attribute value", sheet: `<row r="1"><c r="A<1"><v>1</v></c></row>`, err: "xml syntax error on line 2: unescaped < inside quoted string"},
		{name: "a broken empty-element tag", sheet: `<row r="1"><c r="A1"/ ><v>1</v></c></row>`, err: "xml syntax error on line 2: expected /> in element"},
		{name: "a name starting with a digit", sheet: `<row r="1"><1c/></row>`, err: "xml syntax error on line 2: invalid XML name: 1c"},
		{name: "a broken CDATA start", sheet: `<row r="1"><c r="A1"><v><![CDATX[1]]></v></c></row>`, err: "xml syntax error on line 2: invalid <![ sequence"},
		{name: "a broken comment start", sheet: `<row r="1"><c r="A1"><v><!- x --></v></c></row>`, err: "xml syntax error on line 2: invalid sequence <!- not part of <!--"},
		{name: "-- in a comment", sheet: `<row r="1"><c r="A1"><v><!-- a -- b --></v></c></row>`, err: `xml syntax error on line 2: invalid sequence "--" not allowed in comments`},
		{name: "a processing instruction without target", sheet: `<row r="1"><c r="A1"><v><? x ?></v></c></row>`, err: "xml syntax error on line 2: expected target name after <?"},
		{name: "an XML version other than 1.0", sheet: `<?xml version="1.1"?><worksheet/>`, err: `unsupported version "1.1"; only version 1.0 is supported`},
		{name: "an unknown encoding", sheet: `<?xml version="1.0" encoding="EBCDIC"?><worksheet/>`, err: `opening charset "EBCDIC": unsupported encoding "EBCDIC"`},
		{name: "the end inside text", sheet: `<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1"><v>1`, err: "xml ends inside <v>"},
		{name: "the end inside CDATA", sheet: `<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1"><v><![CDATA[1`, err: "xml syntax error on line 1: unexpected EOF in CDATA section"},
		{name: "the end inside an attribute value", sheet: `<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="`, err: "xml syntax error on line 1: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sheet := tt.sheet
			if !strings.HasPrefix(sheet, "<?") && !strings.HasPrefix(sheet, "\xff") {
				sheet = worksheet(sheet)
			}
			wb, err := openBytes(sheetPackage(t, sheet), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			check := func(how string, rows []row, err error) {
				t.Helper()
				if diff := cmp.Diff(tt.want, rows); diff != "" {
					t.Errorf("%s: rows (-want +got):\n%s", how, diff)
				}
				wantErr := ""
				if tt.err != "" {
					wantErr = "xlsx: corrupt: xl/worksheets/sheet1.xml: " + tt.err
				}
				if got := errString(err); got != wantErr {
					t.Errorf("%s: Err() = %q, want %q", how, got, wantErr)
				}
			}
			rows, err := readAll(t, wb, "S")
			check("whole", rows, err)
			for _, sizes := range chunkings {
				rows, err := readSheetInChunks(wb, sheet, sizes)
				check(fmt.Sprintf("in reads of %v bytes", sizes), rows, err)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FuzzSheetChunks checks that a worksheet reads the same however its
// bytes arrive: cut into small reads, every tag, name, entity and
// multi-byte character crosses a buffer boundary somewhere, which the
// scanner must handle like a tag that lies in one piece.
func FuzzSheetChunks(f *testing.F) {
	f.Add([]byte(worksheet(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>A1</f></c><c t="inlineStr"><is><r><t>x&amp;&#228;</t></r><rPh><t>y</t></rPh></is></c></row>`)), uint8(1))
	f.Add([]byte(`<x:worksheet xmlns:x="s"><x:sheetData><x:row><x:c r='B7' s="2"><x:v><![CDATA[1]]></x:v></x:c></x:row></x:sheetData></x:worksheet>`), uint8(3))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"latin1\"?><!DOCTYPE w [<!-- c -->]><worksheet><sheetData><row><c t=\"str\"><v>\xe4\r\n\xf6</v></c></row></sheetData></worksheet>"), uint8(2))
	f.Add([]byte("\xff\xfe<\x00w\x00/\x00>\x00"), uint8(1))
	f.Fuzz(func(t *testing.T, sheet []byte, chunk uint8) {
		wb, err := openBytes(sheetPackage(t, string(sheet)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		want, wantErr := readAll(t, wb, "S")
		got, err := readSheetInChunks(wb, string(sheet), []int{int(chunk%16) + 1, 1, int(chunk>>4) + 1})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows (-whole +chunked):\n%s", diff)
		}
		if errString(err) != errString(wantErr) {
			t.Errorf("Err() = %v in chunks, %v whole", err, wantErr)
		}
	})
}
