#!/usr/bin/env bash
# Proves a refactoring changed nothing: runs two extract binaries over every real article
# (the shared dev set, eval/corpus/tune, eval/corpus/heldout; each in the clean layout and
# re-wrapped as newspaper columns by ../shared/eval/score's `columns`) and over the engine
# benchmark's generated 2 MB corpus, and diffs their JSON byte for byte.
# Usage: eval/same-output.sh OLD_BIN NEW_BIN
# Prints "identical: N files", or the first differences and exits 1.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 OLD_BIN NEW_BIN" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The bench corpus, written by the example that shares the bench's generator.
(cd "$top" && cargo run -q -p dongtai-engine --example bench_corpus -- "$work/bench")
python3 - "$1" "$2" "$top" "$work" <<'PY'
import concurrent.futures, difflib, importlib.machinery, importlib.util, json, os, subprocess, sys

old, new, top, work = sys.argv[1:5]
score = os.path.join(top, "..", "shared", "eval", "score")
loader = importlib.machinery.SourceFileLoader("score", score)
spec = importlib.util.spec_from_loader("score", loader)
mod = importlib.util.module_from_spec(spec)
loader.exec_module(mod)

jobs = []  # (label, path, published)
sets = [("dev", os.path.join(top, "..", "shared", "eval", "dev")),
        ("tune", os.path.join(top, "eval", "corpus", "tune")),
        ("heldout", os.path.join(top, "eval", "corpus", "heldout"))]
for name, d in sets:
    if not os.path.isdir(d):
        sys.exit(f"missing corpus folder {d}")
    cols = os.path.join(work, name + "-columns")
    os.makedirs(cols)
    for f in sorted(os.listdir(d)):
        if not f.endswith(".txt") or not os.path.exists(os.path.join(d, f[:-4] + ".json")):
            continue
        with open(os.path.join(d, f[:-4] + ".json"), encoding="utf-8") as g:
            published = json.load(g)["published"]
        src = os.path.join(d, f)
        jobs.append((f"{name}/clean/{f}", src, published))
        with open(src, encoding="utf-8") as g:
            text = g.read()
        wrapped = os.path.join(cols, f)
        with open(wrapped, "w", encoding="utf-8") as g:
            g.write(mod.columns(text))
        jobs.append((f"{name}/columns/{f}", wrapped, published))
bench = os.path.join(work, "bench")
for f in sorted(os.listdir(bench)):
    jobs.append((f"bench/{f}", os.path.join(bench, f), "2023-11-10"))

def run(job):
    label, path, published = job
    outs = []
    for b in (old, new):
        p = subprocess.run([b, "file", "--published", published, path], capture_output=True)
        outs.append((p.returncode, p.stdout, p.stderr))
    return label, outs

diffs = 0
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
    for label, (a, b) in ex.map(run, jobs):
        if a == b:
            continue
        diffs += 1
        if diffs <= 3:
            print(f"DIFFERENT: {label} (exit {a[0]} vs {b[0]})")
            d = difflib.unified_diff(a[1].decode(errors="replace").splitlines(),
                                     b[1].decode(errors="replace").splitlines(),
                                     "old", "new", lineterm="", n=2)
            for line in list(d)[:40]:
                print("  " + line)
if diffs:
    print(f"different: {diffs} of {len(jobs)} files")
    sys.exit(1)
print(f"identical: {len(jobs)} files")
PY
