#!/usr/bin/env python3
"""The obvious Python screening, as a baseline for `wangjian screen` (bench/screen.sh).

Loads the same list (JSON Lines), keeps dicts from each identifier to the entries that carry
it (identifiers compared upper-cased with spaces removed; phones without +86), and for each
candidate: the identifier look-ups, then
`rapidfuzz.process.extract(name, names, scorer=SCORER, limit=10, score_cutoff=CUTOFF)` over
all listed names (rapidfuzz's default processor: lower case, non-alphanumerics to spaces).
No bigram index, no name analysis: what a platform would write in an afternoon.

Usage: screen_rapidfuzz.py LIST.jsonl CANDIDATES.jsonl SAMPLE [SCORER,SCORER…]
Loads the list once, then for each scorer (default WRatio,ratio) screens the first SAMPLE
candidates (1 000 000 names make each extract slow) and prints one line:
`scorer=… load_s=… candidates=… seconds=… cpu_s=… per_s=… with_match=… made_from_list=…
found_any=…` (the last two: candidates generated from a listed subject, and how many of them
got that subject among their hits).
"""

import json
import sys
import time

from rapidfuzz import fuzz, process, utils


def norm_ident(kind, value):
    s = "".join(str(value).split()).upper()
    s = s.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
    if kind == "phone":
        for p in ("+86", "0086"):
            if s.startswith(p):
                s = s[len(p):]
    return s


def values(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def main():
    list_path, cand_path, sample = sys.argv[1], sys.argv[2], int(sys.argv[3])
    scorers = (sys.argv[4] if len(sys.argv) > 4 else "WRatio,ratio").split(",")
    t0 = time.perf_counter()
    names, name_ids = [], []
    idents = {}
    with open(list_path, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            if e.get("name"):
                names.append(e["name"])
                name_ids.append(e["id"])
            for kind in ("uscc", "citizen_id", "phone", "shop_id", "domain"):
                for v in values(e.get(kind)):
                    idents.setdefault((kind, norm_ident(kind, v)), []).append(e["id"])
    # Preprocess the choices once, as a careful user of rapidfuzz would.
    processed = [utils.default_process(n) for n in names]
    load = time.perf_counter() - t0

    with open(cand_path, encoding="utf-8") as f:
        cands = [json.loads(next(f)) for _ in range(sample)]
    for scorer_name in scorers:
        run(scorer_name, getattr(fuzz, scorer_name), cands, processed, name_ids, idents, load)


def run(scorer_name, scorer, cands, processed, name_ids, idents, load):
    t1 = time.perf_counter()
    with_match = made = found = 0
    cpu0 = time.process_time()
    for c in cands:
        hits = []
        for kind in ("uscc", "citizen_id", "phone", "shop_id", "domain"):
            for v in values(c.get(kind)):
                hits += idents.get((kind, norm_ident(kind, v)), [])
        if c.get("name"):
            q = utils.default_process(c["name"])
            for _, score, i in process.extract(
                q, processed, scorer=scorer, processor=None, limit=10, score_cutoff=80
            ):
                hits.append(name_ids[i])
        with_match += bool(hits)
        if c.get("expect"):
            made += 1
            found += c["expect"] in hits
    secs = time.perf_counter() - t1
    cpu = time.process_time() - cpu0
    print(
        f"scorer={scorer_name} load_s={load:.2f} candidates={len(cands)} "
        f"seconds={secs:.2f} cpu_s={cpu:.2f} per_s={len(cands) / secs:.4f} with_match={with_match} "
        f"made_from_list={made} found_any={found}",
        flush=True,
    )


if __name__ == "__main__":
    main()
