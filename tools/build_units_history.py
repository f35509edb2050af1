#!/usr/bin/env python3
"""Builds data/units-history.csv, the built-in administrative-unit history of motcua.

Inputs (all in data/): source/units-2016.csv (state valid 2015-08-31..2017-04-18),
source/units-2019.csv (state valid 2019-12-01..2019-12-31), source/units-2025.csv
(two-level scheme from 2025-07-01), source/units-2025-mapping.csv (old communes as
of 2025-06-30 -> new communes) and unit-changes.csv (change dates known exactly,
with the resolution that made them).

Rules (see docs/units.md):
- a unit identical in 2016 and 2019 gets one version from 2015-08-31;
- a unit that changed name, type or parent gets two versions split at the known
  change date, or else at 2017-04-19 (the day after the 2016 state ends) with
  date_precision=window;
- a unit present in 2016 only ends at its known date or 2017-04-19 (window);
- every unit of the 2004 scheme ends on 2025-07-01 if it still existed on
  2025-06-30 (province, district, or a commune on the old side of the mapping);
  a 2019 commune absent from the mapping ends 2020-01-01 (window: it was merged
  between 2020 and mid-2025, date not in any structured source);
- units of the 2025 scheme start 2025-07-01, open-ended.
Run: python3 tools/build_units_history.py  (deterministic; output is committed).
"""
import csv, os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
S2016, E2016 = "2015-08-31", "2017-04-19"
S2019, E2019 = "2019-12-01", "2020-01-01"
REFORM = "2025-07-01"

def load(name):
    with open(os.path.join(ROOT, name), encoding="utf-8", newline="") as f:
        return {r["code"]: r for r in csv.DictReader(f)}

def main():
    a, b, n = load("source/units-2016.csv"), load("source/units-2019.csv"), load("source/units-2025.csv")
    with open(os.path.join(ROOT, "source/units-2025-mapping.csv"), encoding="utf-8", newline="") as f:
        mapped = {r["old_code"] for r in csv.DictReader(f) if r["old_code"]}
    changes = load("unit-changes.csv")
    rows = []
    def row(r, scheme, frm, to, precision, source):
        rows.append({"code": r["code"], "name": r["name"], "type": r["type"], "parent_code": r["parent_code"],
                     "level": r["level"], "scheme": scheme, "valid_from": frm, "valid_to": to,
                     "date_precision": precision, "source": source})
    def end_2004(r):
        if r["level"] in ("1", "2") or r["code"] in mapped:
            return REFORM, "exact", ""
        return E2019, "window", "merged between 2020-01-01 and 2025-06-30 (date unknown)"
    for code in sorted(set(a) | set(b), key=lambda c: (len(c), c)):
        ra, rb = a.get(code), b.get(code)
        ch = changes.get(code)
        split = ch["date"] if ch else E2016
        prec = "exact" if ch else "window"
        why = ch["decision"] if ch else ""
        if ra and rb:
            same = (ra["name"], ra["type"], ra["parent_code"]) == (rb["name"], rb["type"], rb["parent_code"])
            to, p2, note = end_2004(rb)
            if same:
                row(rb, "2004", S2016, to, p2, note)
            else:
                row(ra, "2004", S2016, split, prec, why)
                row(rb, "2004", split, to, p2 if p2 != "exact" else prec, why or note)
        elif ra:
            row(ra, "2004", S2016, split, prec, why or "absent from the 2019 state")
        else:
            to, p2, note = end_2004(rb)
            row(rb, "2004", split, to, "window", why or "absent from the 2016 state")
    for code in sorted(n, key=lambda c: (len(c), c)):
        row(n[code], "2025", REFORM, "", "exact", "Decision 19/2025/QĐ-TTg")
    out = os.path.join(ROOT, "units-history.csv")
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader(); w.writerows(rows)
    print(f"{out}: {len(rows)} rows", file=sys.stderr)

if __name__ == "__main__":
    main()
