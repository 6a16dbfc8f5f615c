#!/usr/bin/env bash
# Side by side, in one run, over the same files: grantpipe's ingest (file to
# committed rows, with every check of the reader, on every core) against the
# readers a district's analyst could use instead, each reading the same
# workbooks and summing the amounts per district and cost category:
#
#   grantpipe   grantpipe ingest into a fresh copy of the data directory
#   excelize    excelize's raw streaming rows of every sheet (bench/excelize-raw)
#   sheetjs     SheetJS, the `xlsx` npm package, with node (bench/sheetjs.js)
#   exceljs     ExcelJS with node (bench/exceljs.js)
#   pandas      pandas + openpyxl (bench/peer.py)
#
#   bench/compare.sh [DISTRICTS] [QUARTERS] [LINES]     default 14 4 5000
#
# The default is the measurement of issue 15: 56 files, 280,000 lines.
# The machine may be shared, so absolute times drift: the readers run in
# rounds, each round every reader once in a rotating order, and each peer's
# time is compared with grantpipe's of the same round. Every run is a fresh
# process; its wall time and its CPU time (user + system, every thread) come
# from /usr/bin/time.
#
# Environment:
#   ROUNDS=3                 rounds
#   PEERS="grantpipe excelize sheetjs exceljs pandas"   the readers, in order
#   BASELINE=<commit>        also run grantpipe as of that commit ("baseline"),
#                            built from `git archive`: before/after in one run
#   BENCH_CACHE=~/.cache/grantpipe-bench   where the npm packages are
#                            installed (once; never into the repository)
#
# Needs Go, /usr/bin/time, Debian's python3-pandas and python3-openpyxl, and
# node with npm for the JavaScript peers (npm reaches the registry once).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
districts=${1:-14} quarters=${2:-4} lines=${3:-5000}
rounds=${ROUNDS:-3}
peers=${PEERS:-grantpipe excelize sheetjs exceljs pandas}
cache=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/grantpipe-bench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/grantpipe" ./cmd/grantpipe
go build -o "$work/excelize-raw" ./bench/excelize-raw
if [[ -n ${BASELINE:-} ]]; then
	mkdir "$work/base"
	git archive "$BASELINE" | tar -x -C "$work/base"
	(cd "$work/base" && go build -o "$work/baseline" ./cmd/grantpipe)
	peers="grantpipe baseline ${peers#grantpipe }"
fi
if [[ " $peers " == *" sheetjs "* || " $peers " == *" exceljs "* ]]; then
	# Pinned: the figures name these versions.
	if [[ ! -d $cache/node/node_modules/xlsx || ! -d $cache/node/node_modules/exceljs ]]; then
		npm install --silent --no-audit --no-fund --prefix "$cache/node" xlsx@0.18.5 exceljs@4.4.0 >&2
	fi
	export NODE_PATH=$cache/node/node_modules
fi

"$work/grantpipe" demo --data "$work/src" --districts "$districts" --quarters "$quarters" --lines "$lines" >/dev/null
total=$((districts * quarters * lines))
echo "data: $districts districts × $quarters quarters × $lines lines = $total lines in $(find "$work/src/inbox" -name '*.xlsx' | wc -l) files; $rounds rounds; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $(go version | cut -d' ' -f3), node $(node --version 2>/dev/null || echo -), xlsx 0.18.5, exceljs 4.4.0, pandas $(/usr/bin/python3 -c 'import pandas; print(pandas.__version__)' 2>/dev/null || echo -), openpyxl $(/usr/bin/python3 -c 'import openpyxl; print(openpyxl.__version__)' 2>/dev/null || echo -)"

# run PEER ROUND: one timed run; appends "round peer wall cpu" to results.
run() {
	local peer=$1 round=$2 out=$work/out.$1.$2
	local cmd
	case $peer in
	grantpipe | baseline)
		rm -rf "$work/gp" && cp -a "$work/src" "$work/gp"
		cmd=("$work/$peer" ingest --data "$work/gp" --json) ;;
	excelize) cmd=("$work/excelize-raw" "$work/src/inbox") ;;
	sheetjs) cmd=(node bench/sheetjs.js "$work/src/inbox") ;;
	exceljs) cmd=(node bench/exceljs.js "$work/src/inbox") ;;
	pandas) cmd=(/usr/bin/python3 bench/peer.py "$work/src/inbox") ;;
	*) echo "unknown peer $peer" >&2; exit 2 ;;
	esac
	/usr/bin/time -f '%e %U %S' -o "$work/time" "${cmd[@]}" >"$out"
	read -r wall user sys <"$work/time"
	local cpu
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	local what
	case $peer in
	grantpipe | baseline)
		what=$(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
lines = sum(f["lines"] for f in r["files"])
total = sum(float(v) for f in r["files"] for v in f["amount_by_category"].values())
print("accepted=%d rejected=%d lines=%d total=%.2f" % (r["accepted"], r["rejected"], lines, total))' "$out") ;;
	*) what=$(cat "$out") ;;
	esac
	printf 'round %d  %-9s wall %6.2f s  cpu %6.2f s   %s\n' "$round" "$peer" "$wall" "$cpu" "$what"
	echo "$round $peer $wall $cpu" >>"$work/results"
}

read -ra list <<<"$peers"
for ((r = 1; r <= rounds; r++)); do
	# Rotate the order so that no reader always runs first or last.
	n=${#list[@]}
	for ((i = 0; i < n; i++)); do
		run "${list[(i + r - 1) % n]}" "$r"
	done
done

echo
echo "| reader | wall s | CPU s | lines/s (wall) | wall ÷ grantpipe's | CPU ÷ grantpipe's |"
echo "|---|---|---|---|---|---|"
awk -v total="$total" -v order="$peers" '
	{ w[$2, $1] = $3; c[$2, $1] = $4; rs[$1] = 1 }
	function range(lo, hi, f) { return lo == hi ? sprintf(f, lo) : sprintf(f "–" f, lo, hi) }
	END {
		n = split(order, ps, " ")
		for (i = 1; i <= n; i++) {
			p = ps[i]; first = 1
			for (r in rs) {
				if (!((p, r) in w)) continue
				rw = w[p, r] / w["grantpipe", r]; rc = c[p, r] / c["grantpipe", r]
				if (first) { wl = wh = w[p, r]; cl = ch = c[p, r]; rwl = rwh = rw; rcl = rch = rc; first = 0 }
				if (w[p, r] < wl) wl = w[p, r]; if (w[p, r] > wh) wh = w[p, r]
				if (c[p, r] < cl) cl = c[p, r]; if (c[p, r] > ch) ch = c[p, r]
				if (rw < rwl) rwl = rw; if (rw > rwh) rwh = rw
				if (rc < rcl) rcl = rc; if (rc > rch) rch = rc
			}
			if (first) continue
			printf "| %s | %s | %s | %s | %s | %s |\n", p, range(wl, wh, "%.2f"), range(cl, ch, "%.2f"),
				range(total / wh, total / wl, "%.0f"), range(rwl, rwh, "%.2f×"), range(rcl, rch, "%.2f×")
		}
	}' "$work/results"
