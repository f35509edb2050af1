#!/usr/bin/env python3
"""Proposes data/required-documents.csv: the documents the desk may not
receive a dossier without, for the shipped catalogue.

The published records (data/source/procedures.json) mix conditional notes
("Trường hợp …", "nếu …") with documents, so "required" cannot be read off
them. The rule used here is deliberately narrow: a procedure's application
form (tờ khai, đơn, giấy/văn bản/phiếu đề nghị) is required when the record
names exactly one such form, not under a conditional heading. Everything else
stays optional until a catalogue editor marks it. The output was reviewed by
hand; re-run and diff after a catalogue update.

Usage: python3 tools/curate_required.py > data/required-documents.csv
"""
import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORM = re.compile(
    r"^(tờ khai|đơn |giấy đề nghị|văn bản đề nghị|phiếu yêu cầu|phiếu đề nghị|bản khai)",
    re.IGNORECASE,
)
CONDITIONAL_GROUP = re.compile(r"trường hợp|lưu ý|đối với|\bnếu\b", re.IGNORECASE)


def main() -> None:
    procs = json.loads((ROOT / "data/source/procedures.json").read_text("utf-8"))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["procedure_code", "document"])
    for p in procs:
        forms = [
            d
            for d in p["documents"]
            if FORM.match(d["name"].strip())
            and not CONDITIONAL_GROUP.search(d.get("group", ""))
            and not d["quantity"].strip().startswith("0")
        ]
        names = {d["name"].strip() for d in forms}
        if len(names) == 1:
            out.writerow([p["code"], names.pop()])


if __name__ == "__main__":
    main()
