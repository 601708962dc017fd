#!/bin/sh
# The class at a glance: grade a small class (the correct fixture, four
# mutants, one of them under a name full of HTML, one that does not build)
# on a few quick cases and check OUT/summary.json and OUT/summary.html:
#   - summary.json validates against reports/summary.schema.json (and a
#     damaged copy does not);
#   - its figures agree with gradebook.csv (scores, builds, mean, median,
#     full marks, histogram) and with the mutants' declared failures (cells,
#     top causes, the causes' students);
#   - summary.html is self-contained (no script, no external reference) and
#     escapes the student's name;
#   - in headless Chromium, the DOM has the ten histogram bars, one matrix
#     row per student and the cause list; a screenshot is saved as
#     BUILD/tests/summary.png (skipped without chromium);
#   - `merge` of two shards writes the same summary.json, byte for byte, as
#     the one grade of the same students, and summary.html too;
#   - `grade --open` prints the page's path and does not fail without a
#     browser.
# Usage: sh tests/dash.sh [BUILD_DIR]; DASH_KEEP=1 keeps the class and output.
set -u
BUILD=${1:-build}
SC=$(cd "$BUILD" && pwd)/sockcheck
ROOT=$(pwd)
T=$(mktemp -d /tmp/sockcheck-dash.XXXXXX) || exit 1
chmod 755 "$T"
trap 'if [ -n "${DASH_KEEP:-}" ]; then echo "# kept in $T"; else rm -rf "$T"; fi' EXIT
trap 'exit 2' INT TERM HUP
failed=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failed=$((failed + 1)); }
sc() { timeout 300 "$SC" "$@"; }

PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import jsonschema, yaml' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || { notok "python3 with jsonschema and yaml is installed (.ci/install-deps)"; exit 1; }

# ---- the class ----
student() {	# NAME [MUTANT]
	mkdir -p "$T/class/$1"
	(cd fixtures/correct && tar cf - --exclude=echo_server --exclude=echo_client \
	    --exclude=file_server --exclude=file_client --exclude='*.o' --exclude=build .) |
	    (cd "$T/class/$1" && tar xf -)
	if [ $# -gt 1 ]; then
		patch -s -p1 -d "$T/class/$1" <"fixtures/mutants/$2/bug.patch" || notok "patch $2"
	fi
}
EVIL='mal<b>lory&"'
student alice
student bob no-shutdown
student carol connect-fail-exit-0
student frank strlen-echo
student "$EVIL" prints-sent
student dave
printf 'int broken(\n' >>"$T/class/dave/echo_server.c"
cat >"$T/asg.yaml" <<'EOF'
title: "dash.sh: a <small> class"
memcheck: false
cases:
  - select: ["echo.client.basic-lines", "echo.client.connection-refused", "echo.client.mangled-echo",
             "echo.server.one-message", "echo.server.binary-nul", "file.server.empty-file",
             "file.server.half-close-thank-you", "file.server.text"]
  - select: "echo.client.connection-refused"
    hidden: true
  - select: "file.server.text"
    points: 3
EOF

OUT=$T/one
env -u DISPLAY -u WAYLAND_DISPLAY timeout 300 "$SC" grade --assignment "$T/asg.yaml" --jobs 2 \
    --open --out "$OUT" "$T/class" >"$T/grade.out" 2>"$T/grade.err"
rc=$?
[ "$rc" -eq 0 ] && ok "grade exits 0" || { notok "grade exits 0 (got $rc)"; tail -n 20 "$T/grade.err"; exit 1; }
grep -qx "dashboard: $OUT/summary.html" "$T/grade.out" && ok "grade --open prints the page's path" ||
	notok "grade --open prints the page's path: $(cat "$T/grade.out")"
for f in summary.html summary.json; do
	[ -s "$OUT/$f" ] && ok "grade writes $f" || notok "grade writes $f"
done

# ---- summary.json: the schema ----
if "$PY" - "$OUT/summary.json" reports/summary.schema.json <<'EOF'
import json, sys, copy
import jsonschema
doc, schema = (json.load(open(p)) for p in sys.argv[1:3])
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
errs = list(v.iter_errors(doc))
for e in errs:
    print("    %s: %s" % ("/".join(map(str, e.path)), e.message))
assert not errs, "summary.json does not validate"
# the schema can fail: damaged documents are rejected
for damage in (lambda d: d["students"][0]["cells"].append("maybe"),
               lambda d: d["problems"][0].pop("hint"),
               lambda d: d.__setitem__("histogram", d["histogram"][:9]),
               lambda d: d["students"][0].__setitem__("build", "fine")):
    bad = copy.deepcopy(doc)
    damage(bad)
    assert list(v.iter_errors(bad)), "a damaged summary.json validates"
EOF
then ok "summary.json validates against reports/summary.schema.json; damaged copies do not"
else notok "summary.json validates against reports/summary.schema.json"; fi

# ---- summary.json: the figures ----
if "$PY" - "$OUT" "$ROOT" "$EVIL" <<'EOF'
import csv, json, os, statistics, sys
import yaml
out, root, evil = sys.argv[1:4]
d = json.load(open(os.path.join(out, "summary.json")))
rows = list(csv.reader(open(os.path.join(out, "gradebook.csv"), newline="")))
head, body = rows[0], rows[1:]
ids = head[4:]
book = {r[0]: {"total": int(r[1]), "max": int(r[2]), "build": r[3],
               "cases": dict(zip(ids, map(int, r[4:])))} for r in body}
man = json.load(open(os.path.join(out, "manifest.json")))
points = {c["id"]: c["points"] for c in man["cases"]}
cols = [c["id"] for c in d["cases"]]
assert sorted(cols) == sorted(ids), (cols, ids)
# columns: by protocol, then role (suite order within)
keys = [tuple(c.split(".")[:2]) for c in cols]
assert keys == sorted(keys), "columns not grouped by protocol and role: %s" % cols
assert [c["id"] for c in d["cases"] if c["hidden"]] == ["echo.client.connection-refused"]
assert d["title"] == "dash.sh: a <small> class"
assert d["max_score"] == sum(points.values()) == book["alice"]["max"]
st = {s["name"]: s for s in d["students"]}
assert sorted(st) == sorted(book), (sorted(st), sorted(book))
# rows: highest score first, then by name
order = [s["name"] for s in d["students"]]
assert order == sorted(book, key=lambda n: (-book[n]["total"], n)), order
totals = [book[n]["total"] for n in book]
sc = d["scores"]
assert sc["students"] == len(book)
assert abs(sc["mean"] - statistics.mean(totals)) < 1e-9, sc
assert sc["median"] == statistics.median(totals), sc
assert (sc["lowest"], sc["highest"]) == (min(totals), max(totals))
assert sc["full_marks"] == sum(t == d["max_score"] for t in totals)
assert sc["no_build"] == sum(book[n]["build"] in ("failed", "timeout") for n in book) == 1
for b in d["builds"]:
    assert d["builds"][b] == sum(book[n]["build"] == b for n in book), b
hist = d["histogram"]
assert sum(h["students"] for h in hist) == len(book)
for n, t in zip(book, totals):
    k = min(9, t * 10 // d["max_score"])
    assert hist[k]["students"] >= 1, (n, t, k)
assert hist[0]["no_build"] == 1   # dave: 0 points
for n, s in st.items():
    assert s["score"] == book[n]["total"] and s["build"] == book[n]["build"], n
    assert s["max_score"] == d["max_score"]
    assert len(s["cells"]) == len(cols)
    for cid, v in zip(cols, s["cells"]):
        if s["build"] != "ok":
            assert v is None, (n, cid, v)
        elif v == "pass":
            assert book[n]["cases"][cid] == points[cid], (n, cid)
        else:
            assert v in ("fail", "error"), (n, cid, v)
# the per-case counts are the cells'
for j, c in enumerate(d["cases"]):
    cells = [s["cells"][j] for s in d["students"]]
    assert c["passed"] == cells.count("pass") and c["failed"] == cells.count("fail")
    assert c["errors"] == cells.count("error") and c["skipped"] == cells.count("skip")
    assert c["not_run"] == cells.count(None)
# the mutants fail exactly what they declare (of these cases), and that is their top cause
mutants = {"alice": (None, None), "bob": ("no-shutdown", "no-shutdown"),
           "carol": ("connect-fail-exit-0", "exit-0-on-error"),
           "frank": ("strlen-echo", "binary-unsafe"), evil: ("prints-sent", "prints-sent")}
for n, (m, cause) in mutants.items():
    want = set()
    if m:
        fx = yaml.safe_load(open(os.path.join(root, "fixtures/mutants", m, "fixture.yaml")))
        want = set(fx.get("must_fail") or []) & set(cols)
    got = {cid for cid, v in zip(cols, st[n]["cells"]) if v != "pass"}
    assert got == want, (n, got, want)
    assert st[n]["top_cause"] == cause, (n, st[n]["top_cause"], cause)
    assert st[n]["report"] == "report.html", n
assert st["dave"]["report"] == "build.log" and st["dave"]["top_cause"] is None
probs = {p["cause"]: p for p in d["problems"]}
for n, (m, cause) in mutants.items():
    if cause:
        assert n in probs[cause]["hit"], (cause, probs[cause]["hit"])
for p in d["problems"]:
    assert p["students"] == len(p["hit"]) and p["hint"], p
for n, s in st.items():
    assert (s["top_cause"] is None) == (not s["causes"]), n
    assert s["top_cause"] is None or s["top_cause"] in s["causes"], n
    for c in s["causes"]:
        assert n in probs[c]["hit"], (n, c)
assert sum(len(s["causes"]) for s in st.values()) == sum(p["students"] for p in d["problems"])
counts = [(-p["students"], -p["points_lost"], p["cause"]) for p in d["problems"]]
assert counts == sorted(counts), "problems not most common first"
assert probs["no-shutdown"]["points_lost"] == points["file.server.empty-file"]
EOF
then ok "summary.json agrees with gradebook.csv and the mutants' declared failures"
else notok "summary.json agrees with gradebook.csv and the mutants' declared failures"; fi

# ---- summary.html: self-contained, escaped ----
H=$OUT/summary.html
if grep -qi '<script\|<link\|<iframe\|<img\|@import\|url(\|src=' "$H"; then
	notok "summary.html is self-contained: $(grep -oi '<script\|<link\|<iframe\|<img\|@import\|url(\|src=' "$H" | head -3)"
elif grep -o 'https\?://[^"]*' "$H" | grep -vqx 'http://www.w3.org/2000/svg'; then
	notok "summary.html refers to the network: $(grep -o 'https\?://[^"]*' "$H" | sort -u | head -3)"
else
	ok "summary.html is self-contained (no script, no external reference)"
fi
if grep -qF 'mal<b>' "$H" || ! grep -qF 'mal&lt;b&gt;lory&amp;' "$H"; then
	notok "summary.html escapes the student's name"
else
	ok "summary.html escapes the student's name"
fi
grep -qF 'href="students/mal%3Cb%3Elory%26%22/report.html#echo.client.mangled-echo"' "$H" &&
	ok "a matrix cell links to the student's report at the case" ||
	notok "a matrix cell links to the student's report at the case"

# ---- summary.html in a browser ----
browser=""
for b in chromium chromium-browser google-chrome; do
	command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -z "$browser" ]; then
	ok "browser checks # SKIP chromium is not installed (apt-get install chromium)"
else
	flags="--headless --no-sandbox --disable-gpu --disable-dev-shm-usage"
	timeout 90 "$browser" $flags --dump-dom "file://$H" >"$T/dom.html" 2>/dev/null
	if "$PY" - "$T/dom.html" "$OUT/summary.json" <<'EOF'
import json, sys
from html.parser import HTMLParser
dom, d = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bars = self.rows = self.causes = 0
        self.stack, self.ids, self.names = [], set(), []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        self.ids.add(a.get("id"))
        if tag == "rect" and "bar" in cls:
            self.bars += 1
        if tag == "tr" and "student" in cls:
            self.rows += 1
            self.stack.append("row")
        if tag == "li" and "cause" in cls:
            self.causes += 1
    def handle_data(self, data):
        if self.stack and data.strip():
            self.names.append(data)
            self.stack.pop()
p = P()
p.feed(dom)
assert "histogram" in p.ids and "matrix" in p.ids and "causes" in p.ids, "ids %s" % p.ids
assert p.bars == 10, "histogram bars: %d" % p.bars
assert p.rows == len(d["students"]), "matrix rows: %d" % p.rows
assert p.names == [s["name"] for s in d["students"]], p.names
assert p.causes == len(d["problems"]) > 0, "causes: %d" % p.causes
EOF
	then ok "in $browser: ten histogram bars, one matrix row per student, the cause list"
	else notok "in $browser: ten histogram bars, one matrix row per student, the cause list"; fi
	mkdir -p "$BUILD/tests"
	rm -f "$BUILD/tests/summary.png"
	timeout 90 "$browser" $flags --window-size=1280,1600 --screenshot="$(cd "$BUILD" && pwd)/tests/summary.png" \
	    "file://$H" >/dev/null 2>&1
	[ -s "$BUILD/tests/summary.png" ] && ok "screenshot: $BUILD/tests/summary.png" || notok "no screenshot"
fi

# ---- merge: two shards of the same students' files ----
# Each shard directory starts as a copy of the one run: `grade --shard K/2`
# then finds its students unchanged and grades nobody, so the merged class
# holds exactly the files of the one run and must give the same documents.
for k in 1 2; do
	cp -R "$OUT" "$T/shard-$k"
	rm -f "$T/shard-$k/summary.json" "$T/shard-$k/summary.html"
	sc grade --assignment "$T/asg.yaml" --shard "$k/2" --out "$T/shard-$k" "$T/class" \
	    >"$T/shard-$k.out" 2>&1 || notok "grade --shard $k/2"
	grep -q ': 0 graded' "$T/shard-$k.out" || notok "shard $k/2 graded nobody again: $(cat "$T/shard-$k.out")"
done
sc merge "$T/merged" "$T/shard-1" "$T/shard-2" >"$T/merge.out" 2>&1 || notok "merge: $(cat "$T/merge.out")"
if cmp -s "$OUT/summary.json" "$T/merged/summary.json"; then
	ok "merge writes the same summary.json as one run"
else
	notok "merge writes the same summary.json as one run"
	diff "$OUT/summary.json" "$T/merged/summary.json" | head -n 20
fi
cmp -s "$OUT/summary.html" "$T/merged/summary.html" && ok "merge writes the same summary.html as one run" ||
	notok "merge writes the same summary.html as one run"
sc merge --no-copy "$T/nocopy" "$T/shard-1" "$T/shard-2" >/dev/null 2>&1 || notok "merge --no-copy"
grep -q 'href="file:///[^"]*/shard-[12]/students/alice/report.html' "$T/nocopy/summary.html" &&
	ok "merge --no-copy links to the reports in the shards" ||
	notok "merge --no-copy links to the reports in the shards"

[ "$failed" -eq 0 ] || { echo "# $failed check(s) failed (DASH_KEEP=1 keeps $T)"; exit 1; }
exit 0
