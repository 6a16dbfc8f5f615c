package form

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
)

// A check is the data validation of one column of a table sheet: what Excel
// and LibreOffice let a district type there, the hint shown while the cell
// is selected (form.hint_<field>) and the message shown when an entry is
// refused (form.check_<field>).
//
// The checks stop slips at the keyboard only: neither program checks a
// pasted value, so the reader checks everything again.
type check struct {
	sheet *Sheet
	field string
	// typ is the OOXML type: "list", "date", "decimal" or "whole".
	typ string
	// A list offers its items, or those of the range source.
	list   []string
	source string
	// A number or date check has an operator ("between", "notEqual",
	// "greaterThanOrEqual") and its bounds.
	op     string
	f1, f2 string
	style  excelize.DataValidationErrorStyle
}

// Excel refuses (and offers to repair) a workbook whose validation texts
// are longer than these, counted in UTF-16 code units.
const (
	maxCheckTitle = 32
	maxCheckText  = 255
)

// firstDay is 1 January 1900 as a serial day, the first day a workbook in
// the 1900 date system holds: ">= firstDay" means "a date".
const firstDay = 1

// serialDay is t as a serial day of the 1900 date system (the blank form
// uses it), for days after February 1900.
func serialDay(t time.Time) int {
	return int(t.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// checks lists the checks of the blank form for budget year year in lang.
//
// Bounds and styles follow SUBMISSION_FORMAT.md and FUNDING_RULES.md:
//   - payment and activity dates lie in the budget year (stop): only
//     payments in the year are eligible (PAYMENT_OUTSIDE_YEAR);
//   - an invoice date outside the year only warns: an invoice of December
//     paid in January is eligible, and no rule looks at the invoice date;
//   - a coordinator's start and end are any dates: employment may begin
//     years before the budget year and end after it;
//   - an amount is any number but 0: a negative one is a correction, 0 is
//     an AMOUNT error;
//   - FTE is above 0 and at most 1 (FTE); the lower bound 0.0001 stands for
//     "above 0", since a range check includes its bounds;
//   - a line number is a whole number from 1, a number of participants one
//     from 0;
//   - cost category, activity type, income type and the coordinator of a
//     staff cost line come from their lists (stop). The reader also takes
//     category codes ("PERS"); they can still be pasted;
//   - an income is received within the budget year (stop), as
//     PAYMENT_OUTSIDE_YEAR checks, and its amount is not 0 (a negative one
//     is a refund of earlier income).
func checks(y *programme.Year, year int, lang string) ([]check, error) {
	from := strconv.Itoa(serialDay(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)))
	to := strconv.Itoa(serialDay(time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)))
	stop, warning := excelize.DataValidationErrorStyleStop, excelize.DataValidationErrorStyleWarning
	var categories, types, incomeTypes []string
	for _, c := range y.Categories {
		categories = append(categories, pick(lang, c.NameDE, c.NameEN))
	}
	for _, a := range y.ActivityTypes {
		types = append(types, pick(lang, a.NameDE, a.NameEN))
	}
	for _, t := range y.IncomeTypes {
		incomeTypes = append(incomeTypes, pick(lang, t.NameDE, t.NameEN))
	}
	for _, n := range slices.Concat(categories, types, incomeTypes) {
		// An inline list has no way to quote its separator.
		if strings.Contains(n, ",") {
			return nil, fmt.Errorf("%q contains a comma, which a drop-down list cannot offer", n)
		}
	}
	ids := Coordinators.column(FCoordinatorID)
	return []check{
		{sheet: &Coordinators, field: FFTE, typ: "decimal", op: "between", f1: "0.0001", f2: "1", style: stop},
		{sheet: &Coordinators, field: FStart, typ: "date", op: "greaterThanOrEqual", f1: strconv.Itoa(firstDay), style: stop},
		{sheet: &Coordinators, field: FEnd, typ: "date", op: "greaterThanOrEqual", f1: strconv.Itoa(firstDay), style: stop},
		{sheet: &Receipts, field: FLineNo, typ: "whole", op: "greaterThanOrEqual", f1: "1", style: stop},
		{sheet: &Receipts, field: FCategory, typ: "list", list: categories, style: stop},
		{sheet: &Receipts, field: FInvoiceDate, typ: "date", op: "between", f1: from, f2: to, style: warning},
		{sheet: &Receipts, field: FPaymentDate, typ: "date", op: "between", f1: from, f2: to, style: stop},
		{sheet: &Receipts, field: FAmount, typ: "decimal", op: "notEqual", f1: "0", style: stop},
		{sheet: &Receipts, field: FCoordinator, typ: "list", style: stop,
			source: fmt.Sprintf("%s!$%s$%d:$%s$%d", quoteSheet(Coordinators.Name(lang)), ids, dataFirstRow, ids, validatedRows)},
		{sheet: &Income, field: FIncomeLineNo, typ: "whole", op: "greaterThanOrEqual", f1: "1", style: stop},
		{sheet: &Income, field: FIncomeType, typ: "list", list: incomeTypes, style: stop},
		{sheet: &Income, field: FReceivedDate, typ: "date", op: "between", f1: from, f2: to, style: stop},
		{sheet: &Income, field: FIncomeAmount, typ: "decimal", op: "notEqual", f1: "0", style: stop},
		{sheet: &Activities, field: FDate, typ: "date", op: "between", f1: from, f2: to, style: stop},
		{sheet: &Activities, field: FType, typ: "list", list: types, style: stop},
		{sheet: &Activities, field: FParticipants, typ: "whole", op: "greaterThanOrEqual", f1: "0", style: stop},
	}, nil
}

// addChecks adds the checks to the blank form for budget year year.
func (w *writer) addChecks(y *programme.Year, year int) {
	cs, err := checks(y, year, w.lang)
	if err != nil {
		w.do(err)
		return
	}
	args := messages.Args{
		"year":   strconv.Itoa(year),
		"from":   w.day(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)),
		"to":     w.day(time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)),
		"sheet":  Coordinators.Name(w.lang),
		"column": Coordinators.Field(FCoordinatorID).Label(w.lang),
	}
	for _, c := range cs {
		w.do(w.addCheck(c, args))
	}
}

func (w *writer) addCheck(c check, args messages.Args) error {
	title := c.sheet.Field(c.field).Label(w.lang)
	hint := w.cat.Text(w.lang, "form.hint_"+c.field, args)
	refusal := w.cat.Text(w.lang, "form.check_"+c.field, args)
	for _, t := range []struct {
		text string
		max  int
	}{{title, maxCheckTitle}, {hint, maxCheckText}, {refusal, maxCheckText}} {
		if n := len(utf16.Encode([]rune(t.text))); n > t.max {
			return fmt.Errorf("check of %s: %q is %d characters long, Excel takes at most %d", title, t.text, n, t.max)
		}
	}
	col := c.sheet.column(c.field)
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("%s%d:%s%d", col, dataFirstRow, col, validatedRows)
	switch {
	case c.typ != "list":
		dv.Type, dv.Operator, dv.Formula1, dv.Formula2 = c.typ, c.op, c.f1, c.f2
	case c.source != "":
		dv.SetSqrefDropList(c.source)
	default:
		if err := dv.SetDropList(c.list); err != nil {
			return fmt.Errorf("check of %s: %w", title, err)
		}
	}
	dv.SetInput(title, hint)
	dv.SetError(c.style, title, refusal)
	return w.f.AddDataValidation(c.sheet.Name(w.lang), dv)
}

// quoteSheet quotes a sheet name for a reference: 'Name'!A1.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// day is t as the form prints dates in w's language.
func (w *writer) day(t time.Time) string {
	if w.lang == "en" {
		return t.Format("2006-01-02")
	}
	return t.Format("02.01.2006")
}
