#!/bin/sh
# The report formats against what their consumers expect. sockcheck runs the
# correct fixture and the no-shutdown mutant with every format, then:
#   results.json     validates against reports/results.schema.json (jsonschema),
#                    and its counts, scores and exit status add up
#   junit.xml        validates against reports/junit.xsd (xmllint), one testcase
#                    per case, <failure>/<error>/<skipped> as the verdicts say
#   results.tap      parsed by perl's TAP::Parser and run through prove: the plan
#                    is the number of cases, failed must-cases are "not ok",
#                    failed should/info cases "not ok # TODO"
#   report.html      parses as HTML and as XML, names every case
#   summary.md       one table row per case
#   gradescope.json  Gradescope's autograder results format
#   autolab.txt      ends with Autolab's {"scores": {...}} line
#   exit status      0 for the correct fixture, 1 for the mutant
#   GitHub Actions   with GITHUB_ACTIONS=true, one ::error/::warning annotation
#                    per failed case on stdout; none without it
# The schemas themselves are checked too: damaged documents must be rejected.
# Usage: sh tests/reports.sh BUILD_DIR. Prints ok/not ok lines; exits 1 on a failure.
set -u
BUILD=${1:-build}
SC=$BUILD/sockcheck
FORMATS=json,junit,tap,md,html,gradescope,autolab
SCHEMA=reports/results.schema.json
XSD=reports/junit.xsd
failed=0

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failed=$((failed + 1)); }

T=$(mktemp -d "${TMPDIR:-/tmp}/sockcheck-reports.XXXXXX") || exit 1
# as root, student programs run as nobody; under --memcheck valgrind opens its
# logs by absolute path below the report dir, so every ancestor must be searchable
chmod 755 "$T"
# REPORTS_KEEP=1 keeps the reports for a look
trap 'if [ -n "${REPORTS_KEEP:-}" ]; then echo "# reports kept in $T"; else rm -rf "$T"; fi' EXIT
trap 'exit 2' INT TERM HUP

# python3 with jsonschema: the system's (python3-jsonschema), else the first on PATH
PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import jsonschema' 2>/dev/null; then PY=$p; break; fi
done
for tool in xmllint prove perl patch; do
	command -v "$tool" >/dev/null 2>&1 || { notok "$tool is installed (.ci/install-deps)"; }
done
[ -n "$PY" ] || notok "python3 with jsonschema is installed (.ci/install-deps)"
[ -x "$SC" ] || notok "$SC is built"
[ "$failed" -eq 0 ] || exit 1

# ---- the runs -------------------------------------------------------------
# mutant NAME DIR: the correct sources (not its built programs) with the bug applied
mutant() {
	mkdir "$2"
	for f in fixtures/correct/*; do
		case $(basename "$f") in echo_server|echo_client|file_server|file_client|udp_echo_server|udp_echo_client|*.o) continue ;; esac
		cp -R "$f" "$2/"
	done
	if patch -s -p1 -d "$2" <"fixtures/mutants/$1/bug.patch"; then
		ok "$1 mutant prepared"
	else
		notok "$1 mutant prepared"
		exit 1
	fi
}
mutant no-shutdown "$T/src-mutant"

# run NAME SUBMISSION GITHUB_ACTIONS SECONDS [sockcheck options...]
run() {
	name=$1 sub=$2 gha=$3 limit=$4
	shift 4
	if [ "$gha" = true ]; then
		GITHUB_ACTIONS=true timeout "$limit" "$SC" run --report-dir "$T/$name" "$@" "$sub" \
		    >"$T/$name.out" 2>"$T/$name.err"
	else
		env -u GITHUB_ACTIONS timeout "$limit" "$SC" run --report-dir "$T/$name" "$@" "$sub" \
		    >"$T/$name.out" 2>"$T/$name.err"
	fi
	echo $? >"$T/$name.rc"
}
run correct fixtures/correct true 50 --format "$FORMATS"
run mutant "$T/src-mutant" true 50 --format "$FORMATS"
# annotations only in GitHub Actions; one case is enough to see none appear
run plain "$T/src-mutant" false 15 --format json --only file.server.half-close-thank-you
# memcheck findings (a leak per client): results.json's memcheck section and
# the ::error file=...,line=... annotations
NAMES="correct mutant"
EXITS="correct:0 mutant:1 plain:1"
if command -v valgrind >/dev/null 2>&1 && [ -f fixtures/mutants/mc-leak-per-client/bug.patch ]; then
	mutant mc-leak-per-client "$T/src-leak"
	run memcheck "$T/src-leak" true 60 --memcheck --format "$FORMATS" --only echo.server.one-message
	NAMES="$NAMES memcheck"
	EXITS="$EXITS memcheck:1"
else
	ok "memcheck run # SKIP no valgrind or no fixtures/mutants/mc-leak-per-client"
fi

for r in $EXITS; do
	name=${r%:*} want=${r#*:}
	got=$(cat "$T/$name.rc")
	if [ "$got" = "$want" ]; then
		ok "$name run exits $want"
	else
		notok "$name run exits $want (got $got)"
		sed 's/^/    /' "$T/$name.err" | tail -n 20
	fi
done

# ---- junit.xml: the XML schema ----------------------------------------------
for name in $NAMES; do
	if xmllint --noout --schema "$XSD" "$T/$name/junit.xml" >"$T/xsd.log" 2>&1; then
		ok "$name: junit.xml validates against $XSD"
	else
		notok "$name: junit.xml validates against $XSD"
		sed 's/^/    /' "$T/xsd.log" | head -n 20
	fi
done
# the schema rejects what Jenkins would choke on
sed 's/<testcase classname=/<testcase klassname=/' "$T/mutant/junit.xml" >"$T/bad1.xml"
sed '0,/<failure /s//<failure><bogus\/><\/failure><failure /' "$T/mutant/junit.xml" >"$T/bad2.xml"
sed '0,/<testsuite name="[^"]*"/s//<testsuite/' "$T/mutant/junit.xml" >"$T/bad3.xml"
for b in bad1 bad2 bad3; do
	if cmp -s "$T/$b.xml" "$T/mutant/junit.xml"; then
		notok "junit damage $b applied"
	elif xmllint --noout --schema "$XSD" "$T/$b.xml" >/dev/null 2>&1; then
		notok "$XSD rejects a damaged junit.xml ($b)"
	else
		ok "$XSD rejects a damaged junit.xml ($b)"
	fi
done

# ---- results.tap: perl's TAP harness ------------------------------------------
for name in $NAMES; do
	tap=$T/$name/results.tap
	# one line per test point: NUMBER ok|notok todo|skip|- DESCRIPTION; then plan, errors
	perl -MTAP::Parser -e '
		local $/; open(my $fh, "<", $ARGV[0]) or die "$ARGV[0]: $!\n";
		my $p = TAP::Parser->new({ tap => scalar <$fh> });
		while (my $r = $p->next) {
			next unless $r->is_test;
			(my $d = $r->description) =~ s/^-\s*//;
			printf "test %d %s %s %s\n", $r->number, $r->is_actual_ok ? "ok" : "notok",
			    $r->has_todo ? "todo" : $r->has_skip ? "skip" : "-", $d;
		}
		print "plan ", ($p->tests_planned // "none"), "\n";
		print "version ", $p->version, "\n";
		print "error $_\n" for $p->parse_errors;
	' "$tap" >"$T/$name.tapparse" 2>&1 || notok "$name: TAP::Parser reads results.tap"
	if prove --exec cat "$tap" >"$T/$name.prove" 2>&1; then prc=0; else prc=1; fi
	if [ "$name" = correct ]; then want=0; else want=1; fi
	if [ "$prc" = "$want" ] && ! grep -q 'Parse errors' "$T/$name.prove"; then
		ok "$name: prove says $([ $want = 0 ] && echo PASS || echo FAIL) with no parse errors"
	else
		notok "$name: prove exits $want with no parse errors"
		sed 's/^/    /' "$T/$name.prove" | head -n 20
	fi
done
if grep -q 'TODO passed' "$T/correct.prove" "$T/mutant.prove"; then
	notok "prove sees no failed case as an unexpectedly passing TODO"
else
	ok "prove sees no failed case as an unexpectedly passing TODO"
fi

# ---- report.html: HTML and XML parsers -------------------------------------------
# html_errors FILE: prints libxml2's HTML parser errors, fails if there are any.
# Its HTML parser (before 2.14) knows HTML 4 only: HTML5/SVG element names are no defect.
html_errors() {
	xmllint --html --noout "$1" >"$T/html.log" 2>&1 || { cat "$T/html.log"; return 1; }
	! grep 'parser error' "$T/html.log" | grep -v -E \
	    'Tag (section|svg|line|circle|text|path|rect|g|polygon|polyline|header|footer|main|nav|details|summary|mark) invalid'
}
for name in $NAMES; do
	html=$T/$name/report.html
	if html_errors "$html" >"$T/html.err"; then
		ok "$name: report.html parses as HTML"
	else
		notok "$name: report.html parses as HTML"
		head -n 10 "$T/html.err" | sed 's/^/    /'
	fi
	if xmllint --noout "$html" >"$T/html.log" 2>&1; then
		ok "$name: report.html is well-formed XML (XHTML serialisation)"
	else
		notok "$name: report.html is well-formed XML"
		head -n 10 "$T/html.log" | sed 's/^/    /'
	fi
done
sed '0,/<h1>/s//<h1><b><\/i>/' "$T/mutant/report.html" >"$T/bad.html"
if ! cmp -s "$T/bad.html" "$T/mutant/report.html" && ! html_errors "$T/bad.html" >/dev/null &&
    ! xmllint --noout "$T/bad.html" >/dev/null 2>&1; then
	ok "the HTML checks reject a damaged report.html"
else
	notok "the HTML checks reject a damaged report.html"
fi

# ---- the rest: python (JSON schema, contents of every format, annotations) -------------
"$PY" - "$T" "$SCHEMA" $NAMES <<'EOF' || failed=$((failed + 1))
import html.parser
import json
import os
import re
import sys
import copy
import xml.etree.ElementTree as ET

import jsonschema

T, SCHEMA, NAMES = sys.argv[1], sys.argv[2], sys.argv[3:]
bad = 0


def check(cond, what, detail=None):
    global bad
    if cond:
        print("ok - " + what)
    else:
        bad += 1
        print("not ok - " + what)
        if detail:
            for line in str(detail).splitlines()[:20]:
                print("    " + line)
    return cond


with open(SCHEMA) as f:
    schema = json.load(f)
Validator = jsonschema.validators.validator_for(schema)
try:
    Validator.check_schema(schema)
    check(True, "%s is a valid %s schema" % (SCHEMA, schema["$schema"]))
except jsonschema.SchemaError as e:
    check(False, "%s is a valid JSON Schema" % SCHEMA, e)
validator = Validator(schema)


def schema_errors(doc):
    return ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message)
            for e in validator.iter_errors(doc)]


def load(name, fname):
    path = os.path.join(T, name, fname)
    if not check(os.path.exists(path), "%s: %s written" % (name, fname)):
        return None
    with open(path, "rb") as f:
        data = f.read()
    return data.decode("utf-8")


def must_fails(c):
    return c["verdict"] in ("fail", "error") and c["level"] == "must"


runs = {}
for name in NAMES + ["plain"]:
    text = load(name, "results.json")
    if text is None:
        continue
    try:
        res = json.loads(text)
    except ValueError as e:
        check(False, "%s: results.json is JSON" % name, e)
        continue
    errs = schema_errors(res)
    check(not errs, "%s: results.json validates against the schema" % name, "\n".join(errs))
    if errs:
        continue
    runs[name] = res
    cases = res["cases"]
    counts = {k: sum(c["verdict"] == v for c in cases)
              for k, v in (("passed", "pass"), ("failed", "fail"), ("errors", "error"),
                           ("skipped", "skip"))}
    check(res["counts"] == counts, "%s: counts match the verdicts" % name,
          "%s != %s" % (res["counts"], counts))
    check(res["score"] == sum(c["score"] for c in cases) and
          res["max_score"] == sum(c["points"] for c in cases),
          "%s: score and max_score are the sums over the cases" % name)
    ids = [c["id"] for c in cases]
    def charged_ok(c):
        # one fault, one charge: a failed case whose causes were all charged in
        # another failed case of the same program (the case for them, wherever
        # it stands in the suite: docs/grading.md) keeps its points
        o = c.get("charged_in")
        if o is None:
            return c["score"] == (c["points"] if c["verdict"] == "pass" else 0)
        oc = cases[ids.index(o)] if o in ids else None
        return (c["verdict"] in ("fail", "error") and c["score"] == c["points"] and
                oc is not None and o != c["id"] and
                oc["verdict"] in ("fail", "error") and oc["score"] == 0 and
                (oc["protocol"], oc["role"]) == (c["protocol"], c["role"]))
    check(all(charged_ok(c) for c in cases if "checks" in c),
          "%s: a case scores its points when it passes or was charged elsewhere, else 0" % name)
    probs = res["problems"]
    check(all(set(p["cases"]) <= set(ids) and
              (p["charged_in"] is None or p["cases"][0] == p["charged_in"] or
               (p["charged_in"] in ids and cases[ids.index(p["charged_in"])]["hidden"]))
              for p in probs) and
          all(any(k["cause"] == p["cause"] for i in p["cases"]
                  for k in cases[ids.index(i)].get("checks", [])) for p in probs),
          "%s: every problem names cases where its cause shows, the one that paid first"
          % name)
    causes = {k["cause"] for c in cases for k in c.get("checks", []) if k["cause"]}
    check(causes == {p["cause"] for p in probs} and
          all((k["cause"] is None) == k["ok"] for c in cases for k in c.get("checks", [])),
          "%s: every failed check has a cause, grouped in problems" % name)
    check(all(c["verdict"] != "pass" or all(k["ok"] or k["collateral"] for k in c["checks"])
              for c in cases if "checks" in c),
          "%s: a passing case has no failed target check" % name)
    check(all((c["summary"] == "") == (c["verdict"] == "pass") for c in cases),
          "%s: summary is empty exactly for passing cases" % name)
    check(len({c["id"] for c in cases}) == len(cases) and
          all(c["id"].startswith("%s.%s." % (c["protocol"], c["role"])) for c in cases),
          "%s: case ids unique and <protocol>.<role>.<name>" % name)
    want_exit = 1 if any(must_fails(c) for c in cases) else 0
    check(res["exit_status"] == want_exit, "%s: exit_status is %d" % (name, want_exit))
    with open(os.path.join(T, name + ".rc")) as f:
        check(int(f.read()) == res["exit_status"],
              "%s: the process exit status equals exit_status" % name)

if "correct" in runs:
    check(not any(must_fails(c) for c in runs["correct"]["cases"]),
          "correct: no must-case fails")
if "mutant" in runs:
    failed = {c["id"] for c in runs["mutant"]["cases"] if must_fails(c)}
    # file.server.eintr transfers a file too: its missing EOF fails it (charged in empty-file)
    check(failed == {"file.server.empty-file", "file.server.half-close-thank-you", "file.server.eintr"},
          "mutant: fails the no-shutdown cases (its own cases only)", sorted(failed))
    probs = {p["cause"]: p for p in runs["mutant"]["problems"]}
    p = probs.get("no-shutdown")
    check(p is not None and p["program"] == "file_server" and
          p["charged_in"] == "file.server.empty-file" and "file.server.text" in p["cases"],
          "mutant: the no-shutdown problem is charged once and notes the other cases", p)

# The schema catches damaged documents.
if "mutant" in runs:
    base = runs["mutant"]
    fail_case = next(i for i, c in enumerate(base["cases"]) if c["verdict"] != "pass")

    def damaged(how):
        d = copy.deepcopy(base)
        how(d)
        return d

    def rename(obj, old, new):
        obj[new] = obj.pop(old)

    damages = {
        "top-level field missing": lambda d: d.pop("max_score"),
        "top-level field misspelt": lambda d: rename(d, "exit_status", "exitstatus"),
        "case field missing": lambda d: d["cases"][0].pop("verdict"),
        "case field misspelt": lambda d: rename(d["cases"][0], "summary", "sumary"),
        "verdict not in the enum": lambda d: d["cases"][fail_case].update(verdict="failed"),
        "level not in the enum": lambda d: d["cases"][0].update(level="MUST"),
        "points as a string": lambda d: d["cases"][0].update(points="2"),
        "check field misspelt": lambda d: rename(d["cases"][fail_case]["checks"][0], "ok", "passed"),
        "process field missing": lambda d: d["cases"][0]["processes"][0].pop("stdout"),
        "stream total negative": lambda d: d["cases"][0]["processes"][0]["stdout"].update(total=-1),
        "counts field extra": lambda d: d["counts"].update(todo=0),
        "format version changed": lambda d: d.update(format="sockcheck-results-2"),
        "memcheck not an object": lambda d: d["cases"][0].update(memcheck=[]),
    }
    for what, how in damages.items():
        check(schema_errors(damaged(how)), "the schema rejects results.json with %s" % what)
    # a memcheck section as rpt_json.c writes it
    mc = {"leak_check_done": True, "debug_info": True, "note": None, "findings": [{
        "kind": "leak-definite", "valgrind_kind": "Leak_DefinitelyLost",
        "what": "64 bytes in 1 blocks are definitely lost", "bytes": 64, "blocks": 1,
        "count": 1, "fails": True, "file": "file_server.c", "line": 42, "function": "main",
        "source_line": "\tbuf = malloc(64);", "stack": [
            {"fn": "malloc", "file": None, "dir": None, "line": 0, "obj": "vgpreload_memcheck.so"},
            {"fn": "main", "file": "file_server.c", "dir": "/sub", "line": 42, "obj": "file_server"}]}]}
    d = damaged(lambda d: d["cases"][0].update(memcheck=mc))
    check(not schema_errors(d), "the schema accepts a memcheck section", schema_errors(d))
    mc2 = copy.deepcopy(mc)
    mc2["findings"][0]["kind"] = "leak"
    check(schema_errors(damaged(lambda d: d["cases"][0].update(memcheck=mc2))),
          "the schema rejects a memcheck finding of an unknown kind")


class Html(html.parser.HTMLParser):
    """Rows of the summary table (tr.case) and the ids of the sections."""

    def __init__(self):
        super().__init__()
        self.rows, self.sections, self.cell, self.row = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and a.get("class") == "case":
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = ""
        elif tag == "section":
            self.sections.append(a.get("id"))

    def handle_endtag(self, tag):
        if tag == "td" and self.row is not None and self.cell is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


for name in NAMES:
    res = runs.get(name)
    if res is None:
        continue
    cases = res["cases"]
    ids = [c["id"] for c in cases]
    by_id = {c["id"]: c for c in cases}

    # ---- junit.xml: contents
    text = load(name, "junit.xml")
    if text is not None:
        root = ET.fromstring(text.encode())
        tcs = [(s.get("name"), tc) for s in root.iter("testsuite") for tc in s.iter("testcase")]
        jids = ["%s.%s" % (tc.get("classname"), tc.get("name")) for _, tc in tcs]
        check(jids == ids, "%s: junit.xml has one testcase per case, classname.name = id" % name,
              set(jids) ^ set(ids))
        want = {"pass": None, "fail": "failure", "error": "error", "skip": "skipped"}
        wrong = [j for j, (_, tc) in zip(jids, tcs) if j in by_id and
                 [e.tag for e in tc if e.tag in ("failure", "error", "skipped")] !=
                 ([want[by_id[j]["verdict"]]] if want[by_id[j]["verdict"]] else [])]
        check(not wrong, "%s: junit.xml outcome elements match the verdicts" % name, wrong)
        wrong = [j for j, (_, tc) in zip(jids, tcs) if j in by_id and by_id[j]["verdict"] in
                 ("fail", "error") and tc.find(want[by_id[j]["verdict"]]).get("message") !=
                 by_id[j]["summary"]]
        check(not wrong, "%s: junit.xml failure messages are the summaries" % name, wrong)
        tot = {k: int(root.get(k)) for k in ("tests", "failures", "errors", "skipped")}
        check(tot == {"tests": len(cases), "failures": res["counts"]["failed"],
                      "errors": res["counts"]["errors"], "skipped": res["counts"]["skipped"]},
              "%s: junit.xml <testsuites> totals match results.json" % name, tot)
        ok = all(int(s.get("tests")) == len(s.findall("testcase")) and
                 int(s.get("failures")) == len(s.findall("testcase/failure")) and
                 int(s.get("errors")) == len(s.findall("testcase/error")) and
                 int(s.get("skipped")) == len(s.findall("testcase/skipped"))
                 for s in root.iter("testsuite"))
        check(ok, "%s: junit.xml <testsuite> counts match their testcases" % name)

    # ---- results.tap: what TAP::Parser read
    with open(os.path.join(T, name + ".tapparse")) as f:
        lines = f.read().splitlines()
    tests = [l.split(" ", 4)[1:] for l in lines if l.startswith("test ")]
    plan = next((l.split()[1] for l in lines if l.startswith("plan ")), None)
    perr = [l for l in lines if l.startswith("error ")]
    check(not perr, "%s: results.tap parses without errors" % name, "\n".join(perr))
    check(plan == str(len(cases)) and len(tests) == len(cases),
          "%s: TAP plan 1..%d and %d test points" % (name, len(cases), len(cases)),
          "plan %s, %d test points" % (plan, len(tests)))
    check([t[3] for t in tests] == ids and [t[0] for t in tests] ==
          [str(i + 1) for i in range(len(cases))],
          "%s: TAP test points are the cases, in order" % name)
    wrong = []
    for (num, okness, directive, desc) in tests:
        c = by_id.get(desc)
        if c is None:
            continue
        passed = c["verdict"] in ("pass", "skip")
        want = ("ok" if passed else "notok",
                "skip" if c["verdict"] == "skip" else
                "todo" if not passed and c["level"] != "must" else "-")
        if (okness, directive) != want:
            wrong.append("%s %s: %s %s, want %s %s" % (num, desc, okness, directive, *want))
    check(not wrong, "%s: failed cases are 'not ok' (should/info ones with # TODO)" % name,
          "\n".join(wrong))
    if name == "mutant":
        check(any(t[1] == "notok" and t[2] == "-" for t in tests),
              "mutant: results.tap has failing test points")

    # ---- report.html: every case
    text = load(name, "report.html")
    if text is not None:
        p = Html()
        p.feed(text)
        rows = [r[0] for r in p.rows if r]
        check(rows == ids, "%s: report.html summary table has a row per case" % name,
              set(rows) ^ set(ids))
        check(all(i in text for i in ids), "%s: report.html contains every case id" % name)
        nonpass = [c["id"] for c in cases if c["verdict"] != "pass"]
        check(p.sections == nonpass, "%s: report.html has a section per non-passing case" % name,
              "%s vs %s" % (p.sections, nonpass))
        marks = re.findall(r'<li class="(pass|fail)">(.)', text)
        # a clean run (the correct fixture) has no check items to show
        check((marks or not nonpass) and
              all(m[1] == ("\u2713" if m[0] == "pass" else "\u2717") for m in marks),
              "%s: report.html check items keep their \u2713/\u2717 marks (UTF-8 intact)" % name,
              marks[:5])
        verdicts = [r[2] for r in p.rows if len(r) > 2]
        check(verdicts == [c["verdict"] for c in cases],
              "%s: report.html result column shows the verdicts" % name)
        nprob = len(res["problems"])
        lead = "%d problem%s found" % (nprob, "" if nprob == 1 else "s") if nprob else \
            "No problems found"
        at = text.find('id="problems"')
        check(0 <= at < text.find('id="summary"') and lead in text[at:] and
              text.count('class="problem"') == nprob and
              all(p_["cause"] in text[at:text.find('id="summary"')] for p_ in res["problems"]),
              "%s: report.html leads with the problems found (%s)" % (name, lead))

    # ---- summary.md: a table row per case
    text = load(name, "summary.md")
    if text is not None:
        rows = re.findall(r"^\| `([^`]+)` \| (\w+) \| [^|]* (pass|fail|error|skip) \| (\d+)/(\d+) \|.*\|$",
                          text, re.M)
        check([r[0] for r in rows] == ids, "%s: summary.md has a table row per case" % name,
              set(r[0] for r in rows) ^ set(ids))
        check(all(by_id[r[0]]["level"] == r[1] and by_id[r[0]]["verdict"] == r[2] and
                  by_id[r[0]]["score"] == int(r[3]) and by_id[r[0]]["points"] == int(r[4])
                  for r in rows if r[0] in by_id),
              "%s: summary.md rows show level, result and points" % name)
        head = text.splitlines()[0] if text else ""
        want = "## sockcheck: %d passed, %d failed, %d skipped" % (
            res["counts"]["passed"], res["counts"]["failed"] + res["counts"]["errors"],
            res["counts"]["skipped"])
        check(head.startswith(want), "%s: summary.md heading has the counts" % name, head)
        nprob = len(res["problems"])
        lead = "### %d problem%s found" % (nprob, "" if nprob == 1 else "s") if nprob else \
            "No problems found."
        at, table = text.find(lead), text.find("| case | level |")
        check(0 <= at < table and all("(`%s`)" % p_["cause"] in text[at:table]
                                      for p_ in res["problems"]),
              "%s: summary.md leads with the problems found, each with its cause" % name)
    # ---- the terminal report: the problems first
    with open(os.path.join(T, name + ".out"), errors="replace") as f:
        # the header of what the convention finder found ("found: ...") comes first
        term = [l for l in f.read().splitlines()
                if not l.startswith("::") and not l.startswith("found: ")]
    nprob = len(res["problems"])
    lead = "%d problem%s found:" % (nprob, "" if nprob == 1 else "s") if nprob else \
        "No problems found."
    check(term[:1] == [lead] and all(any("(%s)" % p_["cause"] in l for l in term)
                                     for p_ in res["problems"]),
          "%s: the terminal report leads with the problems found" % name, term[:3])

    # ---- gradescope.json
    text = load(name, "gradescope.json")
    if text is not None:
        gs = json.loads(text)
        num = (int, float)
        okk = (isinstance(gs, dict) and isinstance(gs.get("score"), num) and
               isinstance(gs.get("tests"), list) and
               all(isinstance(t, dict) and isinstance(t.get("name"), str) and
                   isinstance(t.get("score"), num) and isinstance(t.get("max_score"), num) and
                   isinstance(t.get("output"), str) for t in gs["tests"]))
        check(okk, "%s: gradescope.json: score, tests[] with name, score, max_score, output" % name)
        if okk:
            known = {"score", "max_score", "execution_time", "output", "output_format",
                     "test_output_format", "test_name_format", "visibility",
                     "stdout_visibility", "extra_data", "tests", "leaderboard"}
            tknown = {"score", "max_score", "status", "name", "name_format", "number", "output",
                      "output_format", "tags", "visibility", "extra_data"}
            check(set(gs) <= known and all(set(t) <= tknown for t in gs["tests"]),
                  "%s: gradescope.json uses only Gradescope's keys" % name)
            check(all(t.get("visibility", "visible") in
                      ("hidden", "after_due_date", "after_published", "visible") and
                      t.get("status", "passed") in ("passed", "failed") for t in gs["tests"]),
                  "%s: gradescope.json visibility and status values" % name)
            check([t.get("number") for t in gs["tests"]] == ids and
                  [t["score"] for t in gs["tests"]] == [c["score"] for c in cases] and
                  [t["max_score"] for t in gs["tests"]] == [c["points"] for c in cases],
                  "%s: gradescope.json has a test per case with its score" % name)
            check(gs["score"] == sum(t["score"] for t in gs["tests"]) == res["score"],
                  "%s: gradescope.json score is the sum of the tests'" % name)
            check(all((t["status"] == "passed") == (by_id[t["number"]]["verdict"] == "pass")
                      for t in gs["tests"] if t.get("number") in by_id),
                  "%s: gradescope.json status passed exactly for passing cases" % name)
            check(all(by_id[t["number"]]["summary"] in t["output"] for t in gs["tests"]
                      if t.get("number") in by_id),
                  "%s: gradescope.json test output carries the summary" % name)

    # ---- autolab.txt
    text = load(name, "autolab.txt")
    if text is not None:
        lines = text.rstrip("\n").split("\n")
        try:
            last = json.loads(lines[-1])
        except ValueError:
            last = None
        check(text.endswith("\n") and isinstance(last, dict) and list(last) == ["scores"] and
              isinstance(last["scores"], dict),
              "%s: autolab.txt ends with a {\"scores\": {...}} line" % name, lines[-1][:200])
        if isinstance(last, dict) and isinstance(last.get("scores"), dict):
            check(last["scores"] == {c["id"]: c["score"] for c in cases},
                  "%s: autolab scores are the cases' scores" % name)
        check([l.split(" ")[1].rstrip(":") for l in lines[:-1]] == ids and
              all(l.split(" ")[0] == by_id[l.split(" ")[1].rstrip(":")]["verdict"]
                  for l in lines[:-1] if l.split(" ")[1].rstrip(":") in by_id),
              "%s: autolab.txt has a verdict line per case before the scores" % name)

    # ---- GitHub Actions annotations on stdout (GITHUB_ACTIONS=true)
    with open(os.path.join(T, name + ".out"), errors="replace") as f:
        out = f.read().splitlines()
    ann = [l for l in out if l.startswith("::")]
    form = re.compile(r"^::(error|warning|notice)( [a-z]+=[^,:]*(,[a-z]+=[^,:]*)*)?::.*$")
    check(all(form.match(l) for l in ann), "%s: annotations are well-formed workflow commands" % name,
          "\n".join(l for l in ann if not form.match(l)))
    want = sorted("::%s title=%s::" % ("error" if c["level"] == "must" else "warning", c["id"])
                  for c in cases if c["verdict"] in ("fail", "error"))
    def props(l):
        head = l[2:l.index("::", 2)]
        kind, _, rest = head.partition(" ")
        return kind, dict(p.split("=", 1) for p in rest.split(",") if "=" in p)
    # a case's annotation may carry file= (the program's source, when the
    # submission is inside the working directory); memcheck ones are titled so
    case_ann = [l for l in ann if "title" in props(l)[1] and
                not props(l)[1]["title"].startswith("memcheck")]
    check(all(props(l)[1].get("file", "x_server.c").endswith(("_server.c", "_client.c"))
              for l in case_ann), "%s: a case's file= is the program's source" % name,
          [l for l in case_ann if "file" in props(l)[1]])
    got = sorted("::%s title=%s::" % (props(l)[0], props(l)[1]["title"]) for l in case_ann)
    check(got == want, "%s: one ::error (must) or ::warning (should/info) annotation per failed case"
          % name, "want %s\ngot  %s" % (want, got))
    sums = {c["id"]: c["summary"] for c in cases}
    def msg_ok(l):
        # the case's summary, then (when the cause names a call) the cited line:
        # "file_server.c:81: read(csd) ..."
        want_sum = sums.get(props(l)[1]["title"], "").replace("%", "%25") \
            .replace("\r", "%0D").replace("\n", "%0A")
        msg = l.split("::", 2)[2]
        if msg == want_sum:
            return True
        rest = msg[len(want_sum):] if msg.startswith(want_sum + "%0A") else ""
        return re.match(r"%0A[\w.-]+\.c:[0-9]+: ", rest) is not None
    wrong = [l for l in case_ann if not msg_ok(l)]
    check(not wrong, "%s: each annotation's message is the case's summary (and its cited line)" % name, wrong)
    if name == "correct":
        check(not any(l.startswith("::error") for l in ann), "correct: no ::error annotation")
    if name == "memcheck":
        fnd = [f for c in cases if c["memcheck"] for f in c["memcheck"]["findings"]]
        check(any(f["kind"] == "leak-definite" and f["fails"] and f["file"] and f["line"]
                  for f in fnd), "memcheck: results.json has the definite leak with file:line",
              fnd)
        want = sorted("::%s file=%s,line=%d,title=memcheck %s::%s" % (
            "error" if f["fails"] else "warning", f["file"], f["line"], f["kind"], f["what"])
            for f in fnd if f["file"])
        got = sorted(l for l in ann if " file=" in l)
        check(want and got == want,
              "memcheck: one ::error file=FILE,line=LINE annotation per finding in the sources",
              "want %s\ngot  %s" % (want, got))
        with open(os.path.join(T, name, "junit.xml")) as f:
            jx = f.read()
        check(all("memcheck %s: " % f["kind"] in jx for f in fnd),
              "memcheck: junit.xml failure text names the findings")

with open(os.path.join(T, "plain.out"), errors="replace") as f:
    plain = [l for l in f.read().splitlines() if l.startswith("::")]
check(not plain, "without GITHUB_ACTIONS=true no annotations are printed", plain)

sys.exit(1 if bad else 0)
EOF

if [ "$failed" -eq 0 ]; then
	echo "reports: all checks passed"
	exit 0
fi
echo "reports: $failed check(s) failed"
exit 1
