#!/usr/bin/env python3
"""Checks the docs as a reader meets them.

- every relative link in README.md and docs/*.md names a file that exists,
  and its #anchor a heading of that file (GitHub's slugs);
- every page under docs/ is linked from the README, so nothing is lost;
- the README stays a front page (at most MAX_README_LINES lines).

    check_docs.py REPO_ROOT
Standard library only; exit 1 with one line per problem.
"""
import os
import re
import sys

MAX_README_LINES = 200
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~)")


def prose_lines(text):
    """The lines outside fenced code blocks, with their numbers."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"`", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    seen = {}
    out = set()
    with open(path, encoding="utf-8") as f:
        for _, line in prose_lines(f.read()):
            m = re.match(r"^#{1,6}\s+(.*)$", line)
            if not m:
                continue
            base = slug(m.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            out.add(base if n == 0 else f"{base}-{n}")
    return out


def check_links(root, page, problems):
    with open(page, encoding="utf-8") as f:
        text = f.read()
    linked = set()
    for number, line in prose_lines(text):
        for target in LINK.findall(line):
            if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
                continue
            path, _, anchor = target.partition("#")
            file = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
            where = f"{os.path.relpath(page, root)}:{number}"
            if not os.path.exists(file):
                problems.append(f"{where}: link to {target}: no such file")
                continue
            linked.add(os.path.relpath(file, root))
            if anchor and file.endswith(".md") and anchor not in anchors(file):
                problems.append(f"{where}: link to {target}: no such heading")
    return linked


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    readme = os.path.join(root, "README.md")
    docs = sorted(os.path.join(root, "docs", n) for n in os.listdir(os.path.join(root, "docs"))
                  if n.endswith(".md"))
    problems = []
    from_readme = check_links(root, readme, problems)
    for page in docs:
        check_links(root, page, problems)
        if os.path.relpath(page, root) not in from_readme:
            problems.append(f"README.md: does not link {os.path.relpath(page, root)}")
    with open(readme, encoding="utf-8") as f:
        lines = f.read().count("\n")
    if lines > MAX_README_LINES:
        problems.append(f"README.md: {lines} lines; a front page has at most {MAX_README_LINES}")
    for p in problems:
        print(p)
    print(f"docs: {len(docs) + 1} pages checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
