#!/bin/sh
# bench-speed: how long a student and an instructor wait, in one run on one
# machine (issue 24), appended to BUILD/bench/speed.txt (never asserted):
#   - the whole suite on fixtures/correct: wall, and the CPU of sockcheck and
#     everything it ran (user, sys), at --jobs 2 and at the default --jobs
#     (the programs found before, as a student's second run; and once with
#     the finder's cache empty, as a first run);
#   - the textbook fixture (30-byte reads and writes) at --jobs 2;
#   - a class of 40 students graded at --jobs 2 (tests/mkclass.sh when it is
#     there, else correct and one-bug submissions taking turns): wall, user,
#     sys, seconds per student;
#   - one-bug submissions (fixtures/mutants, memcheck ones aside), each with
#     its program's cases (as the self-test runs them), against the naive
#     grading script of tests/naive/grade.sh (build, run, diff) on the same
#     submissions: both totals and their ratio;
#   - with BENCH_JOBS="1 2 3 4" (say): the suite at each --jobs, to choose the
#     default (docs/running.md).
# Environment: BENCH_SOCKCHECK (a sockcheck to measure, default
# BUILD/sockcheck), BENCH_BASE (another one, an older build say, measured
# alternately with it, run for run, so that both see the same machine: each
# line then gives both and their ratio), BENCH_MUTANTS (how many one-bug
# submissions, default 18), BENCH_CLASS (40).
set -u
BUILD=${1:-build}
SC=${BENCH_SOCKCHECK:-$(cd "$BUILD" && pwd)/sockcheck}
OUT=$(cd "$BUILD" && pwd)/bench/speed.txt
mkdir -p "$(dirname "$OUT")"
[ -x "$SC" ] || { echo "bench-speed: no $SC (make first)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-speed.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
python3 - "$SC" "$T" "${BENCH_MUTANTS:-18}" "${BENCH_CLASS:-40}" "${BENCH_JOBS:-}" "${BENCH_BASE:-}" <<'PY' | tee -a "$OUT"
import os, subprocess, sys, time, shutil, yaml
sc, tmp, nmut, nclass, jobs_sweep = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].split()
base = sys.argv[6]
scs = [base, sc] if base else [sc]
ROLE_GLOB = {"echo_server": "echo.server.*", "echo_client": "echo.client.*",
             "file_server": "file.server.*", "file_client": "file.client.*",
             "udp_echo_server": "udp.server.*", "udp_echo_client": "udp.client.*"}
BINS = list(ROLE_GLOB)

def measure(cmd, **kw):
    """wall, user, sys of cmd and every process it waited for"""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - t0, ru.ru_utime, ru.ru_stime, p.returncode

def fmt(w, u, s):
    return "%.1f s wall, user %.1f s, sys %.1f s" % (w, u, s)

def sources(src, dst):
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*BINS, "*.o", "fixture.yaml", "build"))

def mutant(name, dst):
    sources("fixtures/correct", dst)
    with open(os.path.join("fixtures/mutants", name, "bug.patch"), "rb") as f:
        subprocess.run(["patch", "-s", "-p1", "-d", dst], stdin=f, check=True)

print("# %s %s, %d cores, load %s" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
      " against ".join(reversed(scs)), os.cpu_count(), open("/proc/loadavg").read().split()[0]))

cold = iter(range(1000))

def cold_env():
    """a user cache of its own: the finder finds everything again"""
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = os.path.join(tmp, "cache%d" % next(cold))
    return env

def line(what, args, per=None, env=None):
    """one measurement per sockcheck, alternated; both figures and the ratio"""
    res = [measure([s] + args(s), env=env() if env else None) for s in scs]
    txt = []
    for s, (w, u, sy, rc) in zip(scs, res):
        txt.append("%s%s%s (exit %d)" % ("before: " if base and s == base else "", fmt(w, u, sy),
                   ", %.1f s a student" % (w / per) if per else "", rc))
    if base:
        txt.append("before/after wall %.1fx, sys %.1fx" % (res[0][0] / res[1][0], res[0][2] / max(res[1][2], 0.01)))
    print("%s: %s" % (what, "; ".join(txt)))

line("suite on fixtures/correct, --jobs 2", lambda s: ["run", "--jobs", "2", "fixtures/correct"])
line("suite on fixtures/correct, default --jobs", lambda s: ["run", "fixtures/correct"])
line("suite on fixtures/correct, default --jobs, nothing found before (the finder's cache empty)",
     lambda s: ["run", "fixtures/correct"], env=cold_env)
line("suite on fixtures/textbook, --jobs 2", lambda s: ["run", "--jobs", "2", "fixtures/textbook"])

# the class
cls = os.path.join(tmp, "class")
mutants = sorted(m for m in os.listdir("fixtures/mutants")
                 if not yaml.safe_load(open(os.path.join("fixtures/mutants", m, "fixture.yaml"))).get("memcheck"))
if os.path.exists("tests/mkclass.sh"):
    subprocess.run(["sh", "tests/mkclass.sh", cls, str(nclass)], stdout=subprocess.DEVNULL, check=True)
    how = "tests/mkclass.sh"
else:
    os.makedirs(cls)
    for i in range(nclass):
        d = os.path.join(cls, "student%02d" % i)
        if i % 3 == 0:
            sources("fixtures/correct", d)
        else:
            mutant(mutants[i % len(mutants)], d)
    how = "correct and one-bug submissions taking turns"
n = len(os.listdir(cls))
outs = iter(range(100))
line("class of %d (%s), grade at its default --jobs" % (n, how),
     lambda s: ["grade", "--out", os.path.join(tmp, "grades%d" % next(outs)), cls], per=n)

# one-bug submissions: sockcheck (the program's cases) against the naive script
tot = [0.0] * (len(scs) + 1)
picked = [m for m in mutants if yaml.safe_load(open(os.path.join("fixtures/mutants", m, "fixture.yaml"))).get("program")][:nmut]
for m in picked:
    progs = yaml.safe_load(open(os.path.join("fixtures/mutants", m, "fixture.yaml")))["program"]
    progs = progs if isinstance(progs, list) else [progs]
    sub = os.path.join(tmp, "m-" + m)
    mutant(m, sub)
    only = ",".join(ROLE_GLOB[p] for p in progs if p in ROLE_GLOB)
    for k, s in enumerate(scs):
        tot[k] += measure([s, "run", "--only", only, sub])[0]
    tot[-1] += measure(["sh", "tests/naive/grade.sh", sub] + progs)[0]
    shutil.rmtree(sub)
print("%d one-bug submissions, each with its program's cases (default --jobs): %s; naive script "
      "(build, run, diff) %.1f s" % (len(picked), "; ".join("%ssockcheck %.1f s (%.2fx the naive script)"
      % ("before: " if base and k == 0 else "", tot[k], tot[k] / tot[-1] if tot[-1] else 0)
      for k in range(len(scs))), tot[-1]))
for j in jobs_sweep:
    line("suite on fixtures/correct, --jobs %s" % j, lambda s: ["run", "--jobs", j, "fixtures/correct"])
PY
