package report

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"grantpipe/pipeline/messages"
)

// Reminder is a district whose submission for a quarter is missing after
// the deadline.
type Reminder struct {
	AGS, Name string
	Deadline  time.Time
	Status    string // "missing", or "rejected" when only rejected files arrived
}

// WriteReminders writes reminders/<period>_Erinnerung.pdf and .xlsx into dir:
// the districts with no accepted submission for d.Period after its
// deadline. d needs Period, Lang, AsOf and DataTime.
func WriteReminders(dir string, d *Data, missing []Reminder, cat *messages.Catalog) ([]Written, error) {
	base := filepath.Join(dir, "reminders", d.Period.Slug()+"_"+cat.Text(d.Lang, "report.reminder_file", nil))
	var written []Written
	for _, out := range []struct {
		ext    string
		render func(io.Writer) error
	}{
		{".pdf", func(w io.Writer) error { return writeReminderPDF(w, d, missing, cat) }},
		{".xlsx", func(w io.Writer) error { return writeReminderExcel(w, d, missing, cat) }},
	} {
		w, err := writeFile(base+out.ext, out.render)
		if err != nil {
			return written, fmt.Errorf("reminders %s: %w", filepath.Base(base+out.ext), err)
		}
		written = append(written, w)
	}
	return written, nil
}

func writeReminderPDF(out io.Writer, d *Data, missing []Reminder, cat *messages.Catalog) error {
	period := periodName(d.Period, cat, d.Lang)
	w, err := newDoc(context.Background(), d, cat, "P", cat.Text(d.Lang, "report.reminder_title", messages.Args{"period": period}), pageBound(len(missing)))
	if err != nil {
		return err
	}
	w.newPage()
	w.titleBlock(w.t("report.reminder_title", messages.Args{"period": period}),
		w.t("report.reminder_subtitle", messages.Args{"as_of": w.date(d.AsOf), "n": strconv.Itoa(len(missing))}))
	if len(missing) == 0 {
		w.paragraph(w.t("report.reminder_none", nil))
		return w.finish(out)
	}
	w.paragraph(w.t("report.reminder_intro", nil))
	var rows []row
	for _, m := range missing {
		rows = append(rows, row{cells: []string{m.AGS, m.Name, w.date(m.Deadline), w.status(m.Status)}})
	}
	w.table([]column{{w.t("report.col_ags", nil), 0.15, "L"}, {w.t("report.col_district", nil), 0.45, "L"},
		{w.t("report.col_deadline", nil), 0.2, "L"}, {w.t("report.col_status", nil), 0.2, "L"}}, rows)
	return w.finish(out)
}

func writeReminderExcel(out io.Writer, d *Data, missing []Reminder, cat *messages.Catalog) error {
	b := newExcelBook(d, cat)
	defer b.close()
	b.title = cat.Text(b.lang, "report.reminder_title", messages.Args{"period": periodName(d.Period, cat, b.lang)})
	s := b.newSheet("reminders", b.col("ags", 10, false), b.col("district", 32, true), b.col("deadline", 14, false), b.col("status", 16, false))
	for _, m := range missing {
		deadline := m.Deadline
		s.add(xlText(m.AGS), xlText(m.Name), xlDate(&deadline), xlText(b.status(m.Status)))
	}
	s.finish()
	return b.write(out)
}
