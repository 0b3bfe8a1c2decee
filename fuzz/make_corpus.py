#!/usr/bin/env python3
"""Writes the fuzz seed corpus for the plan importer into the folder given.

The demo plans (src/demo/plans, fictional) go in as text, and each is also
turned into a small .docx and .xlsx, so the fuzzer starts inside the zip
and XML readers too instead of having to discover the formats byte by
byte. Nothing here is committed: the corpus is made afresh on every run.
"""

import pathlib
import sys
import zipfile
from xml.sax.saxutils import escape

ROOT = pathlib.Path(__file__).resolve().parent.parent
PLANS = ROOT / "src" / "demo" / "plans"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def blocks(text):
    """Paragraph lines and tables (runs of tab-separated lines)."""
    out, table = [], []
    for line in text.splitlines():
        if "\t" in line:
            table.append(line.split("\t"))
            continue
        if table:
            out.append(("table", table))
            table = []
        if line.strip():
            out.append(("p", line.strip().strip("#* ")))
    if table:
        out.append(("table", table))
    return out


def para(text, bold=False):
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def docx(text):
    body = []
    for kind, value in blocks(text):
        if kind == "p":
            body.append(para(value, value.isupper()))
            continue
        rows = []
        for i, cells in enumerate(value):
            tcs = []
            for j, cell in enumerate(cells):
                # One merged cell per table, so vMerge handling is seeded.
                pr = '<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>' if i == 1 and j == 2 else ""
                tcs.append(f"<w:tc>{pr}{para(cell)}</w:tc>")
            rows.append("<w:tr>" + "".join(tcs) + "</w:tr>")
        body.append("<w:tbl>" + "".join(rows) + "</w:tbl>")
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{"".join(body)}</w:body></w:document>'
    return {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "word/document.xml": document,
    }


def col(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx(text):
    rows = []
    r = 0
    for kind, value in blocks(text):
        lines = [[value]] if kind == "p" else value
        for cells in lines:
            r += 1
            cs = "".join(
                f'<c r="{col(j)}{r}" t="inlineStr"><is><t>{escape(c)}</t></is></c>'
                for j, c in enumerate(cells)
                if c
            )
            rows.append(f'<row r="{r}">{cs}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData>{"".join(rows)}</sheetData>'
        '<mergeCells count="1"><mergeCell ref="C2:C3"/></mergeCells></worksheet>'
    )
    return {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="KH" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }


def write_zip(path, parts):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py CORPUS_DIR")
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for plan in sorted(PLANS.glob("*.txt")):
        text = plan.read_text(encoding="utf-8")
        (out / plan.name).write_text(text, encoding="utf-8")
        write_zip(out / f"{plan.stem}.docx", docx(text))
        write_zip(out / f"{plan.stem}.xlsx", xlsx(text))


if __name__ == "__main__":
    main()
