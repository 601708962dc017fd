"""Self-test: run build/sockcheck on fixtures/correct, fixtures/textbook, every
mutant and every variant.

fixtures/textbook is a correct submission written the textbook way (BUF_SIZE
30): it must pass every must-case too.

A mutant is fixtures/correct with fixtures/mutants/NAME/bug.patch applied;
its fixture.yaml names the program it breaks and the case ids it must fail
(`must_fail`, plus `inject_fail` for the fault-injection cases); a variant
that is not a bug has an empty `must_fail` and lists in `must_pass` the cases
it must pass. The run of
a mutant is limited to the cases of that program's protocol and role, and
the set of failed cases must equal the declared set exactly (`may_fail`: cases
whose outcome for that mutant depends on timing, ignored). `charged_in` maps
each failed case that costs no points (one fault, one charge: its causes are
charged in another case, the one for them: docs/grading.md) to that case; it
must match the results exactly.

A variant (fixtures/variants/NAME/) is a submission written in another
convention (a fixed port, argv[1] the served file, data.txt, a quit word
from the prompt, ...) and has no profile: the convention finder must work it
out. Its fixture.yaml names its programs, what the finder must report for
each (`finds`: substrings of the report header's line for that program) and
the verdict of every case of those programs (`verdicts`; a list where a
program's race makes either outcome right, e.g. [pass, fail] for a server
that SIGPIPE kills or not depending on who writes first) and, as for a
mutant, `charged_in` for its failed cases that cost no points. A case added to
the suite after the variant was written is reported as not declared (a
comment line), not judged: its verdict is declared when the variant is
next updated.

Both declare the line of the student's source their failed cases must cite
(the call the cause is about: harness/cite.c): `cite` for every failed case,
`cites` per case (it wins). A declaration is "FILE: TEXT" (the cited line of
FILE holds TEXT: it survives edits that move lines), "FILE:LINE", a list of
them (any one), or null: no line to cite (a cause that names no call). A
failed case without a declaration is reported (a comment line) and counted
as not citing. The last line gives the fraction of failed cases that cite
the declared line.
Causes are checked, not only verdicts: every fixture declares the cause of
each case it fails (`causes: {CASE: CAUSE}`, a list where the program's
race makes either cause right; fixtures/causes.yaml for fixtures/correct
and fixtures/textbook), and the cause the judge named for the case (its
primary cause: that of its first failed target check, the one its summary
shows) must be the declared one. The cause accuracy, failed cases across all
fixtures whose named cause is the declared one, is printed last.
"""
import concurrent.futures
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

import yaml

MEMCHECK = "--memcheck" in sys.argv[1:]
# --reuse: judge the results.json files a previous run left in BUILD/selftest
# (verdicts, causes, the accuracy figure) without running anything again
REUSE = "--reuse" in sys.argv[1:]
ARGS = [a for a in sys.argv[1:] if a not in ("--memcheck", "--reuse")]
BUILD = ARGS[0] if ARGS else "build"
SOCKCHECK = os.path.join(BUILD, "sockcheck")
# tests/unprivileged.sh: the reports elsewhere (an unprivileged user's), only
# some fixtures (SELFTEST_ONLY: correct always runs, it is the baseline;
# then textbook, mutant-NAME, variant-NAME), sockcheck started through a
# wrapper (SELFTEST_WRAP), and every case must have run in that isolation
# (SELFTEST_ISOLATION: netns or loopback), so that a mode can't pass for
# another
OUT = os.environ.get("SELFTEST_OUT") or os.path.join(BUILD, "selftest")
ONLY = set(filter(None, os.environ.get("SELFTEST_ONLY", "").split(",")))
WRAP = os.environ.get("SELFTEST_WRAP", "").split()
ISOLATION = os.environ.get("SELFTEST_ISOLATION")


class UniqueKeyLoader(yaml.SafeLoader):
    """A mapping that names a key twice is an error: yaml keeps the last one
    silently, and a declaration merged twice would go unchecked."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, "%r is declared twice" % (key,), key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def load_yaml(f):
    return yaml.load(f, Loader=UniqueKeyLoader)


def wanted(name):
    return not ONLY or name in ONLY


ROLE_GLOB = {
    "echo_server": "echo.server.*",
    "echo_client": "echo.client.*",
    "file_server": "file.server.*",
    "file_client": "file.client.*",
    "udp_echo_server": "udp.server.*",
    "udp_echo_client": "udp.client.*",
}


HARNESS_ERRORS = []  # every case of every run that came back `error`

# Fixtures are checked SELFTEST_JOBS at a time (default 2): a run mostly
# waits (its build, the finder, cases that sleep), and make check's budget is
# short. Each check's lines are printed whole, in the order of the fixtures.
# Only where every case has a network namespace of its own: on the machine's
# loopback two runs would take each other's fixed ports (the fixed-port lock
# is one run's), so there they go one at a time (one_at_a_time_unless_netns).
JOBS = [max(1, int(os.environ.get("SELFTEST_JOBS") or 2))]
LOCK = threading.Lock()


def one_at_a_time_unless_netns(res):
    """After the first run: fixtures in parallel only if its cases had namespaces."""
    if any(c.get("isolation") not in (None, "netns") for c in res["cases"]):
        JOBS[0] = 1


class _ThreadOut:
    """sys.stdout that a check running in the pool writes to its own buffer."""

    def __init__(self, real):
        self.real = real
        self.local = threading.local()

    def write(self, text):
        buf = getattr(self.local, "buf", None)
        return (buf if buf is not None else self.real).write(text)

    def flush(self):
        self.real.flush()


sys.stdout = _ThreadOut(sys.stdout)


def _captured(fn, *args):
    buf = sys.stdout.local.buf = io.StringIO()
    try:
        return fn(*args), buf.getvalue()
    except BaseException:
        sys.stdout.local.buf = None
        sys.stdout.write(buf.getvalue())  # what it said before it gave up
        raise
    finally:
        sys.stdout.local.buf = None


def in_pool(calls):
    """Run each (fn, args...) of calls, JOBS at a time; their output in order.
    Returns the sum of what they return (each: 1 when its fixture does not hold)."""
    bad = 0
    with concurrent.futures.ThreadPoolExecutor(JOBS[0]) as ex:
        futs = [ex.submit(_captured, *c) for c in calls]
        for f in futs:
            n, text = f.result()
            sys.stdout.write(text)
            sys.stdout.flush()
            bad += n
    return bad


def run(sub, name, only=None, extra=()):
    report = os.path.join(OUT, name)
    if REUSE:
        path = os.path.join(report, "results.json")
        if not os.path.exists(path):
            print("# %s: no results to reuse" % name)
            return subprocess.CompletedProcess([], 0), {"cases": []}
        with open(path) as f:
            res = json.load(f)
        return subprocess.CompletedProcess([], res.get("exit_status", 0)), res
    shutil.rmtree(report, ignore_errors=True)
    cmd = WRAP + [SOCKCHECK, "run", "--report-dir", report, "--format", "json"]
    if only:
        cmd += ["--only", only]
    cmd += list(extra) + [sub]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    path = os.path.join(report, "results.json")
    if not os.path.exists(path):
        sys.stdout.write(p.stdout.decode(errors="replace"))
        sys.stdout.write(p.stderr.decode(errors="replace"))
        raise SystemExit("not ok - %s: no results.json (exit %d)" % (name, p.returncode))
    with open(path) as f:
        res = json.load(f)
    # `error` is sockcheck's own failure (it could not run the case), never a
    # program's: a crash or a death by a signal fails the case with its cause
    for c in res["cases"]:
        if c["verdict"] == "error":
            HARNESS_ERRORS.append("%s: %s: error: %s" % (name, c["id"], c.get("summary", "")))
    modes = {c["isolation"] for c in res["cases"] if c.get("isolation")}
    if ISOLATION and modes - {ISOLATION}:
        raise SystemExit("not ok - %s: ran with isolation %s, not %s"
                         % (name, ", ".join(sorted(modes)), ISOLATION))
    return p, res


def failed_ids(res):
    return {c["id"] for c in res["cases"] if c["verdict"] in ("fail", "error")}


def harness_errors():
    """The cases sockcheck could not run, over every run: each one is a bug to fix."""
    for e in HARNESS_ERRORS:
        print("not ok - the harness could not run a case: " + e)
    return len(HARNESS_ERRORS)


def describe(res, ids):
    out = []
    for c in res["cases"]:
        if c["id"] in ids:
            out.append("    %s: %s %s" % (c["id"], c["verdict"], c.get("summary", "")))
    return "\n".join(out)


def charged_of(res, ignore=()):
    return {c["id"]: c["charged_in"] for c in res["cases"]
            if c.get("charged_in") and c["id"] not in ignore}


def check_charged(name, fx, res, ignore=()):
    """The declared charged_in map against the results; 0 when they agree.
    A may_fail case that failed may have paid first: a case may then be
    charged in it instead."""
    want = {k: v for k, v in (fx.get("charged_in") or {}).items() if k not in ignore}
    got = charged_of(res, ignore)
    racy = set(fx.get("may_fail") or [])
    payers = failed_ids(res) & racy
    # a declared payer whose own outcome depends on timing may have passed:
    # the case then paid for itself, or another one did
    wrong = sorted(k for k in set(got) | set(want)
                   if got.get(k) != want.get(k) and got.get(k) not in payers and
                   want.get(k) not in racy)
    if not wrong:
        return 0
    print("not ok - %s: charged_in differs" % (name if name.startswith("variant ")
                                                 else "mutant " + name))
    for k in wrong:
        print("    %s: declared %s, got %s" % (k, want.get(k), got.get(k)))
    print("  what this run gives, for its fixture.yaml:\n  charged_in:" +
          "".join("\n    %s: %s" % kv for kv in sorted(got.items())))
    return 1


def primary_cause(case):
    """The cause the judge named for a failed case: that of its first failed
    target check (the check its summary shows); None when it has none."""
    for k in case.get("checks") or []:
        if not k.get("ok") and not k.get("collateral"):
            return k.get("cause")
    return None


class CauseTally:
    """Failed cases across all fixtures, and those named by their declared cause."""

    def __init__(self):
        self.failed = 0
        self.right = 0
        self.wrong = []
        self.lock = threading.Lock()  # the fixtures are checked in threads (in_pool)

    def line(self):
        pct = 100.0 * self.right / self.failed if self.failed else 100.0
        return ("# cause accuracy: %d of %d failed cases named by their declared cause (%.1f %%)"
                % (self.right, self.failed, pct))


def check_causes(label, declared, res, tally, ignore=()):
    """The primary cause of every failed case against `declared` (case id:
    cause, or a list of causes); 0 when each is the declared one."""
    declared = declared or {}
    with tally.lock:
        return _check_causes(label, declared, res, tally, ignore)


def _check_causes(label, declared, res, tally, ignore):
    problems = []
    for c in res["cases"]:
        if c["verdict"] not in ("fail", "error") or c["id"] in ignore:
            continue
        got = primary_cause(c)
        want = declared.get(c["id"])
        tally.failed += 1
        if want is None:
            problems.append("    %s: failed on %s, no cause declared" % (c["id"], got))
            tally.wrong.append((label, c["id"], None, got))
            continue
        want = want if isinstance(want, list) else [want]
        if got in want:
            tally.right += 1
        else:
            problems.append("    %s: declared %s, named %s: %s" % (
                c["id"], "|".join(want), got, c.get("summary", "")))
            tally.wrong.append((label, c["id"], want, got))
    if not problems:
        return 0
    print("not ok - %s: causes differ\n%s" % (label, "\n".join(problems)))
    return 1


def findings_of(res):
    out = set()
    for c in res["cases"]:
        for f in (c.get("memcheck") or {}).get("findings", []):
            out.add((f.get("kind"), f.get("file"), f.get("line")))
    return out


CITED = {"total": 0, "right": 0}


def case_cites(case):
    """The cites of a case's failed target checks (and their second lines)."""
    out = []
    for k in case.get("checks", []):
        if k.get("ok") or k.get("collateral"):
            continue
        ci = k.get("cite")
        while ci:
            out.append(ci)
            ci = ci.get("also")
    return out


def cite_matches(spec, ci):
    fname, _, want = spec.partition(":")
    want = want.strip()
    if not ci.get("file") or ci["file"] != fname.strip():
        return False
    if want.isdigit():
        return ci.get("line") == int(want)
    return want in (ci.get("source_line") or "")


def describe_cites(case):
    cs = case_cites(case)
    if not cs:
        return "nothing"
    return ", ".join("%s:%s %r" % (ci.get("file"), ci.get("line"), ci.get("source_line"))
                     for ci in cs)


def check_cites(label, fx, res, failed):
    """Each failed case cites its declared line; returns the problems."""
    problems = []
    per = fx.get("cites") or {}

    for c in res["cases"]:
        if c["id"] not in failed:
            continue
        if c["id"] in per:
            spec = per[c["id"]]
        elif "cite" in fx:
            spec = fx["cite"]
        else:
            # a fixture written before cites, or a case added since: reported,
            # counted as not citing, not judged (declare it in its fixture.yaml)
            with LOCK:
                CITED["total"] += 1
            print("# %s: %s failed and declares no line to cite (cite:/cites:); it cites %s"
                  % (label, c["id"], describe_cites(c)))
            continue
        if spec is None:
            continue
        with LOCK:
            CITED["total"] += 1
        specs = spec if isinstance(spec, list) else [spec]
        if any(cite_matches(sp, ci) for sp in specs for ci in case_cites(c)):
            with LOCK:
                CITED["right"] += 1
        else:
            problems.append("  %s: must cite %s; cites %s" % (
                c["id"], " or ".join(repr(sp) for sp in specs), describe_cites(c)))
    return problems


def apply_mutant(correct, mdir, tmp):
    sub = os.path.join(tmp, "sub")
    # sources only: binaries built in fixtures/correct must not stand in
    shutil.copytree(correct, sub, ignore=shutil.ignore_patterns(
        "echo_server", "echo_client", "file_server", "file_client", "udp_echo_server",
        "udp_echo_client", "*.o"))
    with open(os.path.join(mdir, "bug.patch"), "rb") as patch:
        subprocess.run(["patch", "-s", "-p1", "-d", sub], stdin=patch, check=True)
    return sub


def main_memcheck():
    """Under valgrind: the correct fixture has no finding at all; each memcheck
    mutant has exactly its declared findings (kind, file, line) and fails
    exactly its declared cases."""
    os.makedirs(OUT, exist_ok=True)
    bad = 0
    tally = CauseTally()
    correct = os.path.abspath("fixtures/correct")
    p, res = run(correct, "memcheck-correct", extra=["--memcheck"])
    one_at_a_time_unless_netns(res)
    base = failed_ids(res)
    got = findings_of(res)
    must = {c["id"] for c in res["cases"] if c["id"] in base and c["level"] == "must"}
    if got or must:
        bad += 1
        print("not ok - correct fixture under memcheck: findings %s, failed %s"
              % (sorted(got), sorted(must)))
    else:
        print("ok - correct fixture under memcheck: no findings, %.1f s" % res.get("seconds", 0))
    names = []
    for name in sorted(os.listdir("fixtures/mutants")):
        with open(os.path.join("fixtures/mutants", name, "fixture.yaml")) as f:
            if load_yaml(f).get("memcheck"):
                names.append(name)
    bad += in_pool([(check_memcheck_mutant, correct, name, base, tally) for name in names])
    bad += in_pool([(check_no_debug_info, correct), (check_binary_only, correct)])
    bad += check_no_valgrind(correct)  # it changes the environment: alone
    bad += harness_errors()
    print(tally.line())
    raise SystemExit(1 if bad else 0)


def check_memcheck_mutant(correct, name, base, tally):
    """One memcheck mutant: 1 when its findings or failures are not the declared ones."""
    bad = 0
    mdir = os.path.join("fixtures/mutants", name)
    with open(os.path.join(mdir, "fixture.yaml")) as f:
        fx = load_yaml(f)
    want = {(f["kind"], f["file"], f["line"]) for f in fx.get("findings") or []}
    expected = set(fx.get("must_fail") or []) | set(fx.get("inject_fail") or [])
    prog = fx.get("program")
    tmp = tempfile.mkdtemp(prefix="sockcheck-mutant-")
    try:
        sub = apply_mutant(correct, mdir, tmp)
        p, res = run(sub, "memcheck-" + name, ROLE_GLOB[prog], ["--memcheck"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    got_f = findings_of(res)
    got = failed_ids(res) - base
    bad += check_charged(name, fx, res, base)
    bad += check_causes("memcheck mutant " + name, fx.get("causes"), res, tally, base)
    if got_f != want or got != expected:
        bad += 1
        print("not ok - memcheck mutant %s (%s)" % (name, fx.get("description", "")))
        if got_f != want:
            print("  findings: expected %s, got %s" % (sorted(want), sorted(got_f)))
        if got != expected:
            print("  failed cases: missing %s, extra %s" % (
                sorted(expected - got), sorted(got - expected)))
    else:
        print("ok - memcheck mutant %s: %s in %d failing case(s)"
              % (name, ", ".join("%s at %s:%d" % w for w in sorted(want)), len(expected)))
    return bad


def check_no_debug_info(correct):
    """A Makefile without -g: sockcheck builds with -g all the same (its
    compiler wrappers), so the finding keeps its file and line."""
    tmp = tempfile.mkdtemp(prefix="sockcheck-mutant-")
    try:
        sub = apply_mutant(correct, "fixtures/mutants/mc-uninit", tmp)
        mk = os.path.join(sub, "Makefile")
        with open(mk) as f:
            text = f.read().replace("-g ", "")
        with open(mk, "w") as f:
            f.write(text)
        p, res = run(sub, "memcheck-no-g", "echo.client.basic-lines", ["--memcheck"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    got = findings_of(res)
    if got != {("uninit-cond", "echo_client.c", 109)}:
        print("not ok - built without -g in its Makefile: findings %s" % sorted(got))
        return 1
    print("ok - built without -g in its Makefile: sockcheck adds -g, the finding keeps echo_client.c:109")
    return 0


def check_binary_only(correct):
    """Built elsewhere, only the binary submitted: the finding still names the
    program's own frame (file:line and function from its debug info)."""
    tmp = tempfile.mkdtemp(prefix="sockcheck-mutant-")
    try:
        sub = apply_mutant(correct, "fixtures/mutants/mc-leak-per-client", tmp)
        subprocess.run(["make", "-s", "-C", sub, "echo_server"], check=True,
                       stdout=subprocess.DEVNULL)
        only = os.path.join(tmp, "binary-only")
        os.mkdir(only)
        shutil.copy2(os.path.join(sub, "echo_server"), only)
        p, res = run(only, "memcheck-binary-only", "echo.server.one-message", ["--memcheck"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    fs = (res["cases"][0].get("memcheck") or {}).get("findings", [])
    got = {(f.get("kind"), f.get("file"), f.get("line"), f.get("function")) for f in fs}
    want = {("leak-definite", "echo_server.c", 132, "main")}
    if got != want or any(f.get("source_line") for f in fs):
        print("not ok - binary only: expected %s, got %s" % (sorted(want), sorted(got)))
        return 1
    print("ok - binary only, no sources: leak-definite at echo_server.c:132 in main()")
    return 0


def check_no_valgrind(correct):
    """No valgrind: memcheck cases are skipped with that reason, not errors."""
    os.environ["SOCKCHECK_VALGRIND"] = ""
    try:
        p, res = run(correct, "memcheck-none", "echo.server.one-message", ["--memcheck"])
    finally:
        del os.environ["SOCKCHECK_VALGRIND"]
    c = res["cases"][0]
    if c["verdict"] != "skip" or "valgrind" not in c.get("summary", "") or p.returncode != 0:
        print("not ok - without valgrind: %s %r (exit %d)" % (c["verdict"], c.get("summary"),
                                                         p.returncode))
        return 1
    print("ok - without valgrind: skipped (%s)" % c["summary"])
    return 0


def main():
    os.makedirs(OUT, exist_ok=True)
    bad = 0
    tally = CauseTally()
    with open("fixtures/causes.yaml") as f:
        base_causes = load_yaml(f) or {}
    correct = os.path.abspath("fixtures/correct")
    p, res = run(correct, "correct")
    bad += check_causes("correct fixture", base_causes.get("correct"), res, tally)
    one_at_a_time_unless_netns(res)
    # the correct fixture passes every case, should-level included (dual-stack,
    # concurrent): a newcomer's first run shows what a clean run looks like
    failing = failed_ids(res)
    # (were one to fail, it would say nothing about a mutant)
    baseline = failed_ids(res)
    if p.returncode != 0 or failing:
        bad += 1
        print("not ok - correct fixture (exit %d)" % p.returncode)
        print(describe(res, failing))
    else:
        print("ok - correct fixture: %d cases, %.1f s" % (len(res["cases"]), res.get("seconds", 0)))

    # the textbook way (BUF_SIZE 30: 30-byte reads and writes) is slow, not wrong
    if wanted("textbook"):
        bad += check_textbook(base_causes, tally)
    mutants = sorted(os.listdir("fixtures/mutants"))
    bad += in_pool([(check_mutant, correct, name, baseline, tally) for name in mutants
                    if wanted("mutant-" + name)])
    bad += check_variants(tally)
    bad += harness_errors()
    if CITED["total"]:
        print("# cites: %d of %d failed cases cite the declared line (%.0f %%)" % (
            CITED["right"], CITED["total"], 100.0 * CITED["right"] / CITED["total"]))
    print(tally.line())
    raise SystemExit(1 if bad else 0)


def check_textbook(base_causes, tally):
    bad = 0
    p, res = run(os.path.abspath("fixtures/textbook"), "textbook")
    bad += check_causes("textbook fixture", base_causes.get("textbook"), res, tally)
    tfail = {c["id"] for c in res["cases"]
             if c["verdict"] in ("fail", "error") and c["level"] == "must"}
    if p.returncode != 0 or tfail:
        bad += 1
        print("not ok - textbook fixture (exit %d)" % p.returncode)
        print(describe(res, tfail))
    else:
        print("ok - textbook fixture: %d cases, %.1f s" % (len(res["cases"]), res.get("seconds", 0)))
    return bad


def check_mutant(correct, name, baseline, tally):
    """A mutant fails exactly the cases it declares. 1 when not, else 0."""
    bad = 0
    mdir = os.path.join("fixtures/mutants", name)
    with open(os.path.join(mdir, "fixture.yaml")) as f:
        fx = load_yaml(f)
    if fx.get("memcheck"):
        return 0  # tests/memcheck-fixtures.sh
    expected = set(fx.get("must_fail") or []) | set(fx.get("inject_fail") or [])
    progs = fx.get("program") or ""
    progs = progs if isinstance(progs, list) else [progs]
    only = ",".join(ROLE_GLOB[p] for p in progs if p in ROLE_GLOB) or None
    tmp = tempfile.mkdtemp(prefix="sockcheck-mutant-")
    try:
        sub = apply_mutant(correct, mdir, tmp)
        p, res = run(sub, "mutant-" + name, only)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # may_fail: cases whose outcome for this mutant depends on timing
    got = failed_ids(res) - baseline - set(fx.get("may_fail") or [])
    # must_pass: a variant that is not a bug (a connect()ed UDP client, an
    # IPv6-capable TCP pair) passes these, even where the correct fixture fails
    verdicts = {c["id"]: c["verdict"] for c in res["cases"]}
    # charged_in is checked (and reported) whatever else is wrong
    charged_bad = check_charged(name, fx, res, baseline | set(fx.get("may_fail") or []))
    cite_bad = check_cites(name, fx, res, got & expected)
    if cite_bad:
        print("not ok - mutant %s: the lines its failures cite\n%s" % (name, "\n".join(cite_bad)))
        charged_bad += 1
    bad += check_causes("mutant " + name, fx.get("causes"), res, tally, baseline)
    not_passed = sorted(i for i in fx.get("must_pass") or [] if verdicts.get(i) != "pass")
    if not_passed:
        bad += 1
        print("not ok - variant %s (%s): must pass, did not:\n%s"
              % (name, fx.get("description", ""), describe(res, set(not_passed))
                 or "    " + ", ".join(not_passed) + " (not run)"))
    elif expected & baseline:
        bad += 1
        print("not ok - mutant %s declares cases the correct fixture fails too: %s"
              % (name, ", ".join(sorted(expected & baseline))))
    elif got != expected:
        bad += 1
        print("not ok - mutant %s (%s)" % (name, fx.get("description", "")))
        missing, extra = expected - got, got - expected
        if missing:
            print("  declared but passed:\n" + describe(res, missing))
        if extra:
            print("  failed but not declared:\n" + describe(res, extra))
    elif charged_bad:
        bad += 1
    else:
        print("ok - mutant %s fails exactly %d case(s)%s" % (
            name, len(expected), ", passes its %d must_pass case(s)" % len(fx["must_pass"])
            if fx.get("must_pass") else ""))
    return bad


VARIANTS = "fixtures/variants"


def check_variants(tally):
    """Each variant, with no profile: what the finder found and every verdict."""
    if not os.path.isdir(VARIANTS):
        return 0
    return in_pool([(check_variant, name, tally) for name in sorted(os.listdir(VARIANTS))
                    if os.path.isdir(os.path.join(VARIANTS, name)) and wanted("variant-" + name)])


def check_variant(name, tally):
    """One variant: 1 when it does not hold, else 0."""
    bad = 0
    vdir = os.path.join(VARIANTS, name)
    with open(os.path.join(vdir, "fixture.yaml")) as f:
        fx = load_yaml(f)
    progs = fx["programs"]
    only = ",".join(ROLE_GLOB[p] for p in progs)
    tmp = tempfile.mkdtemp(prefix="sockcheck-variant-")
    try:
        sub = os.path.join(tmp, "sub")
        shutil.copytree(vdir, sub, ignore=shutil.ignore_patterns("fixture.yaml", *progs))
        if os.path.exists(os.path.join(sub, "sockcheck.yaml")):
            raise SystemExit("not ok - variant %s has a profile: the finder must do the work"
                             % name)
        p, res = run(sub, "variant-" + name, only)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    problems = []
    lines = res.get("conventions") or []
    for prog, wants in (fx.get("finds") or {}).items():
        line = next((l for l in lines if l.startswith(prog + ": ")), None)
        for want in (wants if isinstance(wants, list) else [wants]):
            if line is None or want not in line:
                problems.append("  found: expected %r in the %s line, got %r"
                                % (want, prog, line))
    declared = fx.get("verdicts") or {}
    got = {c["id"]: c["verdict"] for c in res["cases"]}
    for cid in sorted(set(declared) | set(got)):
        if cid not in declared:
            # a case added to the suite after the variant was written
            print("# variant %s: %s is not declared (%s): add it to its fixture.yaml"
                  % (name, cid, got[cid]))
            continue
        want = declared[cid]
        want = want if isinstance(want, list) else [want]
        if cid not in got:
            problems.append("  %s: declared %s, not run" % (cid, "|".join(want)))
        elif got[cid] not in want:
            c = next(c for c in res["cases"] if c["id"] == cid)
            problems.append("  %s: declared %s, got %s: %s" % (
                cid, "|".join(want), got[cid], c.get("summary", "")))
    # one fault, one charge: the failed cases that cost nothing, as for mutants
    # (cases declared with a list of verdicts depend on timing, as may_fail)
    racy = sorted(cid for cid, v in declared.items() if isinstance(v, list))
    charged_bad = check_charged("variant " + name, dict(fx, may_fail=racy), res, racy)
    problems += check_cites("variant " + name, fx, res,
                            {cid for cid, v in got.items()
                             if v in ("fail", "error") and cid not in racy})
    bad += check_causes("variant " + name, fx.get("causes"), res, tally)
    if problems or charged_bad:
        bad += 1
        if problems:
            print("not ok - variant %s (%s)" % (name, fx.get("description", "")))
            print("\n".join(problems))
    else:
        counts = {}
        for v in got.values():
            counts[v] = counts.get(v, 0) + 1
        print("ok - variant %s: %s; %s" % (name, " | ".join(lines), ", ".join(
            "%d %s" % (n, v) for v, n in sorted(counts.items()))))
    return bad


if MEMCHECK:
    main_memcheck()
else:
    main()
