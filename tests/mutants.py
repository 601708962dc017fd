"""make mutants: how many bugs the suite catches, measured by mutation testing.

For each program of fixtures/textbook and fixtures/correct, universalmutator
(a maintained regexp-based mutation tool, run as MUTATE) writes one mutant per
rewrite of one source line. Each mutant is compiled with -O2 (not -g) and its
object file hashed: a mutant whose code is the original's, or another
mutant's, is dropped (trivial compiler equivalence), as is one that does not
compile. Of the rest, SAMPLE per program (all of them with --sample 0) are
drawn with a fixed seed, and each is run, in a copy of its fixture built by
the fixture's own Makefile, against its role's cases (`--only echo.server.*`,
--no-retry). A mutant is killed when a case that the unmutated program passed
fails (any level: the usage cases are `should`) or ends in `error` because
of the program (a failed check with a cause: a death by a signal), and does
so again when run a second time (a case a loaded machine failed once kills
nothing). A case that ends in `error` with no such check (the harness could
not run it) kills nothing; such a mutant is run once more.

Survivors are looked up in tests/mutants-survivors.yaml, the reviewed list:
`equivalent` (no program behaviour a scenario could see changes; left out of
the score) or `limit` (a real bug the suite does not judge, with why: counted
as survived). A survivor in neither is printed as NEW: a missing scenario, or
an entry to review and add.

Score per program and overall: killed / (run - equivalent), written to
BUILD/bench/mutants.txt (appended, dated) and printed; the details of every
mutant to BUILD/mutants/FIXTURE-PROGRAM.json.

usage: python3 tests/mutants.py [--build DIR] [--mutate PATH] [--sample N]
                                [--seed S] [--only FIXTURE/PROGRAM,...]
"""
import argparse
import concurrent.futures
import datetime
import difflib
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

ROLE_GLOB = {
    "echo_server": "echo.server.*",
    "echo_client": "echo.client.*",
    "file_server": "file.server.*",
    "file_client": "file.client.*",
    "udp_echo_server": "udp.server.*",
    "udp_echo_client": "udp.client.*",
}
FIXTURES = ["textbook", "correct"]
SURVIVORS = "tests/mutants-survivors.yaml"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--mutate", default="mutate",
                    help="universalmutator's mutate command (make mutants MUTATE=...)")
    ap.add_argument("--sample", type=int, default=15,
                    help="mutants run per program, drawn with --seed; 0: all")
    ap.add_argument("--seed", type=int, default=27)
    ap.add_argument("--only", default="",
                    help="FIXTURE/PROGRAM[,...]: only these (e.g. textbook/echo_server)")
    ap.add_argument("--timeout-scale", default="1")
    ap.add_argument("--score", metavar="DIR",
                    help="run nothing: the score of an earlier run's BUILD/mutants against "
                         "the reviewed list as it is now")
    ap.add_argument("--killed-before", metavar="DIR",
                    help="an earlier run's BUILD/mutants: a mutant it saw killed by cases "
                         "that the unmutated program still passes is counted killed without "
                         "running it again (the suite only grew since)")
    return ap.parse_args()


def programs(only):
    want = {w for w in only.split(",") if w}
    for fx in FIXTURES:
        for prog in ROLE_GLOB:
            src = os.path.join("fixtures", fx, prog + ".c")
            if os.path.exists(src) and (not want or fx + "/" + prog in want):
                yield fx, prog


def generate(mutate, src, outdir):
    """universalmutator's mutants of src, without its own compile check (the
    object hash below does that, in parallel)."""
    os.makedirs(outdir)
    p = subprocess.run([mutate, src, "c", "--noCheck", "--mutantDir", outdir],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    if p.returncode != 0:
        sys.stdout.write(p.stdout.decode(errors="replace")[-2000:])
        raise SystemExit("mutants: %s %s failed (exit %d)" % (mutate, src, p.returncode))
    base = os.path.splitext(os.path.basename(src))[0]
    names = [n for n in os.listdir(outdir) if n.startswith(base + ".mutant.")]
    return sorted(names, key=lambda n: int(n.split(".")[-2]))


def object_hash(text, prog, workdir):
    """The hash of the -O2 object file of this source, under the program's own
    file name (an object names its source), or None when it does not compile."""
    os.makedirs(workdir, exist_ok=True)
    src = os.path.join(workdir, prog + ".c")
    obj = os.path.join(workdir, prog + ".o")
    with open(src, "w") as f:
        f.write(text)
    p = subprocess.run(["cc", "-std=gnu11", "-O2", "-w", "-c", "-o", obj, src],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    if p.returncode != 0:
        return None
    with open(obj, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def describe(orig, mutant):
    """(line, from, to) of the one place the mutant differs: the original
    line(s) and what replaced them, whitespace-trimmed, joined with ' / '."""
    a, b = orig.splitlines(), mutant.splitlines()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "insert" and i1 > 0:  # a line added: name it after the line before
            i1, j1 = i1 - 1, j1 - 1
        return (i1 + 1, " / ".join(s.strip() for s in a[i1:i2]),
                " / ".join(s.strip() for s in b[j1:j2]))
    return (0, "", "")


def run_suite(build, fxdir, prog, text, tmp, scale, only=None):
    """Runs the role's cases on a copy of fxdir with prog.c replaced by text:
    {case id: (verdict, level, summary)}."""
    sub = os.path.join(tmp, "sub")
    shutil.rmtree(sub, ignore_errors=True)
    shutil.copytree(fxdir, sub, ignore=shutil.ignore_patterns(*ROLE_GLOB, "*.o"))
    with open(os.path.join(sub, prog + ".c"), "w") as f:
        f.write(text)
    report = os.path.join(tmp, "report")
    shutil.rmtree(report, ignore_errors=True)
    cmd = [os.path.join(build, "sockcheck"), "run", "--no-retry", "--no-capture",
           "--timeout-scale", scale, "--only", only or ROLE_GLOB[prog], "--report-dir", report,
           "--format", "json", sub]
    try:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
    except subprocess.TimeoutExpired:
        return None
    path = os.path.join(report, "results.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        res = json.load(f)
    return {c["id"]: (judged(c), c.get("level", ""), c.get("summary", ""))
            for c in res["cases"]}


def judged(c):
    """A case's verdict as mutation testing counts it: `error` is the
    program's own doing when a failed check names a cause (a death by a
    signal is an error in sockcheck's verdicts: docs/grading.md), the
    harness's when none does (then the mutant is run again)."""
    if c["verdict"] == "error" and any(not k.get("ok") and k.get("cause") and
                                       not k.get("collateral") for k in c.get("checks", [])):
        return "fail"
    return c["verdict"]


def load_reviewed():
    with open(SURVIVORS) as f:
        entries = yaml.safe_load(f) or []
    out = {}
    for e in entries:
        for k in ("file", "from", "to", "kind", "why"):
            if not e.get(k) and k != "from":
                raise SystemExit("%s: entry %r lacks %s" % (SURVIVORS, e, k))
        if e["kind"] not in ("equivalent", "limit"):
            raise SystemExit("%s: kind must be equivalent or limit: %r" % (SURVIVORS, e))
        out.setdefault((e["file"], e.get("from") or "", e["to"]), []).append(e)
    return out


def review(reviewed, e):
    """The reviewed entry for a survivor (a results entry), or None."""
    key = (e["fixture"] + "/" + e["program"] + ".c", e["from"], e["to"])
    return next((r for r in reviewed.get(key, []) if r.get("line") in (None, e["line"])), None)


def score_only(d, reviewed):
    tot_k = tot_n = 0
    for fx, prog in programs(""):
        path = os.path.join(d, "%s-%s.json" % (fx, prog))
        if not os.path.exists(path):
            continue
        with open(path) as f:
            res = json.load(f)
        k = sum(1 for e in res if e["state"] == "killed")
        eq = lim = 0
        new = []
        for e in res:
            if e["state"] == "killed":
                continue
            rv = review(reviewed, e)
            if rv and rv["kind"] == "equivalent":
                eq += 1
            elif rv:
                lim += 1
            else:
                new.append(e)
        n = len(res) - eq
        tot_k += k
        tot_n += n
        print("%s/%s: %d/%d killed (%s), of %d run: %d equivalent, %d limits, %d new" % (
            fx, prog, k, n, pct(k, n), len(res), eq, lim, len(new)))
        for e in new:
            print("  NEW        %s.c:%d: %s ==> %s" % (prog, e["line"], e["from"], e["to"]))
    print("overall: %d/%d killed (%s)" % (tot_k, tot_n, pct(tot_k, tot_n)))


def main():
    a = parse_args()
    build = os.path.abspath(a.build)
    reviewed = load_reviewed()
    if a.score:
        score_only(a.score, reviewed)
        return
    top = os.path.join(build, "mutants")
    os.makedirs(top, exist_ok=True)
    os.makedirs(os.path.join(build, "bench"), exist_ok=True)
    rng_seed = a.seed
    results = []
    lines = []
    tot_k = tot_n = 0
    t_all = time.time()
    for fx, prog in programs(a.only):
        t0 = time.time()
        fxdir = os.path.join("fixtures", fx)
        src = os.path.join(fxdir, prog + ".c")
        with open(src) as f:
            orig = f.read()
        gdir = os.path.join(top, fx, prog)
        shutil.rmtree(gdir, ignore_errors=True)
        names = generate(a.mutate, src, os.path.join(gdir, "src"))
        texts = {}
        for n in names:
            with open(os.path.join(gdir, "src", n)) as f:
                texts[n] = f.read()
        ohash = object_hash(orig, prog, os.path.join(gdir, "cc-orig"))
        if ohash is None:
            raise SystemExit("mutants: %s does not compile" % src)
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
            hashes = dict(zip(names, ex.map(
                lambda n: object_hash(texts[n], prog, os.path.join(gdir, "cc", n)), names)))
        shutil.rmtree(os.path.join(gdir, "cc"), ignore_errors=True)
        seen = {ohash}
        kept = []
        invalid = same = 0
        for n in names:
            h = hashes[n]
            if h is None:
                invalid += 1
            elif h in seen:
                same += 1
            else:
                seen.add(h)
                kept.append(n)
        rng = random.Random("%d/%s/%s" % (rng_seed, fx, prog))
        sample = kept if a.sample <= 0 or a.sample >= len(kept) else \
            sorted(rng.sample(kept, a.sample), key=names.index)
        with tempfile.TemporaryDirectory(prefix="run-", dir=gdir) as tmp:
            base = run_suite(build, fxdir, prog, orig, tmp, a.timeout_scale)
            if base is None:
                raise SystemExit("mutants: the unmutated %s gave no results" % src)
            passed = {cid for cid, v in base.items() if v[0] == "pass"}
            before = {}
            if a.killed_before:
                old = os.path.join(a.killed_before, "%s-%s.json" % (fx, prog))
                if os.path.exists(old):
                    with open(old) as f:
                        before = {(e["line"], e["from"], e["to"]): e for e in json.load(f)}
            killed = equiv = 0
            survivors = []
            for n in sample:
                line, frm, to = describe(orig, texts[n])
                r = None
                old = before.get((line, frm, to))
                if old and old["state"] == "killed" and set(old["killed_by"]) <= passed:
                    r = {cid: ("fail", "", "earlier run") for cid in old["killed_by"]}
                for _ in range(0 if r else 2):
                    r = run_suite(build, fxdir, prog, texts[n], tmp, a.timeout_scale)
                    if r is not None and not any(v[0] == "error" for v in r.values()):
                        break
                if r is None:
                    by = []
                    state = "no-result"
                else:
                    by = sorted(cid for cid in passed if r.get(cid, ("",))[0] == "fail")
                    if by and not (old and old["state"] == "killed"):
                        # a kill holds only if a killing case fails again: a case
                        # that a loaded machine failed once kills nothing
                        again = run_suite(build, fxdir, prog, texts[n], tmp, a.timeout_scale,
                                          ",".join(by[:2]))
                        by = [cid for cid in by[:2] if again and again.get(cid, ("",))[0] == "fail"]
                    state = "killed" if by else "survived"
                entry = {"fixture": fx, "program": prog, "mutant": n, "line": line,
                         "from": frm, "to": to, "state": state, "killed_by": by}
                if state == "killed":
                    killed += 1
                else:
                    rv = review(reviewed, entry)
                    if rv:
                        entry["reviewed"] = rv["kind"]
                        entry["why"] = rv["why"]
                        if rv["kind"] == "equivalent":
                            equiv += 1
                    survivors.append(entry)
                results.append(entry)
                print("  [%d/%d] %-8s %s.c:%d: %s ==> %s%s" % (
                    len([r for r in results if r["program"] == prog and r["fixture"] == fx]),
                    len(sample), state, prog, line, frm, to,
                    " (" + ", ".join(by[:2]) + ")" if by else ""), file=sys.stderr, flush=True)
        n_run = len(sample)
        denom = n_run - equiv
        tot_k += killed
        tot_n += denom
        line = ("%s/%s: %d/%d killed (%s), of %d run (%d equivalent); %d mutants: "
                "%d do not compile, %d same code, %d distinct; %.0f s" % (
                    fx, prog, killed, denom, pct(killed, denom), n_run, equiv, len(names),
                    invalid, same, len(kept), time.time() - t0))
        print(line, flush=True)
        for s in survivors:
            tag = {"equivalent": "equivalent", "limit": "limit"}.get(s.get("reviewed"), "NEW")
            print("  %-10s %s.c:%d: %s ==> %s%s" % (
                tag, prog, s["line"], s["from"], s["to"],
                ("  (" + s["why"] + ")") if s.get("why") else
                ("  [no result]" if s["state"] == "no-result" else "")), flush=True)
        lines.append(line)
        with open(os.path.join(top, "%s-%s.json" % (fx, prog)), "w") as f:
            json.dump([r for r in results if r["fixture"] == fx and r["program"] == prog], f,
                      indent=1)
    total = "overall: %d/%d killed (%s); sample %s per program, seed %d; %.0f s" % (
        tot_k, tot_n, pct(tot_k, tot_n), a.sample or "all", a.seed, time.time() - t_all)
    print(total)
    with open(os.path.join(build, "bench", "mutants.txt"), "a") as f:
        f.write("# %s %d cores\n" % (datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
                                     os.cpu_count() or 0))
        f.write("\n".join(lines + [total]) + "\n")
    new = [r for r in results if r["state"] != "killed" and not r.get("reviewed")]
    if new:
        print("%d survivor(s) not in %s: a missing scenario, or review and list them"
              % (len(new), SURVIVORS))


def pct(k, n):
    return "%.0f %%" % (100.0 * k / n) if n else "-"


if __name__ == "__main__":
    main()
