#!/bin/sh
# The HTML report in a real browser: headless Chromium loads report.html,
# the DOM it built must hold every case id, the verdicts and the sequence
# diagram, and a screenshot is taken (BUILD/tests/report.png). Skipped, with
# the reason, when Chromium is not installed (Debian package: chromium).
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
exit $fail
