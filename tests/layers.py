#!/usr/bin/env python3
"""layers.py -- check that the program's folders keep their order.

The Makefile names the folders of repl/ from the bottom layer up
(REPL_DIRS) and, for each, the folders it may use (USES_<dir>).  This
script reads which functions every object file defines and which it calls
(`nm`), and reports, naming the edge and the functions on it:

  - a call from a folder to one it may not use (a lower folder calling a
    higher one, or two folders calling each other);
  - a cycle of calls between files of one folder, unless the README lists
    it under "Cycles inside a folder" (a line "- a.c <-> b.c: why");
  - readline called outside repl/term/ (the terminal is the top layer's);
  - a folder whose USES_ list names a folder above it.

Usage: layers.py BUILD_DIR.  Prints TAP lines; exits 1 on any failure.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
READLINE = re.compile(r"^(rl_|readline$|add_history$|history_|read_history$|"
                      r"write_history$|using_history$|stifle_history$)")


def makefile_layers():
    """REPL_DIRS and USES_<dir> (folder names, without repl/)."""
    text = open(os.path.join(ROOT, "Makefile")).read().replace("\\\n", " ")
    dirs = re.search(r"^REPL_DIRS\s*:=\s*(.*)$", text, re.M).group(1).split()
    uses = {}
    for d in dirs + ["main"]:
        m = re.search(r"^USES_%s\s*:=\s*(.*)$" % d, text, re.M)
        words = m.group(1).split() if m else []
        uses[d] = {w[len("repl/"):] for w in words if w.startswith("repl/")}
    return dirs + ["main"], uses


def allowed_cycles():
    """Pairs of files listed in README.md under "Cycles inside a folder"."""
    text = open(os.path.join(ROOT, "README.md")).read()
    m = re.search(r"^#+ Cycles inside a folder\n(.*?)(?=^#)", text,
                  re.M | re.S)
    pairs = set()
    for line in (m.group(1) if m else "").splitlines():
        p = re.match(r"^- `?([\w/]+\.c)`? <-> `?([\w/]+\.c)`?", line)
        if p:
            pairs.add(frozenset((p.group(1), p.group(2))))
    return pairs


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRCGSV":
            defined.add(parts[2])
    return defined, used


def objects(build):
    """{"core/cmd.c": path of its object} for repl/ and main."""
    objs = {}
    base = os.path.join(build, "repl")
    for dirpath, _, files in os.walk(base):
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), base)
            # objects of sources that no longer exist are not the program
            if f.endswith(".o") and os.path.exists(
                    os.path.join(ROOT, "repl", rel[:-2] + ".c")):
                objs[rel[:-2] + ".c"] = os.path.join(dirpath, f)
    return objs


def folder(name):
    return name.split("/")[0] if "/" in name else "main"


def file_cycles(edges):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    order, uses = makefile_layers()
    objs = objects(build)
    if not objs:
        print("not ok 1 no objects under %s/repl: build first" % build)
        return 1
    owner, used = {}, {}
    for name, path in objs.items():
        d, u = symbols(path)
        for s in d:
            owner[s] = name
        used[name] = u

    calls = {}  # (from file, to file) -> functions
    readline_users = {}
    for name, syms in used.items():
        for s in syms:
            to = owner.get(s)
            if to and to != name:
                calls.setdefault((name, to), set()).add(s)
            if READLINE.match(s) and folder(name) != "term":
                readline_users.setdefault(name, set()).add(s)

    n, failed = 0, 0

    def report(ok, text, details=()):
        nonlocal n, failed
        n += 1
        print("%s %d %s" % ("ok" if ok else "not ok", n, text))
        for line in details:
            print("#   " + line)
        failed += not ok

    bad_uses = ["USES_%s names %s, which is not below it" % (d, u)
                for d in order for u in sorted(uses[d])
                if u != d and (u not in order or
                               order.index(u) > order.index(d))]
    report(not bad_uses, "each folder may use only folders below it",
           bad_uses)

    upward = []
    for (a, b), syms in sorted(calls.items()):
        fa, fb = folder(a), folder(b)
        if fa != fb and (fb not in uses[fa] or
                         order.index(fb) > order.index(fa)):
            upward.append("%s -> %s (%s)" % (a, b, ", ".join(sorted(syms))))
    report(not upward, "no folder calls one above it or beside it (%d calls "
           "between files checked)" % len(calls), upward)

    allowed = allowed_cycles()
    edges = {}
    for (a, b) in calls:
        if folder(a) == folder(b):
            edges.setdefault(a, set()).add(b)
    cycles = []
    for comp in file_cycles(edges):
        pairs = {frozenset((a, b)) for a in comp for b in comp
                 if a != b and b in edges.get(a, ())}
        names = {frozenset(os.path.basename(x) for x in p) for p in pairs}
        if not names <= allowed:
            cycles.append(" <-> ".join(comp))
    report(not cycles, "no call cycle between files of one folder (but "
           "those the README lists)", cycles)

    rl = ["%s calls %s" % (f, ", ".join(sorted(s)))
          for f, s in sorted(readline_users.items())]
    report(not rl, "readline is called only in repl/term/", rl)
    print("# measured: %d files in %d folders, %d calls between files"
          % (len(objs), len(order), len(calls)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
