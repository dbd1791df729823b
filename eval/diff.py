#!/usr/bin/env python3
"""Show, article by article, where the extractor's events differ from the gold annotation.

Usage: eval/diff.py [--set DIR] [--only ID,ID] [--layout clean|columns] [-- EXTRACT_COMMAND...]

Defaults: the shared dev set and target/release/dongtai-extract file. For each article it
prints the gold events and the predicted ones side by side (kind, days, leads, participants,
places+targets), then the person/place pairs missed and the extra ones, the figure the
scorer calls who_what. Meant for reading errors, not for scoring: use ../shared/eval/score.
"""
import argparse, json, os, subprocess, sys, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "eval"))
here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.normpath(os.path.join(here, "..", "..", "shared", "eval"))
import importlib.machinery, importlib.util
loader = importlib.machinery.SourceFileLoader("score", os.path.join(shared, "score"))
spec = importlib.util.spec_from_loader("score", loader)
score = importlib.util.module_from_spec(spec)
loader.exec_module(score)

ap = argparse.ArgumentParser()
ap.add_argument("--set", default=os.path.join(shared, "dev"))
ap.add_argument("--only", default="")
ap.add_argument("--layout", default="clean")
ap.add_argument("--quiet", action="store_true", help="only articles with a difference")
ap.add_argument("cmd", nargs=argparse.REMAINDER)
a = ap.parse_args()
cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
cmd = cmd or [os.path.join(here, "..", "target", "release", "dongtai-extract"), "file"]
ids = sorted(f[:-5] for f in os.listdir(a.set) if f.endswith(".json"))
if a.only:
    ids = [i for i in ids if i in a.only.split(",")]
tmp = tempfile.mkdtemp()

def show(e):
    return (f"{e['kind']:<24} {e['days'][0] if e['days'] else '-'}..{e['days'][-1] if e['days'] else '-'} "
            f"lead={','.join(e['lead']) or '-'} others={','.join(p for p in e['persons'] if p not in e['lead']) or '-'} "
            f"orgs={','.join(e['orgs']) or '-'}\n{'':28}what={' | '.join(e['what'])}")

for i in ids:
    g = json.load(open(os.path.join(a.set, i + ".json"), encoding="utf-8"))
    path = os.path.join(a.set, i + ".txt")
    if a.layout == "columns":
        text = open(path, encoding="utf-8").read()
        path = os.path.join(tmp, i + ".txt")
        open(path, "w", encoding="utf-8").write(score.columns(text))
    out = subprocess.run(cmd + ["--published", g["published"], path], capture_output=True, text=True)
    try:
        pred = score.pred_events(json.loads(out.stdout))
    except Exception as ex:
        print(f"== {i}: extractor failed: {ex} {out.stderr[:200]}")
        continue
    gold = score.gold_events(g)
    pt, pw = score.tuples(pred)
    gt, gw = score.tuples(gold)
    missed = sorted(x for x in gw if not any(y[0] == x[0] and score.loose_eq(x[1], y[1]) for y in pw))
    extra = sorted(y for y in pw if not any(y[0] == x[0] and score.loose_eq(x[1], y[1]) for x in gw))
    diff = missed or extra or pt != gt
    if a.quiet and not diff:
        continue
    print(f"== {i} ({g.get('title') or ''})")
    for e in gold:
        print("  G " + show(e))
    for e in pred:
        print("  P " + show(e))
    for k in ("persons", "who_when", "who_kind", "titles"):
        m, x = sorted(gt[k] - pt[k]), sorted(pt[k] - gt[k])
        if m or x:
            print(f"  {k}: missed {m[:8]} extra {x[:8]}")
    if missed:
        print(f"  what missed: {sorted(set(w for _, w in missed))}")
    if extra:
        print(f"  what extra:  {sorted(set(w for _, w in extra))}")
