#!/bin/sh
# The HTML report in a real browser: headless Chromium loads report.html,
# the DOM it built must hold every case id, the verdicts and the sequence
# diagram, and a screenshot is taken (BUILD/tests/report.png). Where cases
# are captured (root, network namespaces), the diagram is the capture's: its
# lanes, no-shutdown's missing FIN, close-not-shutdown's FIN and RST
# (screenshot BUILD/tests/report-capture.png). Skipped, with the reason,
# when Chromium is not installed (Debian package: chromium).
set -u
BUILD=${1:-build}
browser=""
for b in chromium chromium-browser google-chrome; do
	command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -z "$browser" ]; then
	echo "ok - skipped: chromium is not installed (apt-get install chromium)"
	exit 0
fi
tmp=$(mktemp -d /tmp/sockcheck-html.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM
cp fixtures/correct/*.c fixtures/correct/Makefile "$tmp/" 2>/dev/null
mkdir "$tmp/sub" && mv "$tmp"/*.c "$tmp/Makefile" "$tmp/sub/"
patch -s -p1 -d "$tmp/sub" < fixtures/mutants/no-shutdown/bug.patch
"$BUILD/sockcheck" run --only 'file.server.*' --format html,json --report-dir "$tmp/r" "$tmp/sub" >/dev/null 2>&1
fail=0
mkdir -p "$BUILD/tests"
flags="--headless --no-sandbox --disable-gpu --disable-dev-shm-usage"
timeout 60 "$browser" $flags --dump-dom "file://$tmp/r/report.html" > "$tmp/dom.html" 2>/dev/null
ids=$(python3 -c 'import json,sys; print(" ".join(c["id"] for c in json.load(open(sys.argv[1]))["cases"]))' "$tmp/r/results.json")
for id in $ids; do
	grep -q "$id" "$tmp/dom.html" || { echo "not ok - the DOM lacks $id"; fail=1; }
done
grep -q "<svg" "$tmp/dom.html" && echo "ok - the DOM has the sequence diagram" \
	|| { echo "not ok - no <svg> in the DOM"; fail=1; }
grep -qi "fail" "$tmp/dom.html" && echo "ok - the DOM shows the failures" \
	|| { echo "not ok - no failure in the DOM"; fail=1; }
timeout 60 "$browser" $flags --window-size=1280,2000 --screenshot="$PWD/$BUILD/tests/report.png" \
	"file://$tmp/r/report.html" >/dev/null 2>&1
[ -s "$BUILD/tests/report.png" ] && echo "ok - screenshot: $BUILD/tests/report.png" \
	|| { echo "not ok - no screenshot"; fail=1; }

# The diagram drawn from the packet capture (issue 16)
if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
	echo "ok - skipped the capture diagram: capture needs root and network namespaces"
	exit $fail
fi
has() {	# has FILE REGEX WHAT
	if grep -Eq "$2" "$1"; then echo "ok - the capture diagram shows $3"
	else echo "not ok - the capture diagram lacks $3 (/$2/)"; fail=1; fi
}
if ! grep -q 'class="sequence capture"' "$tmp/dom.html"; then
	echo "not ok - no capture diagram in the DOM: $(grep -o 'class="no-capture">[^<]*' "$tmp/dom.html" | head -1)"
	exit 1
fi
has "$tmp/dom.html" '<text class="lane"[^>]*>student server</text>' "the student server's lane"
has "$tmp/dom.html" '<text class="lane"[^>]*>reference client</text>' "the reference client's lane"
has "$tmp/dom.html" '<g class="row missing-fin">' "no-shutdown's missing FIN as a placeholder"
has "$tmp/dom.html" '>no FIN<' "the placeholder's label"
has "$tmp/dom.html" '<g class="stall">' "the stall that ended the case"
has "$tmp/dom.html" '<g class="stop">' "the moment sockcheck stopped the programs"
has "$tmp/dom.html" '<g class="row fin after-stop"[^>]*>.*after the stop: FIN' "the kernel's FIN after the stop, greyed and labelled"
has "$tmp/dom.html" 'href="[^"]*capture\.pcap"' "a link to capture.pcap"
mkdir "$tmp/sub2"
cp fixtures/correct/*.c fixtures/correct/Makefile "$tmp/sub2/"
patch -s -p1 -d "$tmp/sub2" < fixtures/mutants/close-not-shutdown/bug.patch
"$BUILD/sockcheck" run --only file.server.half-close-thank-you --format html \
	--report-dir "$tmp/r2" "$tmp/sub2" >/dev/null 2>&1
timeout 60 "$browser" $flags --dump-dom "file://$tmp/r2/report.html" > "$tmp/dom2.html" 2>/dev/null
has "$tmp/dom2.html" '<g class="row fin">' "close-not-shutdown's FIN"
has "$tmp/dom2.html" '<g class="row rst">' "close-not-shutdown's RST"
has "$tmp/dom2.html" '>RST<' "the RST's label on its arrow"
timeout 60 "$browser" $flags --window-size=1280,1400 --screenshot="$PWD/$BUILD/tests/report-capture.png" \
	"file://$tmp/r2/report.html" >/dev/null 2>&1
[ -s "$BUILD/tests/report-capture.png" ] && echo "ok - screenshot: $BUILD/tests/report-capture.png" \
	|| { echo "not ok - no screenshot of the capture diagram"; fail=1; }
exit $fail
