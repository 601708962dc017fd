#!/bin/sh
# One number per student everywhere, on a class of every kind
# (tests/mkclass.sh: the correct and textbook fixtures, a crashing
# submission, one that does not build, the round-trip one that prints and
# sends every byte, every mutant and every variant): grade it on a few
# quick cases per role, then compare per student the terminal's line,
# gradebook.csv, summary.json, summary.html, gradescope.json, autolab.txt and
# results.json (tests/class_check.py). No student is lost, none is an
# `error` (sockcheck could not run a case), the crashing one fails its
# cases with the cause `crash`, and the one that does not build scores 0.
# Usage: sh tests/class.sh [BUILD_DIR]; KEEP=1 keeps the class and output;
# CLASS_SIZE=N grades the first N students of mkclass.sh only (at least 5:
# the correct, textbook, crashing, unbuilt and round-trip ones).
set -eu
BUILD=${1:-build}
SC=$(cd "$BUILD" && pwd)/sockcheck
T=$(mktemp -d /tmp/sockcheck-class.XXXXXX)
trap '[ -n "${KEEP:-}" ] && echo "# kept in $T" || rm -rf "$T"' EXIT
trap 'exit 2' INT TERM
fail() { echo "not ok - $*"; exit 1; }
T0=$(date +%s)
ok() { echo "ok - $* ($(( $(date +%s) - T0 )) s)"; }

n=$(sh tests/mkclass.sh "$T/class" "${CLASS_SIZE:-0}")
[ "$n" -ge 30 ] || [ -n "${CLASS_SIZE:-}" ] || fail "mkclass.sh made $n students, fewer than 30"
ok "a class of $n students (tests/mkclass.sh)"

# a few quick cases: the crash, the round trip's output and reply, a server
# that dies of SIGPIPE, a client of each protocol (make check stays short)
ONLY='echo.server.one-message,echo.client.basic-lines,file.server.sigpipe-on-write'
ONLY="$ONLY,file.client.reply-after-eof,udp.client.basic-lines"
t0=$(date +%s)
timeout 600 "$SC" grade --jobs 2 --only "$ONLY" --format json,html,gradescope,autolab,junit,tap \
    --out "$T/out" "$T/class" >"$T/grade.out" 2>"$T/grade.err" ||
	{ tail -n 20 "$T/grade.out" "$T/grade.err"; fail "grade exited $?"; }
t1=$(date +%s)
grep -q "^$n students: $n graded" "$T/grade.out" || fail "$(cat "$T/grade.out")"
ok "graded $n students in $((t1 - t0)) s (--jobs 2, 5 cases per student)"

python3 tests/class_check.py "$T/out" --terminal "$T/grade.err" ||
	fail "the outputs disagree"
ok "every student: one number in every output"

python3 - "$T/out" <<'PYEOF' || fail "the crashing and the unbuilt submissions"
import csv, json, sys
out = sys.argv[1]
rows = {r["student"]: r for r in csv.DictReader(open(out + "/gradebook.csv", newline=""))}
assert rows["no-build"]["build"] == "failed" and rows["no-build"]["total"] == "0", rows["no-build"]
assert rows["correct"]["build"] == "ok", rows["correct"]
res = json.load(open(out + "/students/crash/results.json"))
c = next(c for c in res["cases"] if c["id"] == "echo.server.one-message")
causes = [k["cause"] for k in c["checks"] if not k["ok"]]
assert c["verdict"] == "fail" and "crash" in causes, (c["verdict"], causes, c["summary"])
assert rows["crash"]["echo.server.one-message"] == "0", rows["crash"]
junit = open(out + "/students/crash/junit.xml").read()
assert "<failure" in junit and "<error" not in junit, "crash: JUnit error, not failure"
summ = json.load(open(out + "/summary.json"))
ec = next(c for c in summ["cases"] if c["id"] == "echo.server.one-message")
assert ec["errors"] == 0, ec
print("crash: fail (crash), JUnit failure; no-build: 0, build failed")
PYEOF
ok "a crash fails its case (cause crash, JUnit failure); no error anywhere"
