"""Writes the benchmark's avance workbook as a vendor's script would, with openpyxl (inline strings, the
template's notes rewritten by openpyxl): the template is loaded, the data rows are set below its rows.

    /usr/bin/python3 scripts/bench-openpyxl.py <modele.xlsx> <lignes.jsonl> <sortie.xlsx>

Each line of lignes.jsonl is {"s": sheet, "r": row, "c": [[column, value], ...]}; a value {"d": "AAAA-MM-JJ"}
is a date. Run by scripts/bench.mjs (python3-openpyxl, as .ci/run installs it)."""
import datetime
import json
import sys

import openpyxl

template, rows, out = sys.argv[1:4]
wb = openpyxl.load_workbook(template)
with open(rows, encoding="utf-8") as f:
    for line in f:
        item = json.loads(line)
        ws = wb[item["s"]]
        r = item["r"]
        for col, value in item["c"]:
            if isinstance(value, dict):
                y, m, d = (int(x) for x in value["d"].split("-"))
                value = datetime.datetime(y, m, d)
            ws.cell(row=r, column=col, value=value)
wb.save(out)
