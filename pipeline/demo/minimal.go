package demo

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
)

// Minimal is a small, correct quarter for one district: two coordinators,
// one staff cost line each, three other receipts, two activities and a
// short narrative, all dated inside the quarter. Tests start from it and
// change one thing.
func Minimal(d *programme.District, quarter int) form.Data {
	m := 3*(quarter-1) + 1
	day := func(month, dd int) time.Time { return date(Year, m+month, dd) }
	prefix := strings.ToUpper(datadir.FileSafe(d.Name))[:3]
	c1, c2 := prefix+"-1", prefix+"-2"
	return form.Data{
		Contact: "Anna Schröder", Email: "integration@" + strings.ToLower(datadir.FileSafe(d.Name)) + ".example",
		Coordinators: []form.Row{
			{form.FCoordinatorID: c1, form.FPost: "Stelle 1", form.FFTE: 1.0, form.FPayGrade: "E 11", form.FStart: date(2024, 3, 1)},
			{form.FCoordinatorID: c2, form.FPost: "Stelle 2", form.FFTE: 0.75, form.FPayGrade: "E 9b", form.FStart: date(2025, 1, 15)},
		},
		Receipts: []form.Row{
			{form.FLineNo: 1, form.FCategory: "Personalkosten", form.FInvoiceDate: day(0, 30), form.FPaymentDate: day(0, 30), form.FPayee: "Kreiskasse " + d.Name + " (Bezügestelle)", form.FPurpose: fmt.Sprintf("Entgelt %02d/%d %s", m, Year, c1), form.FAmount: money.Cents(472393), form.FCoordinator: c1},
			{form.FLineNo: 2, form.FCategory: "Personalkosten", form.FInvoiceDate: day(0, 30), form.FPaymentDate: day(0, 30), form.FPayee: "Kreiskasse " + d.Name + " (Bezügestelle)", form.FPurpose: fmt.Sprintf("Entgelt %02d/%d %s", m, Year, c2), form.FAmount: money.Cents(318750), form.FCoordinator: c2},
			{form.FLineNo: 3, form.FCategory: "Reisekosten", form.FInvoiceDate: day(1, 3), form.FPaymentDate: day(1, 10), form.FPayee: "Deutsche Bahn AG", form.FPurpose: "Fahrt zum Landesnetzwerktreffen Halle", form.FAmount: money.Cents(8940), form.FReceiptNo: fmt.Sprintf("R-%d-Q%d-0007", Year, quarter)},
			{form.FLineNo: 4, form.FCategory: "Dolmetsch- und Übersetzungsleistungen", form.FInvoiceDate: day(1, 20), form.FPaymentDate: day(2, 2), form.FPayee: "Dolmetscherdienst Özdemir", form.FPurpose: "Dolmetschen Arabisch – Elternabend", form.FAmount: money.Cents(24000), form.FReceiptNo: fmt.Sprintf("R-%d-Q%d-0012", Year, quarter)},
			{form.FLineNo: 5, form.FCategory: "SACH", form.FInvoiceDate: day(2, 11), form.FPaymentDate: day(2, 18), form.FPayee: "Müller Büroservice GmbH", form.FPurpose: "Büromaterial", form.FAmount: money.Cents(1250), form.FReceiptNo: fmt.Sprintf("R-%d-Q%d-0015", Year, quarter)},
		},
		Activities: []form.Row{
			{form.FDate: day(1, 12), form.FType: "Netzwerktreffen", form.FTitle: "Runder Tisch Migration " + d.Name, form.FParticipants: 23, form.FPartners: "Caritas, Jobcenter"},
			{form.FDate: day(2, 5), form.FType: "Schulung Verwaltung", form.FTitle: "Interkulturelle Öffnung – Workshop", form.FParticipants: 14},
		},
		Narrative: []string{"Im Quartal lag der Schwerpunkt auf der Netzwerkarbeit.", "Für das nächste Quartal ist ein Fachtag geplant."},
	}
}

// Workbook writes data into the blank form for d, year and quarter, lets
// edit change the workbook, and returns the file's bytes.
func Workbook(y *programme.Year, cat *messages.Catalog, lang string, p form.Prefill, data form.Data, edit func(f *form.File)) ([]byte, error) {
	f, err := form.Blank(y, cat, lang, p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := form.Fill(f, lang, data); err != nil {
		return nil, err
	}
	if edit != nil {
		edit(f)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return buf.Bytes(), nil
}
