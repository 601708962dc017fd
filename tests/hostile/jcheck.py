#!/usr/bin/env python3
"""Assertions on a results.json for tests/hostile.sh.

    jcheck.py RESULTS_JSON EXPR...

Each EXPR is a Python expression evaluated with:
    d           the whole results.json
    case(id)    the case (dict); an id glob picks the first match
    stu(id)     the case's first student process (dict), or {}
    text(id)    summary, diagnosis and every check's text of the case, joined
    has(id, re) re (case-insensitive) found in text(id)
    cases       the list of cases
Exit 0 when every expression is true; otherwise each false one is printed
with the case texts, and the exit status is 1.
"""
import fnmatch
import json
import re
import sys


def main():
    path, exprs = sys.argv[1], sys.argv[2:]
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        print("    cannot read %s: %s" % (path, e))
        return 1
    cases = d.get("cases", [])

    def case(cid):
        for c in cases:
            if fnmatch.fnmatchcase(c["id"], cid):
                return c
        raise KeyError("no case %s in %s" % (cid, path))

    def stu(cid):
        for p in case(cid).get("processes") or []:
            if p["role"].startswith("student"):
                return p
        return {}

    def text(cid):
        c = case(cid)
        parts = [c.get("summary") or "", c.get("diagnosis") or ""]
        for k in c.get("checks") or []:
            parts += [k.get("name") or "", k.get("expected") or "", k.get("actual") or ""]
        return "\n".join(parts)

    def has(cid, rx):
        return re.search(rx, text(cid), re.I) is not None

    env = {"d": d, "case": case, "stu": stu, "text": text, "has": has, "cases": cases,
           "re": re, "len": len, "any": any, "all": all}
    bad = 0
    for e in exprs:
        try:
            ok = eval(e, env)
        except Exception as ex:  # noqa: BLE001 - report any failure of the expression
            ok, e = False, "%s  [%s: %s]" % (e, type(ex).__name__, ex)
        if not ok:
            bad += 1
            print("    false: %s" % e)
    if bad:
        for c in cases:
            print("    | %s: %s (%.2f s) %s" % (c["id"], c["verdict"], c.get("seconds", 0),
                                               (c.get("summary") or "")[:300].replace("\n", " ")))
            if c.get("diagnosis"):
                print("    |   diagnosis: %s" % c["diagnosis"][:300].replace("\n", " "))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
