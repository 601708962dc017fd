#!/bin/sh
# Every byte a program prints or sends comes back from every file sockcheck
# writes. fixtures/variants/fc-every-byte prints every byte value 0-255 on
# standard error (0-127 on standard output: valid UTF-8 with its NULs),
# replies "Thank you\0" and the 256
# values, and saves into "received f\xe9 file.dat" (a space, and a byte that
# is not UTF-8). Graded in a class of three, once and as two shards merged,
# then summarised:
#   - results.json holds its output byte for byte (tests/jsonio.py decodes
#     sockcheck's strings: reference/jsonio.h), the finder's line its file
#     name, the reference server's event log its reply, grade.json its name;
#   - the student has its score in gradebook.csv (not "error", not 0), the
#     same in every output (tests/class_check.py), and the merged shards
#     give the same gradebook.csv, summary.md and summary.json as one run;
#   - nothing is silently zero: a results.json that cannot be read leaves
#     empty cells with the reason, `merge` exits 1 naming the student and the
#     file, and `grade` again grades exactly that student.
# Usage: sh tests/roundtrip.sh [BUILD_DIR]; KEEP=1 keeps the class and output.
set -eu
BUILD=${1:-build}
SC=$(cd "$BUILD" && pwd)/sockcheck
T=$(mktemp -d /tmp/sockcheck-roundtrip.XXXXXX)
trap '[ -n "${KEEP:-}" ] && echo "# kept in $T" || rm -rf "$T"' EXIT
trap 'exit 2' INT TERM
fail() { echo "not ok - $*"; exit 1; }
T0=$(date +%s)
ok() { echo "ok - $* ($(( $(date +%s) - T0 )) s)"; }
sc() { timeout 300 "$SC" "$@"; }

EB="every byte"
mkdir -p "$T/class/$EB" "$T/class/alice" "$T/class/bob"
cp fixtures/variants/fc-every-byte/Makefile fixtures/variants/fc-every-byte/file_client.c "$T/class/$EB/"
cp fixtures/correct/Makefile fixtures/correct/*.c "$T/class/alice/"
cp fixtures/textbook/Makefile fixtures/textbook/*.c "$T/class/bob/"
ONLY='file.client.binary-nul,file.client.reply-after-eof,file.client.text'
FMT=json,html,gradescope,autolab,junit,tap,md

sc grade --jobs 2 --keep --only "$ONLY" --format $FMT --out "$T/one" "$T/class" \
    >"$T/one.out" 2>"$T/one.err" || { cat "$T/one.out" "$T/one.err"; fail "grade exited $?"; }
python3 tests/class_check.py "$T/one" --terminal "$T/one.err" || fail "one run: the outputs disagree"
ok "one run: one number per student in every output"

python3 - "$T/one" "$EB" <<'PYEOF' || fail "the bytes did not come back"
import glob, json, os, sys
sys.path.insert(0, "tests")
from jsonio import decode
out, name = sys.argv[1], sys.argv[2]
every = bytes(range(256))
sd = os.path.join(out, "students", name)
res = json.load(open(os.path.join(sd, "results.json")))
ran = 0
for c in res["cases"]:
    st = next(p for p in c["processes"] if p["role"] == "student")
    if not st["stdout"]["head"]:
        continue
    ran += 1
    assert decode(st["stdout"]["head"]).startswith(every[:128] + b"\nReceived file data\n"), (c["id"], st["stdout"]["head"][:40])
    assert decode(st["stderr"]["head"]) == every + b"\n", (c["id"], st["stderr"]["head"][:40])
assert ran == 3, ran
conv = [decode(l) for l in res["conventions"]]
assert any(b"writes received f\xe9 file.dat" in l for l in conv), conv
# the reference server's event log: the reply, byte for byte
replies = []
for c in res["cases"]:
    for p in c["processes"]:
        if p.get("events") and os.path.exists(p["events"]):
            for line in open(p["events"], "rb"):
                ev = json.loads(line)
                if ev.get("ev") == "reply":
                    replies.append(decode(ev["text"]))
# (the peer keeps the first 256 bytes of a reply)
assert replies and all(len(r) == 256 and (b"Thank you\0" + every).startswith(r)
                       for r in replies), replies[:1]
# the finder's cache: the file name
names = set()
for f in glob.glob(os.path.join(sd, "work", "**", "finder-cache", "*.json"), recursive=True):
    names.add(decode(json.load(open(f)).get("out")))
assert b"received f\xe9 file.dat" in names, names
stamp = json.load(open(os.path.join(sd, "grade.json")))
assert decode(stamp["student"]) == name.encode(), stamp["student"]
print("stdout, stderr (3 cases), the finder's line and cache, %d replies in the event logs, grade.json" % len(replies))
PYEOF
ok "results.json, the event logs, the finder cache and grade.json keep every byte"

# two shards, merged: the same numbers
sc grade --jobs 2 --only "$ONLY" --format $FMT --shard 1/2 --out "$T/s1" "$T/class" >"$T/s1.out" 2>"$T/s1.err" ||
	fail "shard 1: $(cat "$T/s1.err")"
sc grade --jobs 2 --only "$ONLY" --format $FMT --shard 2/2 --out "$T/s2" "$T/class" >"$T/s2.out" 2>"$T/s2.err" ||
	fail "shard 2: $(cat "$T/s2.err")"
sc merge "$T/merged" "$T/s1" "$T/s2" >"$T/merge.out" 2>&1 || fail "merge: $(cat "$T/merge.out")"
for f in gradebook.csv summary.md; do
	cmp -s "$T/one/$f" "$T/merged/$f" || { diff "$T/one/$f" "$T/merged/$f" | head -n 20; fail "merged $f differs from one run's"; }
done
# summary.json: the same but for each student's grading time (two runs)
python3 - "$T/one/summary.json" "$T/merged/summary.json" <<'PYEOF' || fail "merged summary.json differs from one run's"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    for s in d["students"]:
        s["seconds"] = None
assert a == b, "summary.json differs"
PYEOF
python3 tests/class_check.py "$T/merged" || fail "merged: the outputs disagree"
ok "two shards merged: the same gradebook.csv, summary.md and summary.json as one run"

# nothing silently zero: results.json that cannot be read
s=$(grep -l '"alice"' "$T/s1/manifest.json" "$T/s2/manifest.json" | head -n 1)
s=$(dirname "$s")
printf '{"cases": [' >"$s/students/alice/results.json"
if sc merge "$T/m2" "$T/s1" "$T/s2" >"$T/m2.out" 2>"$T/m2.err"; then
	fail "merge with an unreadable results.json exited 0"
fi
grep -q "alice: .*students/alice/results.json" "$T/m2.err" || fail "merge does not name alice and the file: $(cat "$T/m2.err")"
python3 tests/class_check.py "$T/m2" --lost alice || fail "the lost student is not said everywhere"
grep -q '^alice,,' "$T/m2/gradebook.csv" || fail "alice: $(grep '^alice' "$T/m2/gradebook.csv")"
ok "an unreadable results.json: empty cells with the reason, merge exits 1 naming it"
sc grade --jobs 2 --only "$ONLY" --format $FMT --shard "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print("%d/%d" % (m["shard"]["k"], m["shard"]["n"]))' "$s/manifest.json")" \
    --out "$s" "$T/class" >"$T/again.out" 2>"$T/again.err" || fail "grade again: $(cat "$T/again.err")"
grep -Eq '^[0-9]+ students?: 1 graded' "$T/again.out" || fail "grade again: $(cat "$T/again.out")"
grep -q '^grade: \[1/1\] alice: ' "$T/again.err" || fail "grade again graded: $(cat "$T/again.err")"
sc merge "$T/m3" "$T/s1" "$T/s2" >/dev/null 2>&1 || fail "merge after grading again"
cmp -s "$T/one/gradebook.csv" "$T/m3/gradebook.csv" || fail "after grading again: $(diff "$T/one/gradebook.csv" "$T/m3/gradebook.csv")"
ok "grade again grades exactly that student; then the same gradebook as one run"
