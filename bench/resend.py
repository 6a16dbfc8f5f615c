#!/usr/bin/env python3
"""A district sends a quarter again: SRC saved as DST by openpyxl (another
writer than grantpipe's), with one more line in its Sachbericht, N in it so
that each copy is a new file. The one-new-file measurement of issue 15
(BENCHMARKS.md) drops DST into the district's inbox.

    bench/resend.py SRC DST N

Needs Debian's python3-openpyxl.
"""
import sys

import openpyxl

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
wb = openpyxl.load_workbook(src)
for ws in wb.worksheets:
    if "Sach" in ws.title or "Bericht" in ws.title:
        ws.cell(row=ws.max_row + 1, column=1).value = "Nachtrag %d: eine weitere Zeile im Sachbericht." % n
        break
else:
    sys.exit("%s: no Sachbericht sheet among %s" % (src, [w.title for w in wb.worksheets]))
wb.save(dst)
