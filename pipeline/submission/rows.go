package submission

import (
	"strconv"
	"strings"

	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
)

// require adds a FORMAT error when a required field of the row is empty and
// reports whether it is present.
func (cr cellReader) require(t tableRow, field string) bool {
	if t.cell(field) != nil {
		return true
	}
	cr.format(t.ref(field), "value.required", messages.Args{"field": t.sheet.Field(field).DE})
	return false
}

// textField reads a text field, requiring it when required is set.
func (cr cellReader) textField(t tableRow, field string, required bool) Value {
	v := t.value(field)
	if required && !cr.require(t, field) {
		return v
	}
	if c := t.cell(field); c != nil {
		v.Raw = cr.text(c, v.Cell)
	}
	return v
}

func (r *reader) coordinator(cr cellReader, t tableRow, seen map[string]int) {
	c := Coordinator{Place: Place{Sheet: cr.sheet, Row: t.no}}
	c.ID = cr.textField(t, form.FCoordinatorID, true)
	if c.ID.Raw != "" {
		key := form.Normalize(c.ID.Raw)
		if first, dup := seen[key]; dup {
			cr.format(c.ID.Cell, "coordinator.duplicate_id", messages.Args{"value": c.ID.Raw, "row": strconv.Itoa(first)})
		} else {
			seen[key] = t.no
		}
	}
	c.Post = cr.textField(t, form.FPost, false)
	c.FTE = t.value(form.FFTE)
	if cr.require(t, form.FFTE) {
		c.FTEValue = cr.decimal(t.cell(form.FFTE), c.FTE.Cell)
	}
	c.PayGrade = cr.textField(t, form.FPayGrade, true)
	if c.PayGrade.Raw != "" {
		if g, ok := normalizePayGrade(c.PayGrade.Raw); ok {
			c.Grade = g
		} else {
			cr.sub.add(RuleFormat, Warning, cr.sheet, c.PayGrade.Cell, "pay_grade.invalid", messages.Args{"value": c.PayGrade.Raw})
		}
	}
	c.Start = t.value(form.FStart)
	if cr.require(t, form.FStart) {
		c.StartAt = cr.date(t.cell(form.FStart), c.Start.Cell)
	}
	c.End = t.value(form.FEnd)
	if cell := t.cell(form.FEnd); cell != nil {
		c.EndAt = cr.date(cell, c.End.Cell)
	}
	r.sub.Coordinators = append(r.sub.Coordinators, c)
}

func (r *reader) receipt(cr cellReader, t tableRow) {
	rc := Receipt{Place: Place{Sheet: cr.sheet, Row: t.no}}
	rc.LineNo = t.value(form.FLineNo)
	if cr.require(t, form.FLineNo) {
		rc.Line = cr.integer(t.cell(form.FLineNo), rc.LineNo.Cell)
	}
	rc.Category = cr.textField(t, form.FCategory, true)
	if rc.Category.Raw != "" {
		// An unknown category is the CATEGORY rule's finding, not a reading problem.
		rc.CategoryCod = r.category(rc.Category.Raw)
	}
	rc.InvoiceDate = t.value(form.FInvoiceDate)
	if cr.require(t, form.FInvoiceDate) {
		rc.InvoiceAt = cr.date(t.cell(form.FInvoiceDate), rc.InvoiceDate.Cell)
	}
	rc.PaymentDate = t.value(form.FPaymentDate)
	if cr.require(t, form.FPaymentDate) {
		rc.PaymentAt = cr.date(t.cell(form.FPaymentDate), rc.PaymentDate.Cell)
	}
	rc.Payee = cr.textField(t, form.FPayee, true)
	rc.Purpose = cr.textField(t, form.FPurpose, true)
	rc.Amount = t.value(form.FAmount)
	if cr.require(t, form.FAmount) {
		rc.Cents = cr.amount(t.cell(form.FAmount), rc.Amount.Cell)
	}
	// Receipt number and coordinator may be empty: whether they must be set
	// depends on the category, which the rules RECEIPT_MISSING and
	// STAFF_WITHOUT_COORDINATOR check.
	rc.ReceiptNo = cr.textField(t, form.FReceiptNo, false)
	rc.Coordinator = cr.textField(t, form.FCoordinator, false)
	if r.sub.Receipts == nil {
		r.sub.Receipts = make([]Receipt, 0, max(r.rowsHint, 1))
	}
	r.sub.Receipts = append(r.sub.Receipts, rc)
}

func (r *reader) income(cr cellReader, t tableRow) {
	in := IncomeLine{Place: Place{Sheet: cr.sheet, Row: t.no}}
	v := t.value(form.FIncomeLineNo)
	in.LineNoRaw, in.LineNoCell = v.Raw, v.Cell
	if cr.require(t, form.FIncomeLineNo) {
		in.LineNo = cr.integer(t.cell(form.FIncomeLineNo), v.Cell)
	}
	v = cr.textField(t, form.FIncomeType, true)
	in.TypeRaw, in.TypeCell = v.Raw, v.Cell
	if v.Raw != "" {
		// An unknown type is the CATEGORY rule's finding, not a reading
		// problem, as for a receipt's cost category.
		if it, ok := r.year.IncomeType(v.Raw); ok {
			in.Type = it.Code
		}
	}
	v = t.value(form.FReceivedDate)
	in.DateRaw, in.DateCell = v.Raw, v.Cell
	if cr.require(t, form.FReceivedDate) {
		in.Date = cr.date(t.cell(form.FReceivedDate), v.Cell)
	}
	v = cr.textField(t, form.FSource, true)
	in.Source, in.SourceCell = v.Raw, v.Cell
	v = cr.textField(t, form.FIncomePurpose, true)
	in.Purpose, in.PurposeCell = v.Raw, v.Cell
	v = t.value(form.FIncomeAmount)
	in.AmountRaw, in.AmountCell = v.Raw, v.Cell
	if cr.require(t, form.FIncomeAmount) {
		in.Amount = cr.amount(t.cell(form.FIncomeAmount), v.Cell)
	}
	r.sub.Income = append(r.sub.Income, in)
}

func (r *reader) activity(cr cellReader, t tableRow) {
	a := Activity{Place: Place{Sheet: cr.sheet, Row: t.no}}
	a.Date = t.value(form.FDate)
	if cr.require(t, form.FDate) {
		a.At = cr.date(t.cell(form.FDate), a.Date.Cell)
	}
	a.Type = cr.textField(t, form.FType, true)
	if a.Type.Raw != "" {
		if at, ok := r.year.ActivityType(a.Type.Raw); ok {
			a.TypeCode = at.Code
		} else {
			var names []string
			for _, at := range r.year.ActivityTypes {
				names = append(names, "„"+at.NameDE+"“")
			}
			cr.format(a.Type.Cell, "activity.type_unknown", messages.Args{"value": a.Type.Raw, "valid": strings.Join(names, ", ")})
		}
	}
	a.Title = cr.textField(t, form.FTitle, true)
	a.Participants = t.value(form.FParticipants)
	if c := t.cell(form.FParticipants); c != nil {
		a.Count = cr.integer(c, a.Participants.Cell)
	}
	a.Partners = cr.textField(t, form.FPartners, false)
	r.sub.Activities = append(r.sub.Activities, a)
}

// narrative reads the free text of the Sachbericht sheet: the first non-empty
// text of each row is a paragraph. A first row that only repeats the sheet's
// title is the form's heading, not text.
func (r *reader) narrative(sheet string) {
	rows, err := r.wb.Rows(sheet)
	if err != nil {
		r.unreadableSheet(sheet, err)
		return
	}
	defer rows.Close()
	cr := r.cells(sheet)
	lines := 0
	for rows.Next() {
		cells := rows.Cells()
		c := &cells[0]
		ref := c.Ref(rows.Row())
		text := cr.text(c, ref)
		if r.tooManyErrors(sheet, rows.Row()) {
			return
		}
		if text == "" || (len(r.sub.Narrative) == 0 && form.Narrative.Matches(text)) {
			continue
		}
		if lines++; lines > r.opt.MaxLines {
			r.sub.reject(RuleFormat, sheet, "", "file.too_many_lines", messages.Args{"sheet": sheet, "limit": strconv.Itoa(r.opt.MaxLines)})
			return
		}
		r.sub.Narrative = append(r.sub.Narrative, Paragraph{Place: Place{Sheet: sheet, Row: rows.Row()}, Cell: ref, Text: text})
	}
	if err := rows.Err(); err != nil {
		r.unreadableSheet(sheet, err)
	}
}
