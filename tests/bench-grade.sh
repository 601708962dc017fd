#!/bin/sh
# bench-grade: `sockcheck grade` on a generated class, --jobs 1 against
# --jobs 2 in one run: seconds per student and the speedup. Student i is
# fixtures/correct when i % 3 == 0, else the correct sources with mutant
# number i % M applied (M mutants in fixtures/mutants): a class where most
# students have one bug, as in a real course. Both gradebooks must agree
# (the students whose mutant declares a race, may_fail, may differ).
# Also the size of the class dashboard (summary.html, summary.json) and how
# long writing the class's files takes (merge --no-copy of the output).
# Figures go to BUILD/bench/grade.txt (never asserted: machines are noisy).
#
# Usage: sh tests/bench-grade.sh [BUILD]
# Environment: BENCH_GRADE_STUDENTS (100), BENCH_GRADE_ONLY (a --only glob,
# default every case), BENCH_SOCKCHECK (an installed sockcheck to measure;
# default BUILD/sockcheck), BENCH_TMP (where the class goes; default $TMPDIR or /tmp).
set -u
BUILD=${1:-build}
N=${BENCH_GRADE_STUDENTS:-100}
ONLY=${BENCH_GRADE_ONLY:-}
SC=${BENCH_SOCKCHECK:-$(cd "$BUILD" && pwd)/sockcheck}
OUTF=$(cd "$BUILD" && pwd)/bench/grade.txt
die() { echo "bench-grade: $*" >&2; exit 1; }
[ -x "$SC" ] || die "no $SC (make first)"
mkdir -p "$(dirname "$OUTF")"
T=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/bench-grade.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

# ---- the class ----
MUTANTS=$(ls fixtures/mutants)
M=$(echo "$MUTANTS" | wc -l)
i=0
while [ $i -lt "$N" ]; do
	name=$(printf 'student%03d' $i)
	mkdir -p "$T/class/$name"
	(cd fixtures/correct && tar cf - --exclude=echo_server --exclude=echo_client \
	    --exclude=file_server --exclude=file_client --exclude=udp_echo_server \
	    --exclude=udp_echo_client --exclude='*.o' .) |
	    (cd "$T/class/$name" && tar xf -)
	if [ $((i % 3)) -ne 0 ]; then
		mut=$(echo "$MUTANTS" | sed -n "$((i % M + 1))p")
		patch -s -p1 -d "$T/class/$name" <"fixtures/mutants/$mut/bug.patch" ||
		    die "$mut: the patch does not apply"
		echo "$name $mut" >>"$T/mix"
	else
		echo "$name correct" >>"$T/mix"
	fi
	i=$((i + 1))
done
ncorrect=$(grep -c ' correct$' "$T/mix")

now() { date +%s.%N; }
run_grade() { # JOBS OUT
	set -- --jobs "$1" --out "$2"
	[ -n "$ONLY" ] && set -- "$@" --only "$ONLY"
	rg_t0=$(now)
	timeout 7200 "$SC" grade "$@" "$T/class" >"$T/grade.out" 2>"$T/grade.err"
	rg_rc=$?
	rg_t1=$(now)
	RG_S=$(awk -v a="$rg_t0" -v b="$rg_t1" 'BEGIN { printf "%.1f", b - a }')
	[ $rg_rc -le 1 ] || { tail -n 5 "$T/grade.err" >&2; die "grade --jobs $1 exited $rg_rc"; }
}

{
	echo "# bench-grade: sockcheck grade on $N generated students"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "machine: $(nproc) cores, $(uname -srm)"
	echo "class: $ncorrect correct, $((N - ncorrect)) with one of $M mutants; cases: ${ONLY:-all}"
	echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$T/report"
cat "$T/report" >&2

run_grade 1 "$T/j1"
S1=$RG_S
echo "bench-grade: --jobs 1: $S1 s" >&2
run_grade 2 "$T/j2"
S2=$RG_S
echo "bench-grade: --jobs 2: $S2 s" >&2

# the class at a glance: its size, and how long writing the class's files
# from the students' takes (merge --no-copy of the one directory: gradebook,
# summary.md, summary.html and summary.json, no grading, no copying)
ncases=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' "$T/j2/manifest.json")
m_t0=$(now)
timeout 600 "$SC" merge --no-copy "$T/m" "$T/j2" >/dev/null 2>"$T/merge.err" || die "merge: $(cat "$T/merge.err")"
m_t1=$(now)
MS=$(awk -v a="$m_t0" -v b="$m_t1" 'BEGIN { printf "%.2f", b - a }')

# the two gradebooks, student by student (mutants with a declared race aside)
racy=$(grep -l '^may_fail:' fixtures/mutants/*/fixture.yaml 2>/dev/null |
    sed 's|fixtures/mutants/\([^/]*\)/fixture.yaml|\1|' | tr '\n' ' ')
differ=$(python3 - "$T/j1/gradebook.csv" "$T/j2/gradebook.csv" "$T/mix" "$racy" <<'PY'
import csv, sys
a = {r["student"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
b = {r["student"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
mix = dict(l.split() for l in open(sys.argv[3]))
racy = set(sys.argv[4].split())
diff = [s for s in sorted(set(a) | set(b)) if a.get(s) != b.get(s) and mix.get(s) not in racy]
print(" ".join(diff) if diff else "none")
PY
)
{
	cat "$T/report"
	echo "--jobs 1: $S1 s, $(awk -v s="$S1" -v n="$N" 'BEGIN { printf "%.2f", s / n }') s per student"
	echo "--jobs 2: $S2 s, $(awk -v s="$S2" -v n="$N" 'BEGIN { printf "%.2f", s / n }') s per student"
	echo "speedup --jobs 1 -> 2: $(awk -v a="$S1" -v b="$S2" 'BEGIN { printf "%.2f", a / b }')x"
	echo "gradebooks differing between the runs (racy mutants aside): $differ"
	echo "summary.html: $(wc -c <"$T/j2/summary.html") bytes, summary.json: $(wc -c <"$T/j2/summary.json") bytes ($N students, $ncases cases)"
	echo "writing the class's files from the students' (merge --no-copy): $MS s"
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUTF"
cat "$OUTF"
