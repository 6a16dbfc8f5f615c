#!/usr/bin/env node
// The ExcelJS peer: the same reading and aggregation as bench/peer.py with
// the `exceljs` npm package, in one thread and with no database. Every
// workbook is read whole (Workbook.xlsx.readFile, the package's usual way);
// the Belegliste's columns are found by their header and the amounts summed
// per district and cost category.
//
// usage: NODE_PATH=…/node_modules node bench/exceljs.js INBOX
// prints: files, lines, seconds, lines/s and the grand total.
'use strict';
const fs = require('fs');
const path = require('path');
const ExcelJS = require('exceljs');

function workbooks(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...workbooks(p));
    else if (e.name.endsWith('.xlsx')) out.push(p);
  }
  return out.sort();
}

async function main() {
  const files = workbooks(process.argv[2]);
  const start = process.hrtime.bigint();
  const sums = new Map();
  let lines = 0;
  for (const f of files) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(f);
    let district = '';
    wb.getWorksheet('Meldung').eachRow((row) => {
      if (row.getCell(1).value === 'Kreisschlüssel') district = String(row.getCell(2).value);
    });
    const sheet = wb.getWorksheet('Belegliste');
    const col = {};
    sheet.getRow(1).eachCell((cell, n) => { col[cell.value] = n; });
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      lines++;
      const key = district + '\t' + row.getCell(col['Kostenart']).value;
      const amount = Number(row.getCell(col['Betrag']).value);
      sums.set(key, (sums.get(key) || 0) + (Number.isFinite(amount) ? amount : 0));
    });
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  let total = 0;
  for (const v of sums.values()) total += v;
  console.log(`files=${files.length} lines=${lines} seconds=${seconds.toFixed(2)} ` +
    `lines_per_s=${Math.round(lines / seconds)} total=${total.toFixed(2)}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
