#!/usr/bin/env python3
"""Recall on the generated candidates that were made from a listed subject (their `expect`
field): how many came back with that subject as `match`, and at all. Reads the candidates
and `wangjian screen`'s output (same order). Prints one line: `made_from_list=… found_match=…
found_any=… top1=…`."""
import json
import sys

cands, out = sys.argv[1], sys.argv[2]
total = found_match = found_any = top1 = 0
with open(cands, encoding="utf-8") as c, open(out, encoding="utf-8") as o:
    for cl, ol in zip(c, o):
        expect = json.loads(cl).get("expect")
        if not expect:
            continue
        total += 1
        ms = json.loads(ol)["matches"]
        ids = {m["id"]: m["decision"] for m in ms}
        found_any += expect in ids
        found_match += ids.get(expect) == "match"
        top1 += bool(ms) and ms[0]["id"] == expect
print(f"made_from_list={total} found_match={found_match} found_any={found_any} top1={top1}")
