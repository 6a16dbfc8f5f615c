package report

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// BenchmarkBeleglistePDF renders the annual PDF of a district with n
// receipts made up here, without a database: the Belegliste is most of a
// large district's report (see BenchmarkDistrictReportParts for one made
// from ingested data), and none at all is what every document costs (a
// quarterly report has no Belegliste). 0 and 2,000 receipts at CI's size;
// with GRANTPIPE_BENCH=full also 8,000 and 20,000 (a district's year at
// 2,000 and 5,000 lines a quarter).
func BenchmarkBeleglistePDF(b *testing.B) {
	sizes := []int{0, 2000}
	if os.Getenv("GRANTPIPE_BENCH") == "full" {
		sizes = append(sizes, 8000, 20000)
	}
	cat, err := messages.Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range sizes {
		d, dist := benchReceipts(n)
		b.Run(strconv.Itoa(n)+"receipts", func(b *testing.B) {
			var size int
			start := cpuNow(b)
			for range b.N {
				var buf bytes.Buffer
				if err := WriteDistrictPDF(&buf, d, dist, cat); err != nil {
					b.Fatal(err)
				}
				size = buf.Len()
			}
			b.ReportMetric(float64((cpuNow(b)-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(size), "bytes/pdf")
		})
	}
}

// cpuNow is the CPU time (user and system) the process has taken: on a
// shared machine it varies much less than the wall time.
func cpuNow(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchReceipts is the annual test data with Börde's receipts replaced by
// n receipts in three categories, the texts varied as a district's are.
func benchReceipts(n int) (*Data, *District) {
	d := excelTestData("de")
	d.Period = Period{Year: 2026}
	dist := &d.Districts[0]
	payees := []string{"Landkreis Börde, Personalamt", "Hotel Fürstenhof", "Druckerei Müller & Söhne",
		"Deutsche Bahn AG", "Stadtwerke Haldensleben GmbH", "Verein für Jugendhilfe und Prävention im ländlichen Raum e. V."}
	purposes := []string{"Entgelt Koordinierungskraft", "Übernachtung Fachtag „Prävention“", "Flyer und Plakate",
		"Fahrkarten Fortbildung", "Raummiete Elternabend", "Honorar für die Sprachmittlung bei Elternabenden in Kitas und Grundschulen"}
	cats := []struct{ code, raw string }{{"PERS", "Personal"}, {"SACH", "Sachausgaben"}, {"FORT", "Fortbildung"}}
	dist.Receipts = make([]Receipt, n)
	for i := range dist.Receipts {
		c := cats[i*len(cats)/n]
		day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*365/n)
		amount := money.Cents(1000 + i*7919%500_000)
		dist.Receipts[i] = Receipt{Quarter: 1 + i*4/n, Category: c.code, CategoryRaw: c.raw, InvoiceDate: &day, PaymentDate: &day,
			Payee: payees[i%len(payees)], Purpose: purposes[i*7%len(purposes)], Amount: &amount,
			ReceiptNo: "B-" + strconv.Itoa(i+1), Coordinator: "K-01", Eligible: i%17 != 0,
			File: "15083_2026_Q1.xlsx", Sheet: "Belegliste", Cell: "G" + strconv.Itoa(5+i%(n/4+1)), SubmissionID: 11}
	}
	return d, dist
}
