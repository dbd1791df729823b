#!/usr/bin/env bash
# The quality figures of an extract binary on every real corpus, in both layouts:
# the shared dev set, this repo's tuning split and its held-back split (eval/corpus/).
# Usage: eval/score-all.sh [EXTRACT_BINARY]   (default: target/release/dongtai-extract)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/target/release/dongtai-extract}
score=$top/../shared/eval/score
export PYTHONHASHSEED=0
printf '%-8s %-8s %6s %8s %8s %8s %8s %8s %7s\n' set layout n persons who_when who_what who_kind events alarms
for set in dev tune heldout; do
  dir=$top/eval/corpus/$set
  [ "$set" = dev ] && dir=$top/../shared/eval/dev
  [ -d "$dir" ] || continue
  for layout in clean columns; do
    "$score" --set "$dir" --layout "$layout" --json -- "$bin" file 2>/dev/null | python3 -c "
import json, sys
d = json.loads(sys.stdin.read().strip().splitlines()[0])
f = lambda k: '%.3f' % d[k]['f1'] if isinstance(d.get(k), dict) else str(d.get(k))
print('%-8s %-8s %6s %8s %8s %8s %8s %8s %7s' % ('$set', '$layout', d.get('articles', '?'), f('persons'), f('who_when'), f('who_what'), f('who_kind'), f('events'), d.get('false_alarms_on_negatives', '?')))
"
  done
done
