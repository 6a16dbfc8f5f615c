#!/usr/bin/env node
// The SheetJS peer: the same reading and aggregation as bench/peer.py with
// the `xlsx` npm package (SheetJS Community Edition), in one thread and with
// no database. Every workbook is read whole with the package's defaults, as
// a script would; then each Belegliste's rows become objects keyed by the
// header row and the amounts are summed per district and cost category.
//
// usage: NODE_PATH=…/node_modules node bench/sheetjs.js INBOX
// prints: files, lines, seconds, lines/s and the grand total (to check that
// every peer read the same data).
'use strict';
const fs = require('fs');
const path = require('path');
const XLSX = require('xlsx');

function workbooks(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...workbooks(p));
    else if (e.name.endsWith('.xlsx')) out.push(p);
  }
  return out.sort();
}

const files = workbooks(process.argv[2]);
const start = process.hrtime.bigint();
const sums = new Map();
let lines = 0;
for (const f of files) {
  const wb = XLSX.readFile(f);
  const meta = XLSX.utils.sheet_to_json(wb.Sheets['Meldung'], { header: 1 });
  const district = String(meta.find((r) => r[0] === 'Kreisschlüssel')[1]);
  for (const row of XLSX.utils.sheet_to_json(wb.Sheets['Belegliste'])) {
    lines++;
    const key = district + '\t' + row['Kostenart'];
    const amount = Number(row['Betrag']);
    sums.set(key, (sums.get(key) || 0) + (Number.isFinite(amount) ? amount : 0));
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
let total = 0;
for (const v of sums.values()) total += v;
console.log(`files=${files.length} lines=${lines} seconds=${seconds.toFixed(2)} ` +
  `lines_per_s=${Math.round(lines / seconds)} total=${total.toFixed(2)}`);
