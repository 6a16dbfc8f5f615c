#!/usr/bin/python3
"""The peer: the same ingest and aggregation with pandas + openpyxl.

Reads every Belegliste of the submissions under INBOX (header in row 1, as
the form has it), turns the amounts into numbers, and sums them per
district and cost category: what an analyst would script by hand. It does
less than grantpipe (no provenance, no checks, no database, no findings),
so the comparison favours the peer.

usage: bench/peer.py INBOX
prints: files, lines, seconds, lines/s, and the grand total (to check both
        read the same data).
"""
import pathlib
import sys
import time

import pandas as pd


def main(inbox: str) -> None:
    files = sorted(pathlib.Path(inbox).rglob("*.xlsx"))
    start = time.perf_counter()
    frames = []
    for f in files:
        meta = pd.read_excel(f, sheet_name="Meldung", header=None, usecols="A:B", engine="openpyxl")
        district = str(meta.loc[meta[0] == "Kreisschlüssel", 1].iloc[0])
        df = pd.read_excel(f, sheet_name="Belegliste", engine="openpyxl")
        df["district"] = district
        frames.append(df[["district", "Kostenart", "Betrag"]])
    all_lines = pd.concat(frames, ignore_index=True)
    all_lines["Betrag"] = pd.to_numeric(all_lines["Betrag"], errors="coerce")
    by = all_lines.groupby(["district", "Kostenart"])["Betrag"].sum()
    seconds = time.perf_counter() - start
    print(f"files={len(files)} lines={len(all_lines)} seconds={seconds:.2f} "
          f"lines_per_s={len(all_lines) / seconds:.0f} total={by.sum():.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
