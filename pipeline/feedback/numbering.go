package feedback

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"grantpipe/pipeline/xlsx"
)

// How the comments of a workbook are numbered for excelize.
//
// A worksheet's comments live in two parts: the comments themselves
// (xl/commentsN.xml) and the drawing of their boxes (a VML drawing,
// xl/drawings/vmlDrawingN.vml), both named in the sheet's relationships.
// excelize assumes more than the format says: that a sheet's comments part
// has the number of its VML drawing, and that a sheet without comments may
// take the number after the count of comments parts in the package.
// Excel's own numbering mostly fits; LibreOffice's does not: it numbers
// comments parts after the sheet's position and VML drawings in sequence
// (the receipts sheet's comments4.xml beside vmlDrawing1.vml), and excelize
// then writes a sheet's comments into another sheet's part.
//
// So before excelize sees the package, the comments parts and VML drawings
// of the worksheets are renamed the way excelize expects: the sheets with
// comments, in workbook order, get 1, 2, 3 … for both parts, the numbers
// excelize will give sheets that get their first comment come next, and
// any other VML drawing (form controls, pictures of a header) a number
// after those. The sheets' relationships and the content types are patched
// to the new names; the parts themselves are copied as they are (renamed
// placeholders stay placeholders). A package that cannot be numbered so
// (a comments part without a drawing on a sheet to mark, parts shared by
// two sheets, a drawing outside xl/drawings with relationships of its own)
// is left as it is when none of it is on a sheet to mark, and otherwise
// gets the list of findings alone.

// renumbering is what renumber decided.
type renumbering struct {
	// rename gives entries their new names.
	rename map[*zip.File]string
	// targets gives, per relationships entry, the new target of each
	// relationship (by id) that leads to a renamed part.
	targets map[*zip.File]map[string]string
	// partNames maps the content types' part names ("/xl/comments4.xml",
	// lower case) to the new ones.
	partNames map[string]string
}

// sheetNotes are the comments parts and VML drawings of one worksheet.
type sheetNotes struct {
	sheet    xlsx.SheetPart
	marked   bool
	rels     *zip.File
	comments []xlsx.Relationship
	vml      []xlsx.Relationship
	legacy   int // index into vml of the drawing of the comments' boxes; -1: none
}

const (
	commentsDir = "xl/"
	drawingsDir = "xl/drawings/"
)

func commentsName(n int) string { return fmt.Sprintf("%scomments%d.xml", commentsDir, n) }
func vmlName(n int) string      { return fmt.Sprintf("%svmlDrawing%d.vml", drawingsDir, n) }

// renumber decides the new names of the comments parts and VML drawings of
// the worksheets of wb; marked are the sheets excelize parses.
func renumber(wb *xlsx.Workbook, worksheets []xlsx.SheetPart, marked map[string]bool) (*renumbering, *Failure) {
	var notes []*sheetNotes
	owners := map[*zip.File]int{}
	for _, s := range worksheets {
		rels := wb.Entry(relsOf(s.Part))
		if rels == nil {
			continue
		}
		if rels.UncompressedSize64 > maxRelsScan {
			if marked[s.Name] {
				return nil, tooLarge("the relationships of sheet %q declare %s, limit %s", s.Name, size(rels.UncompressedSize64), size(maxRelsScan))
			}
			continue
		}
		list, err := wb.Relationships(s.Part)
		if err != nil {
			if marked[s.Name] {
				return nil, unreadable(err)
			}
			continue
		}
		n := &sheetNotes{sheet: s, marked: marked[s.Name], rels: rels, legacy: -1}
		for _, r := range list {
			switch {
			case r.Part == "" || r.External:
			case relKind(r.Type, "comments"):
				n.comments = append(n.comments, r)
			case relKind(r.Type, "vmlDrawing"):
				n.vml = append(n.vml, r)
			}
		}
		if len(n.comments) == 0 && len(n.vml) == 0 {
			continue
		}
		for _, r := range append(append([]xlsx.Relationship(nil), n.comments...), n.vml...) {
			owners[wb.Entry(r.Part)]++
		}
		notes = append(notes, n)
	}

	// Which sheets can be renumbered; a sheet that cannot keeps its names,
	// which are then taken.
	var fail *Failure
	usable := func(n *sheetNotes) bool {
		bad := func(format string, args ...any) bool {
			if n.marked && fail == nil {
				fail = unreadable(fmt.Errorf("sheet %q: "+format, append([]any{n.sheet.Name}, args...)...))
			}
			return false
		}
		if len(n.comments) > 1 {
			return bad("%d comments parts", len(n.comments))
		}
		for _, r := range append(append([]xlsx.Relationship(nil), n.comments...), n.vml...) {
			if owners[wb.Entry(r.Part)] > 1 {
				return bad("part %s belongs to more than one sheet", r.Part)
			}
		}
		for _, r := range n.vml {
			if !strings.EqualFold(path.Dir(r.Part)+"/", drawingsDir) && wb.Entry(relsOf(r.Part)) != nil {
				return bad("drawing %s has relationships outside %s", r.Part, drawingsDir)
			}
		}
		switch {
		case len(n.vml) == 1:
			n.legacy = 0
		case len(n.vml) > 1 && n.marked:
			id := legacyDrawingID(wb.Entry(n.sheet.Part))
			for i, r := range n.vml {
				if r.ID == id {
					n.legacy = i
				}
			}
		}
		if n.marked && len(n.comments) == 1 && n.legacy < 0 {
			return bad("comments without a drawing of their boxes")
		}
		return true
	}
	var todo []*sheetNotes
	for _, n := range notes {
		if usable(n) {
			todo = append(todo, n)
		}
	}
	if fail != nil {
		return nil, fail
	}

	// The names that stay: every entry but the parts renamed here.
	moving := map[*zip.File]bool{}
	for _, n := range todo {
		for _, r := range append(append([]xlsx.Relationship(nil), n.comments...), n.vml...) {
			e := wb.Entry(r.Part)
			moving[e] = true
			if rr := wb.Entry(relsOf(r.Part)); rr != nil {
				moving[rr] = true
			}
		}
	}
	taken := map[string]bool{}
	orphans := 0
	for _, e := range wb.Entries() {
		if !moving[e] {
			taken[strings.ToLower(excelizeName(e.Name))] = true
			if strings.Contains(excelizeName(e.Name), "xl/comments") {
				orphans++
			}
		}
	}
	free := func(n int) bool {
		return !taken[strings.ToLower(commentsName(n))] && !taken[strings.ToLower(vmlName(n))] &&
			!taken[strings.ToLower(relsOf(vmlName(n)))]
	}
	take := func(n int) {
		taken[strings.ToLower(commentsName(n))] = true
		taken[strings.ToLower(vmlName(n))] = true
		taken[strings.ToLower(relsOf(vmlName(n)))] = true
	}
	rn := &renumbering{rename: map[*zip.File]string{}, targets: map[*zip.File]map[string]string{}, partNames: map[string]string{}}
	move := func(n *sheetNotes, r xlsx.Relationship, to string) {
		e := wb.Entry(r.Part)
		if excelizeName(e.Name) != to {
			rn.rename[e] = to
			rn.partNames["/"+strings.ToLower(excelizeName(e.Name))] = "/" + to
			if rr := wb.Entry(relsOf(r.Part)); rr != nil {
				rn.rename[rr] = relsOf(to)
			}
		}
		if r.Target != relTarget(n.sheet.Part, to) {
			if rn.targets[n.rels] == nil {
				rn.targets[n.rels] = map[string]string{}
			}
			rn.targets[n.rels][r.ID] = relTarget(n.sheet.Part, to)
		}
	}
	next := 1
	number := func() int {
		for !free(next) {
			next++
		}
		take(next)
		return next
	}
	// The sheets with comments first, in workbook order.
	withComments := 0
	for _, n := range todo {
		if len(n.comments) == 0 {
			continue
		}
		k := number()
		withComments++
		move(n, n.comments[0], commentsName(k))
		if n.legacy >= 0 {
			move(n, n.vml[n.legacy], vmlName(k))
		}
	}
	// excelize numbers the comments of a sheet that has none yet after the
	// count of comments parts, one sheet after another: keep those free.
	fresh := 0
	for _, s := range worksheets {
		if !marked[s.Name] {
			continue
		}
		has := false
		for _, n := range notes {
			if n.sheet.Name == s.Name && (len(n.comments) > 0 || n.legacy >= 0) {
				has = true
			}
		}
		if !has {
			fresh++
		}
	}
	for k := withComments + orphans + 1; k <= withComments+orphans+fresh; k++ {
		if !free(k) {
			return nil, unreadable(fmt.Errorf("the name %s, which new comments would take, is in use", commentsName(k)))
		}
		take(k)
	}
	// Then the drawings of boxes on sheets without comments so far (each
	// gets comments of that number), and every other drawing.
	for _, n := range todo {
		for i, r := range n.vml {
			if len(n.comments) > 0 && i == n.legacy {
				continue
			}
			move(n, r, vmlName(number()))
		}
	}
	return rn, nil
}

// relTarget is the relationship target from the part from to the part to,
// relative as Office writes it ("../comments1.xml").
func relTarget(from, to string) string {
	a := strings.Split(path.Dir("/"+from), "/")[1:]
	b := strings.Split("/"+to, "/")[1:]
	if len(a) == 1 && a[0] == "" {
		a = nil
	}
	i := 0
	for i < len(a) && i < len(b)-1 && strings.EqualFold(a[i], b[i]) {
		i++
	}
	return strings.Repeat("../", len(a)-i) + strings.Join(b[i:], "/")
}

// legacyDrawingID returns the relationship id of a worksheet's
// legacyDrawing element (the VML drawing of its comments' boxes), reading
// the sheet as a stream up to that element.
func legacyDrawingID(e *zip.File) string {
	if e == nil {
		return ""
	}
	rc, err := e.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, maxParsedBytes))
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return ""
		}
		if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "legacyDrawing" {
			for _, a := range t.Attr {
				if a.Name.Local == "id" {
					return a.Value
				}
			}
			return ""
		}
	}
}

var (
	relationshipTag = regexp.MustCompile(`<([A-Za-z_][\w.-]*:)?Relationship\s[^>]*>`)
	idAttr          = regexp.MustCompile(`\sId\s*=\s*("[^"]*"|'[^']*')`)
	targetAttr      = regexp.MustCompile(`(\sTarget\s*=\s*)("[^"]*"|'[^']*')`)
	partNameAttr    = regexp.MustCompile(`(\sPartName\s*=\s*)("[^"]*"|'[^']*')`)
)

// patchTargets sets the Target of the relationships of a relationships
// part whose ids are in targets.
func patchTargets(data []byte, targets map[string]string) []byte {
	return relationshipTag.ReplaceAllFunc(data, func(tag []byte) []byte {
		m := idAttr.FindSubmatch(tag)
		if m == nil {
			return tag
		}
		to, ok := targets[string(m[1][1:len(m[1])-1])]
		if !ok {
			return tag
		}
		return targetAttr.ReplaceAllFunc(tag, func(attr []byte) []byte {
			a := targetAttr.FindSubmatch(attr)
			return append(append([]byte{}, a[1]...), `"`+to+`"`...)
		})
	})
}

// patchPartNames renames the parts of the content types' overrides.
func patchPartNames(data []byte, names map[string]string) []byte {
	if len(names) == 0 {
		return data
	}
	return partNameAttr.ReplaceAllFunc(data, func(attr []byte) []byte {
		a := partNameAttr.FindSubmatch(attr)
		to, ok := names[strings.ToLower(string(a[2][1:len(a[2])-1]))]
		if !ok {
			return attr
		}
		return append(append([]byte{}, a[1]...), `"`+to+`"`...)
	})
}
