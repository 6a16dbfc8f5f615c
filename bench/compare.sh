#!/usr/bin/env bash
# Side by side, in one run, over the same files: grantpipe's ingest (file to
# committed rows, with every check of the reader) against the pandas peer.
#
#   bench/compare.sh [DISTRICTS] [QUARTERS] [LINES]     default 14 4 5000
#
# Needs Debian's python3-pandas and python3-openpyxl.
set -euo pipefail
cd "$(dirname "$0")/.."
districts=${1:-14} quarters=${2:-4} lines=${3:-5000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/grantpipe" ./cmd/grantpipe
"$work/grantpipe" demo --data "$work/src" --districts "$districts" --quarters "$quarters" --lines "$lines" >/dev/null
cp -a "$work/src" "$work/gp"
echo "data: $districts districts × $quarters quarters × $lines lines"
start=$(date +%s.%N)
"$work/grantpipe" ingest --data "$work/gp" >/dev/null
end=$(date +%s.%N)
total=$((districts * quarters * lines))
awk -v s="$start" -v e="$end" -v n="$total" 'BEGIN { printf "grantpipe ingest: lines=%d seconds=%.2f lines_per_s=%.0f\n", n, e - s, n / (e - s) }'
/usr/bin/python3 bench/peer.py "$work/src/inbox" | sed 's/^/pandas peer:      /'
