#!/bin/sh
# sockcheck grade on a class of six: the correct fixture, three mutants (one
# of them with two bugs, one charged in the case for it), one
# that does not build, one with no programs (and a name that needs CSV
# quoting). Checks gradebook.csv value by value against the mutants'
# declared failures, the hidden case in student-view reports, resume (an
# unchanged class is skipped, a changed student and a changed assignment
# are graded again), and that two shards merged give the same gradebook.csv
# and summary.md as one run, also for a class of slow textbook-style
# programs graded in two shards at once. Usage: sh tests/grade.sh [BUILD_DIR]
set -eu
BUILD=${1:-build}
SC=$(cd "$BUILD" && pwd)/sockcheck
ROOT=$(pwd)
T=$(mktemp -d /tmp/sockcheck-grade.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT INT TERM
JOBS="--jobs 2"
# every sockcheck is bounded: a hang is a failure, not a stuck `make check`
sc() { timeout 300 "$SC" "$@"; }
fail() { echo "not ok - $*"; exit 1; }
T0=$(date +%s)
ok() { echo "ok - $* ($(( $(date +%s) - T0 )) s)"; }

# ---- the class ----
student() {	# NAME [MUTANT...]: fixtures/correct (sources only), with the mutants' patches
	name=$1
	shift
	mkdir -p "$T/class/$name"
	(cd fixtures/correct && tar cf - --exclude=echo_server --exclude=echo_client \
	    --exclude=file_server --exclude=file_client --exclude=udp_echo_server --exclude=udp_echo_client --exclude='*.o' --exclude=build .) |
	    (cd "$T/class/$name" && tar xf -)
	for m in "$@"; do
		patch -s -p1 -d "$T/class/$name" <"fixtures/mutants/$m/bug.patch"
	done
}
student alice
# bob's UDP client: a should-case comes first in the suite, but a must-case
# pays for the fault (one fault, one charge, in the case for it)
student bob no-shutdown udp-off-by-one
student carol connect-fail-exit-0
student frank strlen-echo
student dave
printf 'int broken(\n' >>"$T/class/dave/echo_server.c"
mkdir -p "$T/class/erin, jr"
echo "I did not finish" >"$T/class/erin, jr/README"
mkdir -p "$T/class/.hidden-not-a-student"
echo "not a directory" >"$T/class/notes.txt"

# Cases chosen to be quick; carol's one failure is a hidden case.
cat >"$T/asg.yaml" <<'EOF'
title: "grade.sh: a small assignment"
cases:
  - select: ["echo.client.*", "file.server.*", "echo.server.binary-nul", "echo.server.one-message",
              "udp.client.near-64k", "udp.client.sizes-*"]
  - select: ["file.server.large-32mib", "file.server.slow-reader", "file.server.short-writes"]
    exclude: true
  # the class's programs are IPv4 only, as the lecture's
  - select: "*.ipv6"
    exclude: true
  - select: "file.server.text"
    points: 5
  - select: "echo.client.connection-refused"
    hidden: true
EOF

# gradebook.csv against the fixtures: every case its points, but 0 for the
# cases the student's mutant declares (must_fail, inject_fail) unless charged
# in another case of the assignment (charged_in), all 0 for
# dave (build failed) and erin (no programs). Columns from manifest.json.
check_gradebook() {	# OUT_DIR
	python3 - "$1" "$ROOT" <<'EOF'
import csv, json, os, sys
import yaml
out, root = sys.argv[1], sys.argv[2]
man = json.load(open(os.path.join(out, "manifest.json")))
points = {c["id"]: c["points"] for c in man["cases"]}
ids = [c["id"] for c in man["cases"]]
rows = list(csv.reader(open(os.path.join(out, "gradebook.csv"), newline="")))
head, body = rows[0], rows[1:]
assert head[:4] == ["student", "total", "max", "build"], head[:4]
assert head[4:] == ids, "columns %s != manifest %s" % (head[4:], ids)
mutant = {"alice": [], "bob": ["no-shutdown", "udp-off-by-one"],
          "carol": ["connect-fail-exit-0"], "frank": ["strlen-echo"]}
builds = {"alice": "ok", "bob": "ok", "carol": "ok", "frank": "ok", "dave": "failed",
          "erin, jr": "no-programs"}
names = [r[0] for r in body]
assert names == sorted(builds), "students %s" % names
maxp = sum(points.values())
for r in body:
    name, total, mx, build, vals = r[0], int(r[1]), int(r[2]), r[3], [int(v) for v in r[4:]]
    assert mx == maxp, (name, mx, maxp)
    assert build == builds[name], (name, build)
    if name in mutant:
        bad, charged = set(), {}
        for m in mutant[name]:
            fx = yaml.safe_load(open(os.path.join(root, "fixtures/mutants", m,
                                                  "fixture.yaml")))
            bad |= set(fx.get("must_fail") or []) | set(fx.get("inject_fail") or [])
            charged.update(fx.get("charged_in") or {})
        # one fault, one charge: a declared failure whose cause was charged
        # in another case, the case for it (fixture.yaml's charged_in), keeps
        # its points when that case is in the assignment too
        want = [0 if i in bad and charged.get(i) not in ids else points[i] for i in ids]
        assert set(ids) & bad or not mutant[name], "%s: the assignment has none of its failures" % name
    else:
        want = [0] * len(ids)
    assert vals == want, "%s: got %s, want %s" % (name, dict(zip(ids, vals)), dict(zip(ids, want)))
    assert total == sum(want), (name, total, sum(want))
print("gradebook ok: %d students, %d cases, max %d" % (len(body), len(ids), maxp))
EOF
}

# the cases a student did not pass, with why (for failure messages)
not_passed() {
	python3 -c 'import json, sys
for c in json.load(open(sys.argv[1]))["cases"]:
    if c["verdict"] != "pass":
        print(c["id"], c["verdict"], c.get("summary", ""))' "$T/one/students/$1/results.json"
}

# ---- one run ----
sc grade --assignment "$T/asg.yaml" $JOBS --student-format md,json --format json,junit \
    --out "$T/one" "$T/class" >"$T/one.out" 2>"$T/one.err" || {
	cat "$T/one.out" "$T/one.err"; fail "grade exited $?"; }
cat "$T/one.out"
grep -q '^6 students: 6 graded, 0 unchanged' "$T/one.out" || fail "first run: $(cat "$T/one.out")"
grep -q '^grade: \[6/6\]' "$T/one.err" || fail "no plain progress lines: $(cat "$T/one.err")"
check_gradebook "$T/one" || fail "gradebook of one run"
ok "one run: gradebook.csv values"

# on a terminal: a bar that moves with the cases, before any student is done
if command -v script >/dev/null 2>&1; then
	mkdir -p "$T/ttyclass"
	cp -R "$T/class/alice" "$T/ttyclass/"
	script -qec "timeout 300 '$SC' grade --jobs 2 --only 'echo.*' --out '$T/tty' '$T/ttyclass'" \
	    /dev/null </dev/null >"$T/tty.out" 2>&1 || fail "grade on a terminal: $(cat "$T/tty.out")"
	tr '\r' '\n' <"$T/tty.out" | grep -Eq '\] 0/1 students +[1-9][0-9]?%  .* ETA [0-9]+m[0-9]{2}s' ||
		fail "no progress bar moving with the cases: $(tr '\r' '\n' <"$T/tty.out" | head -n 5)"
	tr '\r' '\n' <"$T/tty.out" | grep -q '\] 1/1 students 100%.*last: alice ' ||
		fail "the bar does not end at 1/1: $(tr '\r' '\n' <"$T/tty.out" | tail -n 3)"
	ok "progress bar on a terminal, per case, with an ETA"
else
	echo "skip - progress bar on a terminal (no script(1))"
fi

# reports per student; the failed build's log; nothing for the non-students
for s in alice bob carol frank "erin, jr"; do
	for f in results.json junit.xml grade.json build.log student/summary.md student/results.json; do
		[ -f "$T/one/students/$s/$f" ] || fail "students/$s/$f missing"
	done
done
[ -f "$T/one/students/dave/build.log" ] || fail "dave: no build.log"
grep -q 'error' "$T/one/students/dave/build.log" || fail "dave's build.log has no compiler error"
[ ! -e "$T/one/students/dave/results.json" ] || fail "dave: results.json although the build failed"
[ ! -e "$T/one/students/.hidden-not-a-student" ] && [ ! -e "$T/one/students/notes.txt" ] ||
	fail "a dot directory or a file was graded"
[ ! -e "$T/one/students/bob/work/build" ] || fail "bob's built copy was kept"
ok "per-student reports and build log"

# the hidden case: in full for the instructor, "hidden case: failed" for carol
python3 - "$T/one/students/carol" <<'EOF' || fail "hidden case in the reports"
import json, sys
d = sys.argv[1]
full = {c["id"]: c for c in json.load(open(d + "/results.json"))["cases"]}
stud = {c["id"]: c for c in json.load(open(d + "/student/results.json"))["cases"]}
cid = "echo.client.connection-refused"
assert full[cid]["hidden"] and full[cid]["verdict"] == "fail", full[cid]
assert full[cid]["summary"] and full[cid]["summary"] != "hidden case: failed", full[cid]["summary"]
assert full[cid].get("hint"), "the instructor's report has no hint"
assert stud[cid]["summary"] == "hidden case: failed", stud[cid]
for k in ("hint", "diagnosis", "checks", "processes"):
    assert not stud[cid].get(k), "student view shows %s" % k
md = open(d + "/student/summary.md").read()
assert "hidden case: failed" in md, md
assert full[cid]["hint"] not in md, "the hint leaks into the student's summary.md"
print("hidden case ok")
EOF
ok "hidden case: full for the instructor, 'hidden case: failed' for the student"

grep -q '^# Grading summary: grade.sh: a small assignment' "$T/one/summary.md" || fail "summary title"
grep -q '^### `file.server.empty-file`: 1 of 4 students' "$T/one/summary.md" ||
	fail "summary: bob's file.server.empty-file failure: $(cat "$T/one/summary.md")"
grep -q '^- dave: failed' "$T/one/summary.md" || fail "summary: dave's build"
ok "summary.md"

# ---- resume ----
cp "$T/one/gradebook.csv" "$T/gradebook.first"
sc grade --assignment "$T/asg.yaml" $JOBS --student-format md,json --format json,junit \
    --out "$T/one" "$T/class" >"$T/two.out" 2>&1 || fail "second run: $(cat "$T/two.out")"
grep -q '^6 students: 0 graded, 6 unchanged' "$T/two.out" || fail "resume: $(cat "$T/two.out")"
cmp -s "$T/one/gradebook.csv" "$T/gradebook.first" || fail "resume changed gradebook.csv"
ok "resume: an unchanged class is skipped"

# a report format not written before: those students are graded again
echo '/* resubmitted */' >>"$T/class/carol/echo_client.c"
sc grade --assignment "$T/asg.yaml" $JOBS --student-format md,json --format json,junit \
    --out "$T/one" "$T/class" >"$T/three.out" 2>&1 || fail "third run: $(cat "$T/three.out")"
grep -q '^6 students: 1 graded, 5 unchanged' "$T/three.out" || fail "changed student: $(cat "$T/three.out")"
grep -q '\] carol: ' "$T/three.out" || fail "carol was not the one graded: $(cat "$T/three.out")"
cmp -s "$T/one/gradebook.csv" "$T/gradebook.first" ||
	fail "gradebook changed: $(diff "$T/gradebook.first" "$T/one/gradebook.csv"; not_passed carol)"
ok "resume: a changed submission is graded again"

# an interrupted student (no stamp) is graded again
rm "$T/one/students/frank/grade.json"
sc grade --assignment "$T/asg.yaml" $JOBS --student-format md,json --format json,junit \
    --out "$T/one" "$T/class" >"$T/four.out" 2>&1 || fail "fourth run: $(cat "$T/four.out")"
grep -q '^6 students: 1 graded, 5 unchanged' "$T/four.out" && grep -q '\] frank: ' "$T/four.out" ||
	fail "unfinished student: $(cat "$T/four.out")"
ok "resume: an unfinished student is graded again"

# a changed assignment grades everyone again, with the new points
sed 's/points: 5/points: 7/' "$T/asg.yaml" >"$T/asg7.yaml"
sc grade --assignment "$T/asg7.yaml" $JOBS --out "$T/one" "$T/class" >"$T/five.out" 2>&1 ||
	fail "fifth run: $(cat "$T/five.out")"
grep -q '^6 students: 6 graded, 0 unchanged' "$T/five.out" || fail "new points: $(cat "$T/five.out")"
check_gradebook "$T/one" >/dev/null || fail "gradebook with the new points"
# alice has every point (the maximum follows the suite: check_gradebook checks the sum)
grep -q '^alice,\([0-9][0-9]*\),\1,ok' "$T/one/gradebook.csv" ||
	fail "alice: $(grep alice "$T/one/gradebook.csv")"
ok "resume: a changed assignment grades everyone again"

# ---- shards and merge ----
# the two shards at the same time, as on two machines
for k in 1 2; do
	(sc grade --assignment "$T/asg7.yaml" $JOBS --shard $k/2 --out "$T/shard$k" "$T/class" \
	    >"$T/shard$k.out" 2>&1; echo $? >"$T/shard$k.rc") &
done
wait
for k in 1 2; do
	[ "$(cat "$T/shard$k.rc")" = 0 ] || fail "shard $k: $(cat "$T/shard$k.out")"
done
python3 - "$T" <<'EOF' || fail "shards do not split the class"
import json, sys
t = sys.argv[1]
a = json.load(open(t + "/shard1/manifest.json"))
b = json.load(open(t + "/shard2/manifest.json"))
assert (a["shard"], b["shard"]) == ({"k": 1, "n": 2}, {"k": 2, "n": 2}), (a["shard"], b["shard"])
sa, sb = set(a["students"]), set(b["students"])
assert not sa & sb, sa & sb
assert sa | sb == {"alice", "bob", "carol", "dave", "erin, jr", "frank"}, sa | sb
print("shard 1: %s; shard 2: %s" % (sorted(sa), sorted(sb)))
EOF
sc merge "$T/merged" "$T/shard1" "$T/shard2" >"$T/merge.out" 2>&1 || fail "merge: $(cat "$T/merge.out")"
diff "$T/one/gradebook.csv" "$T/merged/gradebook.csv" || fail "merged gradebook.csv differs from one run's"
check_gradebook "$T/merged" >/dev/null || fail "merged gradebook values"
ok "two shards merged: the same gradebook.csv as one run"

# summary.md: the merged one and a single run's over the same results are
# the same bytes (a run into a directory holding every student's results
# grades no one again and writes its own gradebook and summary)
mkdir -p "$T/single/students"
cp -R "$T/shard1/students/." "$T/shard2/students/." "$T/single/students/"
sc grade --assignment "$T/asg7.yaml" $JOBS --out "$T/single" "$T/class" >"$T/single.out" 2>&1 ||
	fail "single: $(cat "$T/single.out")"
grep -q '^6 students: 0 graded, 6 unchanged' "$T/single.out" || fail "single: $(cat "$T/single.out")"
diff "$T/single/summary.md" "$T/merged/summary.md" || fail "merged summary.md differs from one run's"
diff "$T/single/gradebook.csv" "$T/merged/gradebook.csv" || fail "gradebook differs"
[ -f "$T/merged/students/bob/results.json" ] || fail "merge did not copy the students' reports"
ok "two shards merged: the same summary.md as one run"

# merge refuses what would not be one class
if sc merge "$T/bad" "$T/shard1" >"$T/bad.out" 2>&1; then fail "merge of 1 of 2 shards succeeded"; fi
grep -q 'shard 2/2 is missing' "$T/bad.out" || fail "missing shard: $(cat "$T/bad.out")"
if sc merge "$T/bad" "$T/shard1" "$T/shard1" "$T/shard2" >"$T/bad.out" 2>&1; then
	fail "merge with a shard twice succeeded"; fi
grep -q 'given twice' "$T/bad.out" || fail "duplicate shard: $(cat "$T/bad.out")"
if sc merge "$T/bad" "$T/shard1" "$T/one" >"$T/bad.out" 2>&1; then fail "merge of unrelated dirs"; fi
if sc merge "$T/bad" "$T/class" >"$T/bad.out" 2>&1; then fail "merge of a non-grade dir"; fi
grep -q 'no manifest.json' "$T/bad.out" || fail "non-grade dir: $(cat "$T/bad.out")"
ok "merge refuses missing, duplicate and foreign shards"

# usage errors exit 2
for args in "--shard 3/2 $T/class" "--shard x $T/class" "--jobs 0 $T/class" "$T/nope" \
    "--format pdf $T/class" "--assignment $T/nope.yaml $T/class"; do
	set +e
	sc grade --out "$T/usage" $args >/dev/null 2>&1
	rc=$?
	set -e
	[ $rc -eq 2 ] || fail "grade $args exited $rc, not 2"
done
ok "usage errors exit 2"
# ---- an installed sockcheck finds its peers, its suite and the example assignment ----
make -s install PREFIX="$T/inst" BUILD="$BUILD" >"$T/install.out" 2>&1 ||
	fail "make install: $(cat "$T/install.out")"
mkdir -p "$T/class1"
cp -R "$T/class/alice" "$T/class1/"
(cd / && timeout 300 "$T/inst/bin/sockcheck" grade --out "$T/inst-out" \
    --assignment "$T/inst/share/sockcheck/assignments/echo-file.yaml" \
    --only 'echo.server.one-message,file.client.text' "$T/class1") >"$T/inst.out" 2>&1 ||
	fail "installed grade: $(cat "$T/inst.out")"
head -1 "$T/inst-out/gradebook.csv" | grep -qx 'student,total,max,build,echo.server.one-message,file.client.text' ||
	fail "installed: $(cat "$T/inst-out/gradebook.csv")"
grep -qx 'alice,4,4,ok,2,2' "$T/inst-out/gradebook.csv" || fail "installed: $(cat "$T/inst-out/gradebook.csv")"
grep -q "\"suite\": \"$T/inst/bin/../share/sockcheck/scenarios\"" "$T/inst-out/students/alice/results.json" ||
	fail "installed: not the installed suite: $(grep '"suite"' "$T/inst-out/students/alice/results.json")"
ok "make install: the installed sockcheck grades with its own peers, suite and assignment"

# ---- a case the harness could not run is run once more ----
# A sockcheck whose reference file_server fails to come up the first time
# a case starts it (the build tree's layout: NAME/sockcheck, NAME/reference/,
# NAME/../scenarios). A case gives it --events; the convention finder, which
# starts it first to watch the client, does not (had the finder's start
# failed, the case would have run once and passed without any retry).
mkdir -p "$T/flaky/reference" "$T/flaky/lib" "$T/flakyclass"
cp "$SC" "$T/flaky/sockcheck"
ln -s "$ROOT/scenarios" "$T/scenarios"
for p in "$BUILD"/reference/*; do ln -s "$(cd "$(dirname "$p")" && pwd)/$(basename "$p")" "$T/flaky/reference/"; done
[ -f "$BUILD/lib/libscinject.so" ] && ln -s "$(cd "$BUILD/lib" && pwd)/libscinject.so" "$T/flaky/lib/"
rm "$T/flaky/reference/file_server"
printf '#!/bin/sh\ncase " $* " in *" --events "*) if [ ! -e %s/flaky/once ]; then : >%s/flaky/once; exit 3; fi ;; esac\nexec %s/reference/file_server "$@"\n' \
    "$T" "$T" "$(cd "$BUILD" && pwd)" >"$T/flaky/reference/file_server"
chmod 755 "$T/flaky/reference/file_server"
cp -R "$T/class/alice" "$T/flakyclass/"
timeout 300 "$T/flaky/sockcheck" grade --only 'file.client.text,echo.server.one-message' \
    --out "$T/flaky-out" "$T/flakyclass" >"$T/flaky.out" 2>&1 || fail "flaky peer: $(cat "$T/flaky.out")"
[ -e "$T/flaky/once" ] || fail "flaky peer: the wrapper never ran"
grep -qx 'alice,4,4,ok,2,2' "$T/flaky-out/gradebook.csv" ||
	fail "a harness error cost points: $(cat "$T/flaky-out/gradebook.csv")"
ok "a case the harness could not run is run again"

# grade --no-retry: nothing hides it; the case ends in an error and costs its points
rm -f "$T/flaky/once"
timeout 300 "$T/flaky/sockcheck" grade --no-retry --only 'file.client.text,echo.server.one-message' \
    --out "$T/flaky-noretry" "$T/flakyclass" >"$T/flaky-noretry.out" 2>&1
[ -e "$T/flaky/once" ] || fail "grade --no-retry: the wrapper never ran"
grep -qx 'alice,2,4,ok,2,0' "$T/flaky-noretry/gradebook.csv" ||
	fail "grade --no-retry: the harness error was hidden: $(cat "$T/flaky-noretry/gradebook.csv")"
python3 -c 'import json, sys
cs = {c["id"]: c for c in json.load(open(sys.argv[1]))["cases"]}
c = cs["file.client.text"]
assert c["verdict"] == "error", c["verdict"]
assert "did not start listening" in c["summary"] + (c.get("diagnosis") or ""), c' \
    "$T/flaky-noretry/students/alice/results.json" ||
	fail "grade --no-retry: not the first outcome: $(cat "$T/flaky-noretry.out")"
ok "grade --no-retry: a case the harness could not run keeps its error"

# `run` retries it too, and the case says why it was run twice: how the
# reference server ended (status 3, as the wrapper exits the first time)
rm -f "$T/flaky/once"
# (--no-finder: the convention finder would start the reference server first)
timeout 300 "$T/flaky/sockcheck" run --no-finder --only 'file.client.text' --report-dir "$T/flaky-run" \
    "$T/flakyclass/alice" >"$T/flaky-run.out" 2>&1 || fail "run with a flaky peer: $(cat "$T/flaky-run.out")"
python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["cases"][0]
want = ("This is a second attempt; the first could not run the case: the reference "
        "file_server did not start listening on port ")
assert c["verdict"] == "pass", c
assert want in (c.get("diagnosis") or ""), c.get("diagnosis")
assert ": it exited with status 3 after " in c["diagnosis"], c["diagnosis"]' \
    "$T/flaky-run/results.json" || fail "run: no retry or no reason: $(cat "$T/flaky-run.out")"
ok "run retries a case the harness could not run, and says how the peer failed"

# ---- the recipes of docs/grading.md (examples/), on a small class ----
# Each splits the class into shards its own way and merges them; the
# gradebook must be the one of a single run.
mkdir -p "$T/rclass" "$T/bin" "$T/rt/sockcheck"
for s in alice carol frank; do cp -R "$T/class/$s" "$T/rclass/"; done
TINY="$T/rt/sockcheck/tiny.yaml"
printf 'cases:\n  - select: ["echo.server.one-message", "echo.server.binary-nul", "echo.client.connection-refused"]\n' \
    >"$TINY"
ln -s "$SC" "$T/bin/sockcheck"
# already root: "sudo [options] CMD" runs CMD
printf '#!/bin/sh\nwhile [ $# -gt 0 ]; do case $1 in -*) shift ;; *) break ;; esac; done\nexec "$@"\n' \
    >"$T/bin/sudo"
chmod +x "$T/bin/sudo"
sc grade --assignment "$TINY" --jobs 2 --out "$T/r-one" "$T/rclass" >"$T/r-one.out" 2>&1 ||
	fail "recipes: single run: $(cat "$T/r-one.out")"

# Slurm job array: the batch script with the variables Slurm sets
for k in 1 2 3; do
	SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=3 SLURM_CPUS_PER_TASK=2 SOCKCHECK="$SC" \
	    ASSIGNMENT="$TINY" CLASS="$T/rclass" OUT="$T/r-slurm" \
	    timeout 300 sh examples/slurm-grade.sbatch >"$T/r-slurm.out" 2>&1 ||
		fail "slurm task $k: $(cat "$T/r-slurm.out")"
done
sc merge "$T/r-slurm/all" "$T/r-slurm/shard-1" "$T/r-slurm/shard-2" "$T/r-slurm/shard-3" \
    >"$T/r-slurm.out" 2>&1 || fail "slurm merge: $(cat "$T/r-slurm.out")"
diff "$T/r-one/gradebook.csv" "$T/r-slurm/all/gradebook.csv" || fail "slurm recipe: gradebook differs"
ok "recipe: Slurm job array"

# Kubernetes Indexed Job: the container's command with JOB_COMPLETION_INDEX
cat >"$T/k8s.py" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
spec = job["spec"]
c = spec["template"]["spec"]["containers"][0]
env = {e["name"]: e["value"] for e in c["env"]}
assert spec["completionMode"] == "Indexed" and spec["completions"] == int(env["SHARDS"]), spec
assert c["command"] == ["/bin/sh", "-c"], c["command"]
print(c["args"][0])
PY
python3 "$T/k8s.py" examples/k8s-grade-job.yaml >"$T/k8s.sh" || fail "k8s job: no command"
for i in 0 1 2; do
	JOB_COMPLETION_INDEX=$i SHARDS=3 ASSIGNMENT="$TINY" CLASS="$T/rclass" OUT="$T/r-k8s" \
	    PATH="$T/bin:$PATH" timeout 300 sh -c "$(cat "$T/k8s.sh")" >"$T/r-k8s.out" 2>&1 ||
		fail "k8s index $i: $(cat "$T/r-k8s.out")"
done
(cd "$T/r-k8s" && PATH="$T/bin:$PATH" timeout 300 sh -c 'sockcheck merge all shard-*') \
    >"$T/r-k8s.out" 2>&1 || fail "k8s merge: $(cat "$T/r-k8s.out")"
diff "$T/r-one/gradebook.csv" "$T/r-k8s/all/gradebook.csv" || fail "k8s recipe: gradebook differs"
ok "recipe: Kubernetes Indexed Job"

# GitHub Actions matrix: the shard step's script for each matrix value, the
# artifacts downloaded as shards/shard-K, the merge step's script
cat >"$T/gha.py" <<'PY'
import os, sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
shards = wf["jobs"]["shard"]["strategy"]["matrix"]["shard"]
step = [s for s in wf["jobs"]["shard"]["steps"] if s.get("name", "").startswith("Grade shard")][0]
for k in shards:
    run = step["run"].replace("${{ matrix.shard }}", str(k)).replace(
        "${{ strategy.job-total }}", str(len(shards)))
    open(os.path.join(out, "shard-%d.sh" % k), "w").write(run)
merge = [s for s in wf["jobs"]["merge"]["steps"] if s.get("name") == "Merge"][0]["run"]
open(os.path.join(out, "merge.sh"), "w").write(merge)
open(os.path.join(out, "count"), "w").write(str(len(shards)))
PY
python3 "$T/gha.py" examples/grade-matrix.yml "$T/gha" || fail "matrix workflow"
mkdir -p "$T/gha/shards"
k=1
while [ $k -le "$(cat "$T/gha/count")" ]; do
	(cd "$T/gha" && ASSIGNMENT="$TINY" CLASS="$T/rclass" PATH="$T/bin:$PATH" \
	    timeout 300 bash -e "shard-$k.sh") >"$T/gha.out" 2>&1 || fail "matrix shard $k: $(cat "$T/gha.out")"
	mv "$T/gha/shard-$k" "$T/gha/shards/"
	k=$((k + 1))
done
(cd "$T/gha" && GITHUB_STEP_SUMMARY="$T/gha/step-summary" PATH="$T/bin:$PATH" \
    timeout 300 bash -e merge.sh) >"$T/gha.out" 2>&1 || fail "matrix merge: $(cat "$T/gha.out")"
diff "$T/r-one/gradebook.csv" "$T/gha/grades/gradebook.csv" || fail "matrix recipe: gradebook differs"
grep -q '^# Grading summary' "$T/gha/step-summary" || fail "matrix recipe: no step summary"
ok "recipe: GitHub Actions matrix"

# GNU parallel (this machine as the ssh login ":")
if command -v parallel >/dev/null 2>&1; then
	SOCKCHECK="$SC" timeout 300 sh examples/parallel-grade.sh 3 2/: "$TINY" "$T/rclass" "$T/r-par" \
	    >"$T/r-par.out" 2>&1 || fail "parallel recipe: $(cat "$T/r-par.out")"
	diff "$T/r-one/gradebook.csv" "$T/r-par/all/gradebook.csv" || fail "parallel recipe: gradebook differs"
	ok "recipe: GNU parallel"
else
	echo "skip - recipe: GNU parallel (not installed)"
fi

# the course repository workflow: its "Run sockcheck" step on carol's repository
cat >"$T/ci.py" <<'PY'
import sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
print([s for s in wf["jobs"]["sockcheck"]["steps"] if s.get("name") == "Run sockcheck"][0]["run"])
PY
python3 "$T/ci.py" examples/github-actions.yml >"$T/ci-run.sh" || fail "course workflow"
cp -R "$T/class/carol" "$T/ws"
(cd "$T/ws" && GITHUB_ACTIONS=true RUNNER_TEMP="$T/rt" ASSIGNMENT=tiny.yaml SUBMISSION=. \
    REPORTS=sockcheck-reports GITHUB_OUTPUT="$T/ci-output" GITHUB_STEP_SUMMARY="$T/ci-summary" \
    PATH="$T/bin:$PATH" timeout 300 bash -e "$T/ci-run.sh") >"$T/ci.out" 2>&1 ||
	fail "course workflow step: $(cat "$T/ci.out")"
grep -qx 'status=1' "$T/ci-output" || fail "course workflow: $(cat "$T/ci-output")"
grep -Eq '^::error file=echo_client.c,line=[0-9]+,title=echo.client.connection-refused::' "$T/ci.out" ||
	fail "course workflow: no annotation: $(cat "$T/ci.out")"
grep -q 'echo.client.connection-refused' "$T/ci-summary" || fail "course workflow: no job summary"
for f in results.json junit.xml results.tap summary.md report.html; do
	[ -f "$T/ws/sockcheck-reports/$f" ] || fail "course workflow: no $f"
done
ok "recipe: the course repository workflow (annotations, job summary, reports)"
# ---- shards on a class of slow textbook-style programs ----
# Two textbook students (fixtures/textbook: BUF_SIZE 30, many small writes)
# among a correct and a mutant one, on the large and slow-reader cases:
# two shards graded at the same time (each one's load slows the other down)
# and merged give the same gradebook.csv as one run, and the textbook
# students, correct programs, get every point in both.
for n in tina zoe; do
	mkdir -p "$T/slow/$n"
	cp fixtures/textbook/*.c fixtures/textbook/Makefile "$T/slow/$n/"
done
mkdir -p "$T/slow/alice" "$T/slow/bob"
cp -R "$T/class/alice/." "$T/slow/alice/"
cp -R "$T/class/bob/." "$T/slow/bob/"
cat >"$T/slow.yaml" <<'EOF'
title: "grade.sh: slow programs"
cases:
  - select: ["file.server.large-32mib", "file.client.large-32mib", "file.server.slow-reader",
             "echo.server.slow-reader", "echo.server.one-mebibyte", "file.server.text",
             "file.client.text", "file.server.client-closes-early",
             "file.server.half-close-thank-you"]
EOF
sc grade --assignment "$T/slow.yaml" $JOBS --out "$T/slow-one" "$T/slow" >"$T/slow-one.out" 2>&1 ||
	fail "slow class, one run: $(cat "$T/slow-one.out")"
for k in 1 2; do
	(sc grade --assignment "$T/slow.yaml" $JOBS --shard $k/2 --out "$T/slow-shard$k" "$T/slow" \
	    >"$T/slow-shard$k.out" 2>&1; echo $? >"$T/slow-shard$k.rc") &
done
wait
for k in 1 2; do
	[ "$(cat "$T/slow-shard$k.rc")" = 0 ] || fail "slow class, shard $k: $(cat "$T/slow-shard$k.out")"
done
sc merge "$T/slow-merged" "$T/slow-shard1" "$T/slow-shard2" >"$T/slow-merge.out" 2>&1 ||
	fail "slow class, merge: $(cat "$T/slow-merge.out")"
diff "$T/slow-one/gradebook.csv" "$T/slow-merged/gradebook.csv" ||
	fail "slow class: the merged gradebook.csv differs from one run's"
python3 - "$T/slow-one/gradebook.csv" <<'PY' || fail "slow class: $(cat "$T/slow-one/gradebook.csv")"
import csv, sys
rows = {r[0]: r for r in list(csv.reader(open(sys.argv[1], newline="")))[1:]}
for n in ("tina", "zoe", "alice"):
    assert rows[n][1] == rows[n][2], "%s: %s of %s" % (n, rows[n][1], rows[n][2])
# bob (no-shutdown) loses the half-close case's points: one fault, one charge
# makes the missing EOF a note in the data cases
assert int(rows["bob"][1]) < int(rows["bob"][2]), rows["bob"]
PY
ok "slow textbook programs: two shards merged give one run's gradebook, full marks for the textbook"
echo "all grade tests passed"
