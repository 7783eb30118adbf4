#!/usr/bin/env python3
"""One citation format for the five papers (issue 18 item 5).

The format (Docs/architecture.md, "Citations"):

    Xu (16)                 an equation, in the paper's own numbering
    Murugan (3.69)–(3.71)   a range of equations (en dash), each number written out
    Vardhan (a1-2)          Vardhan's appendix equations keep their labels
    MatConvNet §6.1         a section (ranges: Vardhan §3.1.5–3.1.6)
    Xu Table 1, Milisavljevic Fig. 8, Vardhan App. A, MatConvNet ch. 5

Modes:
    --table             rebuild scripts/paper-references.json (each paper's equation numbers,
                        sections, tables, figures) from the papers' text in --seeds
    --check [PATH…]     list every citation that does not parse or names an equation or
                        section the paper lacks; exit 1 if there is one
    --fix [PATH…]       rewrite the old forms (`Xu eq. (16)`, `eq. 16`, `Murugan 3.69`,
                        `eqs. (3.69)–(3.71)`) where the paper is unambiguous from the line or
                        the file; what it cannot attribute is left alone and listed by --check.

Only text next to a paper's name or the word eq./Eq./equation is touched: math such as
`dᵥZ/dᵥK` is never a citation. The Swift test `CitationTests` reads the same table and the same
grammar (keep the two in step).
"""

import argparse
import json
import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "scripts", "paper-references.json")
SEEDS = {
    "Xu": "000_c1a41fee2b19ad86.txt",
    "Murugan": "001_b10caca55caf62b3.txt",
    "Milisavljevic": "002_6a99524cffbe0516.txt",
    "Vardhan": "003_c63a9705f2845fb4.txt",
    "MatConvNet": "004_ea61ed71c383a2d9.txt",
}
PAPERS = list(SEEDS)
DEFAULT_PATHS = ["Sources", "Notes", "Docs"]
EXTENSIONS = (".swift", ".md", ".c", ".h", ".cu", ".py", ".sh", ".txt")

# --- the grammar (mirrored in Tests/ConvLabCLITests/CitationTests.swift) -----------------------
PAPER = r"(?P<paper>Xu|Murugan|Milisavljevic|Vardhan|MatConvNet)"
EQ = r"(?:[0-9]+(?:\.[0-9]+)?|[ab][0-9]*-[0-9]+(?:\.[0-9]+)?)"
SEC = r"[0-9]+(?:\.[0-9]+)*"
NUM = r"[0-9]+(?:\.[0-9]+)?"
REF = (
    rf"(?:\((?P<eq>{EQ})\)(?:–\((?P<eq2>{EQ})\))?"
    rf"|§(?P<sec>{SEC})(?:–§?(?P<sec2>{SEC}))?"
    rf"|Tables? (?P<table>{NUM})(?:–(?P<table2>{NUM}))?"
    rf"|Figs?\. (?P<fig>{NUM})(?:–(?P<fig2>{NUM}))?"
    rf"|App\. (?P<app>[AB])"
    rf"|ch\. (?P<ch>[0-9]+))"
    # A section or appendix may name one of its equations: `Vardhan App. A (a1-2)`, `Xu §3.1.1 (6)`.
    rf"(?: \((?P<sub>{EQ})\)(?:–\((?P<sub2>{EQ})\))?)?"
)
CITATION = re.compile(rf"\b{PAPER} {REF}(?![0-9A-Za-z.]*[0-9])")
# A paper's name followed by something that starts like a reference.
# (A bare number after a name is a citation only when dotted and not a measurement:
# `Murugan 3.69` is, `Milisavljevic 1.7–2.0×` and `Xu's 1516` are not.)
CITATION_LIKE = re.compile(
    rf"\b{PAPER}(?:'s)?[ \t]+(?=[Ee]qs?\b|[Ee]quations?\b|§|\([0-9ab]|Tables?\b|Figs?\b|App\b|ch\."
    r"|[0-9]+\.[0-9]+(?![0-9.×%–-]|[ \t]*(?:ms|µs|s|GB|MB)\b))")
# An equation reference with no paper: eq. (16), eq. 16, Eq. 3.69, eqs. (14)–(18), equation (5).
BARE_EQ = re.compile(r"\b(?:[Ee]qs?\.|[Ee]quations?)[ \t]*\(?(?:[0-9]|[ab][0-9]*-)")


def load_table():
    with open(TABLE, encoding="utf-8") as f:
        return json.load(f)


def build_table(seeds):
    table = {}
    for paper, name in SEEDS.items():
        text = open(os.path.join(seeds, name), encoding="utf-8").read()
        eqs, secs, tables, figs, apps, chapters = set(), set(), set(), set(), set(), set()
        # Numbered display equations: `… (12)$$`, `\quad (5.1)`, `\tag{5.3}`, Murugan's
        # `(\text{Eq. 3.52})`, Vardhan's `\text{eq.a1-2}` / `eq.b-2.2`.
        for m in re.finditer(r"\(\s*([0-9]+(?:\.[0-9]+)?)\s*\)\s*\$\$", text):
            eqs.add(m.group(1))
        for m in re.finditer(r"\\tag\{([0-9]+(?:\.[0-9]+)?)\}", text):
            eqs.add(m.group(1))
        for m in re.finditer(r"^\s*\(([0-9]+(?:\.[0-9]+)?)\)\s*$", text, re.M):
            eqs.add(m.group(1))  # an equation's number printed on its own line
        for m in re.finditer(r"Eq\. ?([0-9]+\.[0-9]+)", text):
            eqs.add(m.group(1))
        for m in re.finditer(r"eq\.([ab][0-9]*-[0-9]+(?:\.[0-9]+)?)", text):
            eqs.add(m.group(1))
            # `b-2` names the group b-2.1, b-2.2, b-2.3 (Vardhan App. B's steps).
            if "." in m.group(1):
                eqs.add(m.group(1).split(".")[0])
        # Headings: `3.1.1 Average Polymerization`, `## 4.1 Convolution`, `# 2. Implementing …`.
        # (Spaces only: Xu's Table 1 rows are tab-separated "0\tX\t…".)
        for m in re.finditer(r"^#*[ ]*([0-9]+(?:\.[0-9]+)*)\.? +(?:[A-Z]|\$)", text, re.M):
            secs.add(m.group(1))
        # Bold headings (`## **4.6.3** *p***-distance**`) and the table of contents' tab-indented
        # entries (`\t\t6.6.3\tp-distance\t41`), where the conversion lost a heading.
        for m in re.finditer(r"^#*[ ]*\*\*([0-9]+(?:\.[0-9]+)*)\*\*", text, re.M):
            secs.add(m.group(1))
        for m in re.finditer(r"^\t+([0-9]+(?:\.[0-9]+)+)\t", text, re.M):
            secs.add(m.group(1))
        for m in re.finditer(r"^#*\s*Chapter ([0-9]+)", text, re.M):
            chapters.add(m.group(1))
            secs.add(m.group(1))
        for m in re.finditer(r"^[0-9]+ Appendix ([AB])\b", text, re.M):
            apps.add(m.group(1))
        for m in re.finditer(r"^(?:TABLE|Table) ([0-9]+(?:\.[0-9]+)?)\b", text, re.M):
            tables.add(m.group(1))
        for m in re.finditer(r"^(?:FIGURE|Figure) ([0-9]+(?:\.[0-9]+)?)\b", text, re.M):
            figs.add(m.group(1))
        # Murugan's one table is printed without a heading line of its own.
        for m in re.finditer(r"Table ([0-9]+): ", text):
            tables.add(m.group(1))
        if paper == "MatConvNet":
            # Chapters 2–6 are titled but not numbered in the conversion; their sections are.
            chapters |= {s.split(".")[0] for s in secs}
            secs |= chapters

        def order(values):
            return sorted(values, key=lambda v: [int(p) if p.isdigit() else p for p in re.split(r"[.-]", v)])

        table[paper] = {
            "source": name,
            "equations": order(eqs),
            "sections": order(secs),
            "tables": order(tables),
            "figures": order(figs),
            "appendices": sorted(apps),
            "chapters": order(chapters),
        }
    return table


def section_exists(entry, sec):
    """A section exists when it, or (for a numbered subsection the conversion lost) its parent,
    is a heading: `§3.1.5` needs 3.1.5; `§5` needs a heading numbered 5."""
    return sec in entry["sections"]


def problems_in_citation(m, table):
    """What is wrong with one parsed citation, or None."""
    paper = m.group("paper")
    e = table[paper]
    for key, kind, what in [("eq", "equations", "equation"), ("eq2", "equations", "equation"),
                            ("sub", "equations", "equation"), ("sub2", "equations", "equation"),
                            ("table", "tables", "table"), ("table2", "tables", "table"),
                            ("fig", "figures", "figure"), ("fig2", "figures", "figure"),
                            ("app", "appendices", "appendix"), ("ch", "chapters", "chapter")]:
        v = m.group(key)
        if v is not None and v not in e[kind]:
            return f"{paper} has no {what} {v}"
    for key in ("sec", "sec2"):
        v = m.group(key)
        if v is not None and not section_exists(e, v):
            return f"{paper} has no section §{v}"
    return None


def files(paths):
    for p in paths:
        if os.path.isfile(p):
            yield p
            continue
        for d, dirs, names in os.walk(p):
            dirs[:] = [x for x in dirs if not x.startswith(".") and x != "__Snapshots__"]
            for n in sorted(names):
                if n.endswith(EXTENSIONS) and n != "paper-references.json":
                    yield os.path.join(d, n)


def check_text(text, table):
    """(line, column, citation text, problem) for every citation that does not parse or does not
    exist in its paper."""
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        parsed = []
        for m in CITATION.finditer(line):
            parsed.append((m.start(), m.end()))
            problem = problems_in_citation(m, table)
            if problem:
                out.append((number, m.start() + 1, m.group(0), problem))
        for m in CITATION_LIKE.finditer(line):
            if any(a == m.start() for a, _ in parsed):
                continue
            snippet = line[m.start():m.start() + 32]
            out.append((number, m.start() + 1, snippet, "does not parse as a citation"))
        for m in BARE_EQ.finditer(line):
            snippet = line[m.start():m.start() + 24]
            out.append((number, m.start() + 1, snippet, "an equation without its paper's name"))
    return out


# --- --fix ----------------------------------------------------------------------------------
EQV = r"(?:[0-9]+(?:\.[0-9]+)?|[ab][0-9]*-[0-9]+(?:\.[0-9]+)?)"
# `eq. (16)`, `eq. 16`, `Eq. 3.69`, `eqs. (14)–(18)`, `eq. 14–18`, `equation (5)`, `(Eq. 3.52)`,
# `eq.a1-2`, with the range joined by an en dash, a hyphen or "to".
OLD_EQ = (
    r"(?:[Ee]qs?\.|[Ee]quations?)[ \t]*"
    rf"(?:\((?P<a1>{EQV})[ \t]*[–-][ \t]*(?P<b1>{EQV})\)|"  # eq. (11–13)
    rf"(?P<open>\()?(?P<a>{EQV})(?(open)\))"
    rf"(?:[ \t]*(?:–|-|to)[ \t]*(?P<open2>\()?(?P<b>{EQV})(?(open2)\)))?)"
)


def numbers(m):
    """The first and last equation numbers of an OLD_EQ match."""
    return (m.group("a1"), m.group("b1")) if m.group("a1") else (m.group("a"), m.group("b"))
NAMED_OLD = re.compile(rf"\b{PAPER}(?P<poss>'s)?[ \t]+(?P<paren>\()?{OLD_EQ}(?(paren)\))(?![0-9A-Za-z])")
BARE_OLD = re.compile(rf"(?<![A-Za-z])(?P<paren>\()?{OLD_EQ}(?(paren)\))(?![0-9A-Za-z])")
# `Murugan 3.69`, `Murugan 3.69–3.71`: a dotted number right after the name.
NAMED_NUMBER = re.compile(r"\b(?P<paper>Xu|Murugan|Milisavljevic|Vardhan|MatConvNet)[ \t]+(?P<a>[0-9]+\.[0-9]+)(?:[ \t]*[–-][ \t]*(?P<b>[0-9]+\.[0-9]+))?(?![0-9.])")
NAME = re.compile(r"\b(Xu|Murugan|Milisavljevic|Vardhan|MatConvNet)\b")


def render(paper, a, b):
    return f"{paper} ({a})" + (f"–({b})" if b else "")


def fix_text(text, table, path=""):
    """The text with old citation forms rewritten; returns (text, number of rewrites)."""
    named_in_file = set(NAME.findall(text))
    base = os.path.basename(path).lower()
    named_in_path = {p for p in PAPERS if p.lower() in base}
    lines = text.split("\n")
    count = 0
    for k, line in enumerate(lines):
        def named(m):
            nonlocal count
            paper, (a, b) = m.group("paper"), numbers(m)
            if a not in table[paper]["equations"] or (b and b not in table[paper]["equations"]):
                return m.group(0)
            count += 1
            # "Xu's eq. (6)" reads "Xu (6)"; a parenthesised "(Eq. 3.52)" keeps its parentheses.
            return ("(" if m.group("paren") else "") + render(paper, a, b) + (")" if m.group("paren") else "")

        line = NAMED_OLD.sub(named, line)

        def number(m):
            nonlocal count
            paper, a, b = m.group("paper"), m.group("a"), m.group("b")
            e = table[paper]
            # Only an equation that is not also a section number (Murugan 3.1 is both).
            if a in e["equations"] and a not in e["sections"] and (not b or (b in e["equations"] and b not in e["sections"])):
                count += 1
                return render(paper, a, b)
            return m.group(0)

        line = NAMED_NUMBER.sub(number, line)

        def possessive(m):
            nonlocal count
            count += 1
            return m.group(1) + " "

        # `Xu's Fig. 4`, `MatConvNet's §2.3.1` → `Xu Fig. 4`, `MatConvNet §2.3.1`.
        line = re.sub(rf"\b(Xu|Murugan|Milisavljevic|Vardhan|MatConvNet)'s (?={REF})", possessive, line)

        def bare(m):
            nonlocal count
            a, b = numbers(m)

            def has(p):
                return a in table[p]["equations"] and (not b or b in table[p]["equations"])

            # Right after a canonical section or appendix of a paper that has the equation:
            # `Vardhan App. A eq. a1-2` → `Vardhan App. A (a1-2)`.
            before = line[:m.start()]
            tail = re.search(rf"\b{PAPER} (?:§{SEC}|App\. [AB])[ \t]*$", before)
            if tail and has(tail.group("paper")) and not m.group("paren"):
                count += 1
                return f"({a})" + (f"–({b})" if b else "")
            # Otherwise the paper named nearest before it on the line, then any named on the line,
            # then any named in the file — whichever set, narrowed to the papers that have this
            # equation number, leaves exactly one.
            preceding = NAME.findall(before)
            for candidates in ([preceding[-1]] if preceding else [], set(NAME.findall(line)), named_in_path, named_in_file):
                papers = sorted(p for p in set(candidates) if has(p))
                if len(papers) == 1:
                    count += 1
                    inner = render(papers[0], a, b)
                    return f"({inner})" if m.group("paren") else inner
                if len(papers) > 1:
                    break
            return m.group(0)

        line = BARE_OLD.sub(bare, line)
        lines[k] = line
    return "\n".join(lines), count


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--table", action="store_true", help="rebuild scripts/paper-references.json from --seeds")
    mode.add_argument("--check", action="store_true", help="list citations that do not parse or do not exist")
    mode.add_argument("--fix", action="store_true", help="rewrite old forms in place")
    ap.add_argument("--seeds", default="/work/shared/seeds", help="folder of the papers' text (for --table)")
    ap.add_argument("paths", nargs="*", help="files or folders (default: Sources Notes Docs)")
    args = ap.parse_args()

    if args.table:
        table = build_table(args.seeds)
        data = json.dumps(table, indent=1, ensure_ascii=False) + "\n"
        tmp = TABLE + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(data)
        os.replace(tmp, TABLE)
        for p, e in table.items():
            print(f"{p}: {len(e['equations'])} equations, {len(e['sections'])} sections, {len(e['tables'])} tables, {len(e['figures'])} figures")
        return 0

    table = load_table()
    paths = args.paths or [os.path.join(ROOT, p) for p in DEFAULT_PATHS]
    bad = 0
    for path in files(paths):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if args.fix:
            new, n = fix_text(text, table, path)
            if n:
                tmp = path + ".citations.tmp"
                with open(tmp, "w", encoding="utf-8") as f:
                    f.write(new)
                shutil.copymode(path, tmp)  # keep an executable script executable
                os.replace(tmp, path)
                print(f"{os.path.relpath(path, ROOT)}: {n} rewritten")
        else:
            for line, col, snippet, problem in check_text(text, table):
                bad += 1
                print(f"{os.path.relpath(path, ROOT)}:{line}:{col}: {problem}: {snippet.strip()}")
    if args.check:
        print(f"{bad} citation(s) to fix", file=sys.stderr)
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
