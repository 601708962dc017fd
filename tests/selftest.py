"""Self-test: run build/sockcheck on fixtures/correct and every mutant.

A mutant is fixtures/correct with fixtures/mutants/NAME/bug.patch applied;
its fixture.yaml names the program it breaks and the case ids it must fail
(`must_fail`, plus `inject_fail` for the fault-injection cases). The run of
a mutant is limited to the cases of that program's protocol and role, and
the set of failed cases must equal the declared set exactly.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
SOCKCHECK = os.path.join(BUILD, "sockcheck")
OUT = os.path.join(BUILD, "selftest")
ROLE_GLOB = {
    "echo_server": "echo.server.*",
    "echo_client": "echo.client.*",
    "file_server": "file.server.*",
    "file_client": "file.client.*",
}


def run(sub, name, only=None, extra=()):
    report = os.path.join(OUT, name)
    shutil.rmtree(report, ignore_errors=True)
    cmd = [SOCKCHECK, "run", "--report-dir", report, "--format", "json"]
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
    return p, res


def failed_ids(res):
    return {c["id"] for c in res["cases"] if c["verdict"] in ("fail", "error")}


def describe(res, ids):
    out = []
    for c in res["cases"]:
        if c["id"] in ids:
            out.append("    %s: %s %s" % (c["id"], c["verdict"], c.get("summary", "")))
    return "\n".join(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    bad = 0
    correct = os.path.abspath("fixtures/correct")
    p, res = run(correct, "correct")
    failing = {c["id"] for c in res["cases"]
               if c["verdict"] in ("fail", "error") and c["level"] == "must"}
    # should/info cases the correct fixture itself fails (it is iterative, so
    # it serves no concurrent clients) say nothing about a mutant
    baseline = failed_ids(res)
    if p.returncode != 0 or failing:
        bad += 1
        print("not ok - correct fixture (exit %d)" % p.returncode)
        print(describe(res, failing))
    else:
        print("ok - correct fixture: %d cases, %.1f s" % (len(res["cases"]), res.get("seconds", 0)))

    mutants = sorted(os.listdir("fixtures/mutants"))
    for name in mutants:
        mdir = os.path.join("fixtures/mutants", name)
        with open(os.path.join(mdir, "fixture.yaml")) as f:
            fx = yaml.safe_load(f)
        if fx.get("memcheck"):
            continue  # tests/memcheck-fixtures.sh
        expected = set(fx.get("must_fail") or []) | set(fx.get("inject_fail") or [])
        progs = fx.get("program") or ""
        progs = progs if isinstance(progs, list) else [progs]
        only = ",".join(ROLE_GLOB[p] for p in progs if p in ROLE_GLOB) or None
        tmp = tempfile.mkdtemp(prefix="sockcheck-mutant-")
        try:
            sub = os.path.join(tmp, "sub")
            # sources only: binaries built in fixtures/correct must not stand in
            shutil.copytree(correct, sub, ignore=shutil.ignore_patterns(
                "echo_server", "echo_client", "file_server", "file_client", "*.o"))
            with open(os.path.join(mdir, "bug.patch"), "rb") as patch:
                subprocess.run(["patch", "-s", "-p1", "-d", sub], stdin=patch, check=True)
            p, res = run(sub, "mutant-" + name, only)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        got = failed_ids(res) - baseline
        if expected & baseline:
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
        else:
            print("ok - mutant %s fails exactly %d case(s)" % (name, len(expected)))
    raise SystemExit(1 if bad else 0)


main()
