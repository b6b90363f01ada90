#!/usr/bin/env bash
# Compares Twofold's QR decoder with zxing-cpp, the reference decoder, on the same corpus in the
# same run (issue 4), and prints one row each plus the time ratio:
#
#   twofold:   decoded N/T (ASCII payloads A/B); decode ms median M p95 P max X (file); load ms …
#   zxing-cpp: decoded N/T (ASCII payloads A/B); decode ms median M p95 P max X (file); load ms …
#   ratio:     zxing-cpp median decode / twofold median decode = R (> 1: Twofold is faster)
#
# Usage: scripts/qr-bench.sh [CORPUS_DIR…] [--verbose]
#   CORPUS_DIR  a directory with manifest.tsv (file, expected_text, …; see
#               ../shared/qr-corpus/README.md) and the images; default both shared sets,
#               ../shared/qr-corpus (screenshots) and ../shared/qr-photos (real photos)
#   --verbose   also list every image a decoder missed
#
# Twofold runs as `cargo bench -p twofold-core --bench qr` (release profile). zxing-cpp runs from
# its PyPI wheel with Pillow, installed on first use into a venv at target/qr-venv. Both sides
# time the same two steps: "load" reads the file and decodes it to 8-bit grayscale, "decode" is
# the QR search on those pixels alone, the median of 3 runs per image. A hit is a decoded text
# equal to the expected one (CRLF compared as LF); "ASCII payloads" counts the hits on the
# payloads that are plain ASCII, the figure qr-photos/README.md quotes.
# Figures only: this script never fails on a decode rate or a time (the rate gate is
# `cargo test -p twofold-core --test tests qr::decodes_whole_corpus`).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

corpora=()
verbose=0
for arg in "$@"; do
	case "$arg" in
	--verbose | -v) verbose=1 ;;
	-h | --help)
		sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "qr-bench: unknown option $arg" >&2
		exit 2
		;;
	*) corpora+=("$arg") ;;
	esac
done
# By default both shared sets: screenshots of 2FA pages, and real photos (issue 12).
[ "${#corpora[@]}" -gt 0 ] || corpora=("$ROOT/../shared/qr-corpus" "$ROOT/../shared/qr-photos")
for corpus in "${corpora[@]}"; do
	if [ ! -f "$corpus/manifest.tsv" ]; then
		echo "qr-bench: no manifest.tsv in $corpus" >&2
		exit 2
	fi
done

# zxing-cpp 3.x is the version the issue's figures come from; Pillow reads the images.
venv="$ROOT/target/qr-venv"
if ! "$venv/bin/python" -c 'import zxingcpp, PIL' 2>/dev/null; then
	echo "qr-bench: installing zxing-cpp and Pillow into $venv" >&2
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet --disable-pip-version-check 'zxing-cpp>=3,<4' 'Pillow>=10'
fi

version="$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("zxing-cpp"))')"

# One corpus: both decoders, then the rows and the ratio.
bench_corpus() {
	local corpus ours_out theirs_out ours theirs
	corpus="$(cd "$1" && pwd)"
	bench_args=("$corpus")
	[ "$verbose" = 1 ] && bench_args+=(--verbose)
	ours_out="$(cargo bench --quiet -p twofold-core --bench qr -- "${bench_args[@]}")"

	# Our own harness for zxing-cpp, the same measurement as crates/core/benches/qr.rs.
	theirs_out="$(
		QR_VERBOSE="$verbose" "$venv/bin/python" - "$corpus" <<'PY'
import os
import sys
import time

import zxingcpp
from PIL import Image


def unescape(text):
    """Reverses the manifest escaping: \\\\, \\t, \\n, \\r, \\xHH."""
    out = bytearray()
    raw = text.encode("utf-8")
    i = 0
    simple = {ord("\\"): b"\\", ord("t"): b"\t", ord("n"): b"\n", ord("r"): b"\r"}
    while i < len(raw):
        if raw[i] == ord("\\") and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt == ord("x") and i + 3 < len(raw):
                out.append(int(raw[i + 2 : i + 4], 16))
                i += 4
                continue
            out += simple.get(nxt, bytes([ord("\\"), nxt]))
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return out.decode("utf-8", "replace")


def percentile(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    return sorted_ms[round((len(sorted_ms) - 1) * p)]


REPEAT = 3
corpus = sys.argv[1]
verbose = os.environ.get("QR_VERBOSE") == "1"
with open(os.path.join(corpus, "manifest.tsv"), encoding="utf-8") as f:
    rows = [line.rstrip("\n").split("\t") for line in f][1:]
hits, loads, decodes = 0, [], []
ascii_hits, ascii_total = 0, 0
slowest = (0.0, "")
for cols in rows:
    if len(cols) < 2:
        continue
    # CRLF compares as LF (qr-photos/README.md).
    name, expected = cols[0], unescape(cols[1]).replace("\r\n", "\n")
    ascii = expected.isascii()
    ascii_total += ascii
    t0 = time.perf_counter()
    with Image.open(os.path.join(corpus, name)) as im:
        gray = im.convert("L")
    t1 = time.perf_counter()
    # As the Rust side: REPEAT decodes of each image, its median time kept.
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        found = zxingcpp.read_barcodes(gray)
        times.append((time.perf_counter() - start) * 1e3)
    took = sorted(times)[REPEAT // 2]
    loads.append((t1 - t0) * 1e3)
    decodes.append(took)
    slowest = max(slowest, (took, name))
    if any(r.text.replace("\r\n", "\n") == expected for r in found):
        hits += 1
        ascii_hits += ascii
    elif verbose:
        print(f"MISS {name} {took:.1f} ms {len(found)} found")
loads.sort()
decodes.sort()
print(
    f"zxing-cpp: decoded {hits}/{len(loads)} (ASCII payloads {ascii_hits}/{ascii_total}); decode ms median {percentile(decodes, 0.5):.1f} "
    f"p95 {percentile(decodes, 0.95):.1f} max {slowest[0]:.1f} ({slowest[1]}); "
    f"load ms median {percentile(loads, 0.5):.1f} p95 {percentile(loads, 0.95):.1f}"
)
PY
	)"

	echo "corpus: $corpus"
	echo "$ours_out" | grep '^MISS' | sed 's/^/twofold   /' || true
	echo "$theirs_out" | grep '^MISS' | sed 's/^/zxing-cpp /' || true
	ours="$(echo "$ours_out" | grep '^twofold:')"
	theirs="$(echo "$theirs_out" | grep '^zxing-cpp:')"
	printf '%s\n%s (zxing-cpp %s)\n' "$ours" "$theirs" "$version"
	median() { sed -n 's/.*decode ms median \([0-9.]*\).*/\1/p' <<<"$1"; }
	awk -v a="$(median "$theirs")" -v b="$(median "$ours")" 'BEGIN {
		if (b > 0) printf "ratio: zxing-cpp median decode / twofold median decode = %.2f (> 1: Twofold is faster)\n", a / b
	}'
}

for corpus in "${corpora[@]}"; do
	bench_corpus "$corpus"
done
