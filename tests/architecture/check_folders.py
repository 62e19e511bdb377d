#!/usr/bin/env python3
"""Every folder of src/ uses only the folders CMakeLists.txt declares for it.

Each folder is a library declared with `ll2d_folder(NAME ... USES ...)`;
CMake writes the declared graph to BUILD/folder_graph.txt. This reads every
source file's `#include "FOLDER/..."` lines and reports an include of a
folder that is not declared, a declared use that no file makes, a folder
that is not declared at all, and a cycle.

    check_folders.py SOURCE_DIR GRAPH_FILE
    check_folders.py --self-test     (shows the check fails on a bad tree)
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)/')


def read_graph(path):
    graph = {}
    with open(path) as f:
        for line in f:
            if ":" not in line:
                continue
            name, uses = line.split(":", 1)
            graph[name.strip()] = [u for u in uses.strip().split(";") if u]
    return graph


def folder_includes(src, folder):
    """(file, line number, included folder) for each include of another folder."""
    for root, _, files in os.walk(os.path.join(src, folder)):
        for name in sorted(files):
            if not name.endswith((".cpp", ".hpp", ".inc")):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if m and m.group(1) != folder:
                        yield os.path.relpath(path, os.path.dirname(src)), number, m.group(1)


def find_cycle(graph):
    state = {}

    def visit(node, path):
        state[node] = "open"
        for dep in graph.get(node, []):
            if state.get(dep) == "open":
                return path + [node, dep]
            if dep not in state:
                found = visit(dep, path + [node])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in graph:
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def problems(src, graph):
    out = []
    folders = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    for folder in folders:
        if folder not in graph:
            out.append(f"src/{folder} is not declared with ll2d_folder() in CMakeLists.txt")
            continue
        used = set()
        for path, number, target in folder_includes(src, folder):
            if target not in folders:
                continue  # not a folder of src/ (a generated or system path)
            used.add(target)
            if target not in graph[folder]:
                out.append(f"{path}:{number}: includes {target}/, but src/{folder} does not "
                           f"declare that it uses src/{target}")
        for dep in graph[folder]:
            if dep not in used:
                out.append(f"src/{folder} declares that it uses src/{dep}, but no file of it "
                           f"includes {dep}/")
    cycle = find_cycle(graph)
    if cycle:
        out.append("the folders form a cycle: " + " -> ".join(cycle))
    return out


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src")
        for folder, text in {"a": '#include "b/x.hpp"\n', "b": "", "c": '#include "a/y.hpp"\n'}.items():
            os.makedirs(os.path.join(src, folder))
            with open(os.path.join(src, folder, "f.cpp"), "w") as f:
                f.write(text)
        good = {"a": ["b"], "b": [], "c": ["a"]}
        bad_include = {"a": [], "b": [], "c": ["a"]}
        unused = {"a": ["b"], "b": ["c"], "c": ["a"]}
        ok = (not problems(src, good) and
              any("does not declare" in p for p in problems(src, bad_include)) and
              any("no file of it" in p for p in problems(src, unused)) and
              any("cycle" in p for p in problems(src, unused)))
    print("self-test:", "ok" if ok else "FAILED")
    return 0 if ok else 1


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    src, graph_file = os.path.join(sys.argv[1], "src"), sys.argv[2]
    found = problems(src, read_graph(graph_file))
    for p in found:
        print(p)
    print(f"folders: {len(found)} problem{'s' if len(found) != 1 else ''}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
