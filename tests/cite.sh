#!/bin/sh
# Failures name their line (harness/cite.c) in every report: the
# close-not-shutdown mutant's half-close case must cite its close(csd) in
#   the terminal     "at file_server.c:N in main()" and "N | close(csd);"
#   results.json     checks[].cite, valid against the schema
#   report.html      the lines around it, the cited one in <mark>
#   junit.xml        the testcase's file= and line= attributes
#   results.tap      "at:" with file, line and source
#   GitHub Actions   "::error file=...file_server.c,line=N"
# and the same from a Makefile without -g (sockcheck's compiler wrappers add
# it); built with -s (stripped), no line but the advice to build with -g; a
# server whose served file is missing (fs-no-fopen-check: fopen() unchecked)
# names the fopen() that failed. (A crash's line: tests/test_srcmap.c.)
# Usage: sh tests/cite.sh BUILD_DIR
set -u
BUILD=${1:-build}
SC=$(cd "$BUILD" && pwd)/sockcheck
failed=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failed=$((failed + 1)); }

T=$(mktemp -d "${TMPDIR:-/tmp}/sockcheck-cite.XXXXXX") || exit 1
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
trap 'exit 2' INT TERM HUP

mutant() {	# mutant NAME DIR
	mkdir -p "$2"
	cp fixtures/correct/*.c fixtures/correct/Makefile "$2/"
	patch -s -p1 -d "$2" < "fixtures/mutants/$1/bug.patch"
}

# the line the mutant's close(csd) is on, from its source
mutant close-not-shutdown "$T/cns"
line=$(grep -n 'close(csd);' "$T/cns/file_server.c" | tail -1 | cut -d: -f1)
case_id=file.server.half-close-thank-you
(cd "$T" && GITHUB_ACTIONS=true timeout 300 "$SC" run --only "$case_id" --report-dir "$T/rep" \
    --format json,junit,tap,html cns) > "$T/term.txt" 2>&1

grep -q "at file_server.c:$line in main()" "$T/term.txt" &&
    grep -q "$line | close(csd);" "$T/term.txt" &&
    grep -q "shutdown(csd, SHUT_WR) here" "$T/term.txt" &&
    ok "terminal: file_server.c:$line, its text and what belongs there" ||
    { notok "terminal: no file_server.c:$line close(csd)"; sed -n 1,40p "$T/term.txt"; }

python3 - "$T/rep/results.json" reports/results.schema.json "$line" <<'EOF' &&
import json, sys
res = json.load(open(sys.argv[1]))
try:
    import jsonschema
    jsonschema.validate(res, json.load(open(sys.argv[2])))
except ImportError:
    pass
cites = [k["cite"] for c in res["cases"] for k in c["checks"] if k.get("cite")]
assert cites, "no cite in results.json"
ci = cites[0]
assert ci["file"] == "file_server.c" and ci["line"] == int(sys.argv[3]), ci
assert ci["call"] == "close" and ci["source_line"] == "close(csd);", ci
assert ci["context"]["lines"][ci["line"] - ci["context"]["first"]].strip() == "close(csd);", ci
EOF
    ok "results.json: checks[].cite names close(csd) at file_server.c:$line, schema-valid" ||
    notok "results.json: cite"

grep -q "<mark>  *$line | 	close(csd);</mark>" "$T/rep/report.html" &&
    ok "report.html: the cited line marked among its neighbours" ||
    { notok "report.html: no marked line"; grep -n "cite" "$T/rep/report.html" | head -5; }

grep -q "file=\"file_server.c\" line=\"$line\"" "$T/rep/junit.xml" &&
    ok "junit.xml: the testcase's file and line" ||
    { notok "junit.xml: no file/line"; grep -n "testcase" "$T/rep/junit.xml" | head -3; }

grep -q "^  at:" "$T/rep/results.tap" && grep -q "^    line: $line" "$T/rep/results.tap" &&
    ok "results.tap: at: file, line" || notok "results.tap: no at:"

grep -q "^::error file=cns/file_server.c,line=$line," "$T/term.txt" &&
    ok "GitHub annotation on file_server.c line $line" ||
    { notok "no GitHub annotation on the line"; grep "^::" "$T/term.txt" | head -3; }

# a Makefile that never says -g: the line all the same
mutant close-not-shutdown "$T/nog"
printf 'all: file_server\nfile_server: file_server.c\n\tgcc -O0 -o file_server file_server.c\n' > "$T/nog/Makefile"
timeout 300 "$SC" run --only "$case_id" "$T/nog" > "$T/nog.txt" 2>&1
grep -q "$line | close(csd);" "$T/nog.txt" && ok "a Makefile without -g: sockcheck adds it" ||
    { notok "a Makefile without -g: no line"; sed -n 1,30p "$T/nog.txt"; }

# stripped and without debug information: no line, the advice to build with -g
printf 'all: file_server\nfile_server: file_server.c\n\tgcc -g0 -s -O0 -o file_server file_server.c\n' > "$T/nog/Makefile"
timeout 300 "$SC" run --only "$case_id" "$T/nog" > "$T/strip.txt" 2>&1
grep -q "note: no symbols (stripped): build with -g" "$T/strip.txt" &&
    ! grep -q "| close(csd);" "$T/strip.txt" &&
    ok "stripped: no line, the advice to build with -g" ||
    { notok "stripped: no advice"; sed -n 1,30p "$T/strip.txt"; }

# a missing served file: the fopen() that failed
mkdir "$T/nf" && cp fixtures/variants/fs-no-fopen-check/*.c fixtures/variants/fs-no-fopen-check/Makefile "$T/nf/"
timeout 300 "$SC" run --only file.server.missing-file --report-dir "$T/nfrep" --format json "$T/nf" \
    > "$T/nf.txt" 2>&1
python3 - "$T/nfrep/results.json" <<'EOF' &&
import json, sys
res = json.load(open(sys.argv[1]))
lines = []
for c in res["cases"]:
    for k in c["checks"]:
        ci = k.get("cite")
        while ci:
            lines.append(ci.get("source_line") or "")
            ci = ci["also"]
assert any('fopen("test.txt"' in l for l in lines), lines
EOF
    ok "missing served file: the fopen() that failed" ||
    { notok "missing served file: no fopen() line"; sed -n 1,40p "$T/nf.txt"; }

[ "$failed" -eq 0 ]
