#!/usr/bin/env bash
# Renders a temper HTML report in headless Chromium (Debian's `chromium` package) to a PNG and
# fails if the page is blank or a chart is missing: each chart must be in the page and its own
# bar colour must show up in the screenshot.
# Usage: Scripts/check-report-html.sh REPORT.html [SCREENSHOT.png]
set -euo pipefail
report="${1:?usage: $0 REPORT.html [SCREENSHOT.png]}"
png="${2:-$(mktemp --suffix=.png)}"
browser="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$browser" ] || { echo "error: chromium is not installed (apt-get install --no-install-recommends chromium)" >&2; exit 2; }
# CHARTS: the charts the page must hold (default: a run report's; "tune-chart" for a tune's).
charts="${CHARTS:-stage-timeline speedup-chart}"
for chart in $charts; do
  grep -q "<svg id=\"$chart\"" "$report" || { echo "FAIL: the page has no $chart chart" >&2; exit 1; }
done
profile_dir="$(mktemp -d)"
trap 'rm -rf "$profile_dir"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile_dir" \
  --window-size=1000,1600 --screenshot="$png" "file://$(realpath "$report")" >/dev/null 2>&1
[ -s "$png" ] || { echo "FAIL: chromium wrote no screenshot" >&2; exit 1; }
python3 - "$png" "$charts" <<'PY'
import struct, sys, zlib

def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6), "unexpected PNG format"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, previous = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1: line[i] = (line[i] + a) & 255
            elif kind == 2: line[i] = (line[i] + b) & 255
            elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    return [(row[i], row[i + 1], row[i + 2]) for row in rows for i in range(0, stride, channels)]

px = pixels(sys.argv[1])
def near(rgb, target): return all(abs(x - y) <= 12 for x, y in zip(rgb, target))
ink = sum(1 for p in px if sum(p) < 600)
all_checks = {"stage-timeline": ("stage timeline (executed #2b6cb0 or reused #a0aec0)", [(0x2b, 0x6c, 0xb0), (0xa0, 0xae, 0xc0)]),
              "speedup-chart": ("speedup chart (#2f855a)", [(0x2f, 0x85, 0x5a)]),
              "tune-chart": ("tune chart (faster #2f855a, slower #c53030 or undecided #a0aec0)", [(0x2f, 0x85, 0x5a), (0xc5, 0x30, 0x30), (0xa0, 0xae, 0xc0)])}
checks = dict(all_checks[c] for c in sys.argv[2].split() if c in all_checks)
failed = False
if ink < 2000:
    print(f"FAIL: the page looks blank ({ink} dark pixels)"); failed = True
for name, colors in checks.items():
    count = sum(1 for p in px if any(near(p, c) for c in colors))
    print(f"{'ok  ' if count >= 200 else 'FAIL'} {name}: {count} pixels")
    failed |= count < 200
print(f"ok   screenshot: {sys.argv[1]}" if not failed else "")
sys.exit(1 if failed else 0)
PY
