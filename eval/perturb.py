#!/usr/bin/env python3
"""Robustness copies of the real corpora: the same articles written another way, the same gold.

A rule that only works on how the articles we have happen to be typed does not generalise. This
writes copies of the dev set and the tuning split (never the held-back split) in one of these
forms, with the annotation changed the same way, for ../shared/eval/score to compare:

  trad   simplified articles in traditional script, character for character (the engine's own
         table read backwards; articles already traditional are left out)
  half   ASCII punctuation for the full-width marks (，。：；（）！？)
  flat   no paragraph breaks
  cnnum  dates in Chinese numerals (11月5日 → 十一月五日)
  fw     full-width digits
  same   no change (the reference for all but trad)
  simp   no change, simplified articles only (the reference for trad)

Usage: eval/perturb.py MODE OUT_DIR
       ../shared/eval/score --set OUT_DIR -- target/release/dongtai-extract file
"""
import json
import os
import re
import shutil
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = [os.path.join(TOP, "..", "shared", "eval", "dev"), os.path.join(TOP, "eval", "corpus", "tune")]
KEEP = {"published", "start", "end", "id", "source", "kind", "script", "approx", "part_of_day"}
HALF = str.maketrans({"，": ",", "。": ".", "：": ":", "；": ";", "（": "(", "）": ")", "！": "!", "？": "?"})
DIGITS = "〇一二三四五六七八九"


def simp_to_trad():
    table = {}
    path = os.path.join(TOP, "services", "engine", "src", "lexicon", "trad_simp.txt")
    for line in open(path, encoding="utf-8"):
        w = line.strip()
        if line.startswith("#") or len(w) != 2:
            continue
        trad, simp = w[0], w[1]
        if trad != simp and simp not in table:
            table[simp] = trad
    return table


def cn_number(v):
    v = int(v)
    if v < 10:
        return DIGITS[v]
    if v < 20:
        return "十" + (DIGITS[v - 10] if v > 10 else "")
    return DIGITS[v // 10] + "十" + (DIGITS[v % 10] if v % 10 else "")


def converter(mode):
    if mode == "trad":
        table = simp_to_trad()
        return lambda x: "".join(table.get(c, c) for c in x)
    if mode == "half":
        return lambda x: x.translate(HALF)
    if mode == "flat":
        return lambda x: x.replace("\n", "")
    if mode == "cnnum":
        day = re.compile(r"(\d{1,2})月(\d{1,2})日")
        return lambda x: day.sub(lambda m: cn_number(m.group(1)) + "月" + cn_number(m.group(2)) + "日", x)
    if mode in ("same", "simp"):
        return lambda x: x
    if mode == "fw":
        return lambda x: "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isdigit() else c for c in x)
    sys.exit(f"unknown mode {mode!r}: trad, half, flat, cnnum, fw, same or simp")


def walk(o, conv):
    if isinstance(o, str):
        return conv(o)
    if isinstance(o, list):
        return [walk(v, conv) for v in o]
    if isinstance(o, dict):
        return {conv(k) if k not in KEEP else k: (v if k in KEEP else walk(v, conv)) for k, v in o.items()}
    return o


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    mode, out = sys.argv[1], sys.argv[2]
    conv = converter(mode)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    n = 0
    for d in SETS:
        for f in sorted(os.listdir(d)):
            if not f.endswith(".json"):
                continue
            gold = json.load(open(os.path.join(d, f), encoding="utf-8"))
            if mode in ("trad", "simp") and gold.get("script") == "traditional":
                continue
            text = open(os.path.join(d, f[:-5] + ".txt"), encoding="utf-8").read()
            name = os.path.basename(d) + "-" + f[:-5]
            json.dump(walk(gold, conv), open(os.path.join(out, name + ".json"), "w", encoding="utf-8"), ensure_ascii=False)
            open(os.path.join(out, name + ".txt"), "w", encoding="utf-8").write(conv(text))
            n += 1
    print(f"{n} articles written to {out}")


if __name__ == "__main__":
    main()
