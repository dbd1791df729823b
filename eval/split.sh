#!/usr/bin/env bash
# Move collected articles from eval/incoming/ into the tuning split and the held-back split.
# The rule is fixed in advance, never chosen per article: an article whose number is a multiple
# of 3 (a03, a06, …) is held back. Nobody tuning the engine reads eval/corpus/heldout/; only its
# figures are reported (eval/score-all.sh).
set -euo pipefail
cd "$(dirname "$0")"
prefix=${1:?usage: split.sh PREFIX (the collector whose articles are complete)}
for json in incoming/"$prefix"[0-9]*.json; do
  [ -e "$json" ] || continue
  [ -e "${json%.json}.txt" ] || { echo "skip $json: no text"; continue; }
  id=$(basename "$json" .json)
  # The number after the collector's prefix (one letter or more: a07, ab07).
  num=${id##*[a-z]}
  n=$((10#$num))
  dest=corpus/tune
  (( n % 3 == 0 )) && dest=corpus/heldout
  mv "incoming/$id.json" "incoming/$id.txt" "$dest/"
  src=$(ls incoming/SOURCES-*.tsv 2>/dev/null | xargs grep -h "^$id	" || true)
  [ -n "$src" ] && printf '%s\n' "$src" >> "$dest/SOURCES.tsv"
done
# The collector's source list has moved with its articles: drop the lines moved, and the file
# once it is empty.
list=incoming/SOURCES-$prefix.tsv
if [ -f "$list" ]; then
  kept=$(while IFS= read -r line; do
    id=${line%%	*}
    if [ -e "incoming/$id.json" ]; then printf '%s\n' "$line"; fi
  done < "$list")
  if [ -n "$kept" ]; then printf '%s\n' "$kept" > "$list"; else rm "$list"; fi
fi
