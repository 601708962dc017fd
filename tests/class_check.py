#!/usr/bin/env python3
"""One number per student everywhere: compare, student by student, what a
`sockcheck grade` (or `merge`) output directory says.

Usage: class_check.py OUT [--terminal FILE] [--lost NAME ...] [--graded N]

For every row of OUT/gradebook.csv:
  - a student with a score: its total and build agree with its line on the
    terminal (`grade: [i/n] NAME: S/M (build B, ...)`, when FILE is given and
    the student was graded in that run), the sum of its case columns, its
    results.json (the points of each case, skipped ones 0, and the verdicts
    of summary.json's cells), summary.json, summary.html's score cell,
    gradescope.json and autolab.txt (when grade wrote them);
  - a student without one (its total empty: never 0) is one of --lost, its
    build cell and summary.json's `why` say why, and summary.html says so.
Strings in sockcheck's JSON are decoded as tests/jsonio.py does (the bytes
a program wrote, jsonio.h). --graded N: the terminal has N student lines.
"""
import csv
import html.parser
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jsonio import decode  # noqa: E402


class ScoreCells(html.parser.HTMLParser):
    """summary.html: the matrix's rows, name -> the text of its score cell."""

    def __init__(self):
        super().__init__()
        self.rows, self.name, self.where, self.text = {}, None, None, ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "student" in (a.get("class") or "").split():
            self.name, self.where = None, "row"
        elif self.where == "row" and tag == "th":
            self.where, self.text = "th", ""
        elif self.where == "row" and tag == "td" and "score" in (a.get("class") or "").split():
            self.where, self.text = "td", ""

    def handle_endtag(self, tag):
        if self.where == "th" and tag == "th":
            self.name, self.where = self.text, "row"
        elif self.where == "td" and tag == "td":
            self.rows[self.name] = self.text
            self.where = None

    def handle_data(self, data):
        if self.where in ("th", "td"):
            self.text += data


def main():
    args = sys.argv[1:]
    out = args.pop(0)
    terminal, lost, graded = None, set(), None
    while args:
        a = args.pop(0)
        if a == "--terminal":
            terminal = args.pop(0)
        elif a == "--graded":
            graded = int(args.pop(0))
        elif a == "--lost":
            while args and not args[0].startswith("--"):
                lost.add(args.pop(0))
    bad = []
    with open(os.path.join(out, "gradebook.csv"), newline="", encoding="utf-8",
              errors="surrogateescape") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    ids = head[4:]
    summ = json.load(open(os.path.join(out, "summary.json")))
    sj = {s["name"]: s for s in summ["students"]}
    scol = [c["id"] for c in summ["cases"]]
    p = ScoreCells()
    p.feed(open(os.path.join(out, "summary.html"), encoding="utf-8").read())
    term = {}
    if terminal:
        for line in open(terminal, encoding="utf-8", errors="surrogateescape"):
            m = re.match(r"grade: \[\d+/\d+\] (.*): (\d+)/(\d+) \(build ([a-z-]+)", line)
            if m:
                term[m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(4))
        if graded is not None and len(term) != graded:
            bad.append("terminal: %d student lines, want %d" % (len(term), graded))
    compared = set()
    for r in body:
        name, total, mx, build, cells = r[0], r[1], int(r[2]), r[3], r[4:]
        s = sj.get(name)
        sd = os.path.join(out, "students", name)
        if s is None:
            bad.append("%s: not in summary.json" % name)
            continue
        if total == "":
            if name not in lost:
                bad.append("%s: no score in gradebook.csv (%s)" % (name, build))
            if any(cells) or not build.startswith("error: ") or s["score"] is not None \
                    or not s.get("why") or "no score" not in p.rows.get(name, ""):
                bad.append("%s: without a score, but not said everywhere: %r %r %r" % (
                    name, build, s.get("why"), p.rows.get(name)))
            continue
        if name in lost:
            bad.append("%s: scored %s, expected no score" % (name, total))
        total = int(total)
        if sum(int(v) for v in cells) != total:
            bad.append("%s: gradebook total %d != the sum of its cases" % (name, total))
        if s["score"] != total or s["build"] != build or s["max_score"] != mx:
            bad.append("%s: summary.json %s/%s build %s, gradebook %d/%d build %s" % (
                name, s["score"], s["max_score"], s["build"], total, mx, build))
        compared.add("summary.json")
        if p.rows.get(name) != "%d/%d" % (total, mx):
            bad.append("%s: summary.html says %r, gradebook %d/%d" % (
                name, p.rows.get(name), total, mx))
        compared.add("summary.html")
        if name in term:
            if term[name] != (total, mx, build):
                bad.append("%s: terminal %s, gradebook %d/%d build %s" % (
                    name, term[name], total, mx, build))
            compared.add("terminal")
        elif terminal and graded is None:
            bad.append("%s: no line on the terminal" % name)
        res = os.path.join(sd, "results.json")
        if build in ("ok", "no-programs"):
            rj = json.load(open(res))
            by = {c["id"]: c for c in rj["cases"]}
            want = [0 if by[i]["verdict"] == "skip" else by[i]["score"] for i in ids]
            if [int(v) for v in cells] != want:
                bad.append("%s: gradebook cells %s, results.json %s" % (name, cells, want))
            if rj["score"] != total:
                bad.append("%s: results.json score %d, gradebook %d" % (name, rj["score"], total))
            verdicts = [by[i]["verdict"] for i in scol]
            if s["cells"] != verdicts:
                bad.append("%s: summary.json cells %s, results.json %s" % (
                    name, s["cells"], verdicts))
            compared.add("results.json")
            for v in verdicts:
                if v == "error":
                    c = next(c for c in rj["cases"] if c["verdict"] == "error")
                    bad.append("%s: %s: error (sockcheck could not run it): %s" % (
                        name, c["id"], decode(c["summary"])))
                    break
            gs = os.path.join(sd, "gradescope.json")
            if os.path.exists(gs):
                g = json.load(open(gs))
                if g["score"] != total or sum(t["score"] for t in g["tests"]) != total:
                    bad.append("%s: gradescope.json %s, gradebook %d" % (name, g["score"], total))
                compared.add("gradescope.json")
            al = os.path.join(sd, "autolab.txt")
            if os.path.exists(al):
                with open(al, "rb") as f:
                    last = f.read().rstrip(b"\n").split(b"\n")[-1]
                if sum(json.loads(last)["scores"].values()) != total:
                    bad.append("%s: autolab.txt %s, gradebook %d" % (name, last, total))
                compared.add("autolab.txt")
        elif total != 0:
            bad.append("%s: build %s but %d points" % (name, build, total))
    if len(sj) != len(body):
        bad.append("summary.json has %d students, gradebook.csv %d" % (len(sj), len(body)))
    for b in bad:
        print("  " + b)
    print("%s: %d students, %d without a score; compared gradebook.csv with %s" % (
        out, len(body), sum(1 for r in body if r[1] == ""), ", ".join(sorted(compared))))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
