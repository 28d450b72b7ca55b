"""Workbooks written by hand, byte by byte, for the reader and guard tests (no library in between)."""
from __future__ import annotations

import re
import zipfile

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _prefixed(xml, prefix):
    """Same part with every element written as ``prefix:tag``."""
    if not prefix:
        return xml
    xml = re.sub(r"<(/?)([A-Za-z]\w*)", rf"<\1{prefix}:\2", xml)
    return xml.replace(f'xmlns="{MAIN_NS}"', f'xmlns:{prefix}="{MAIN_NS}"')


def build_xlsx(path, sheets, shared=None, styles=None, date1904=False,
               prefix="", absolute_targets=False, dimension=None):
    """Write a workbook by hand.

    ``sheets``: list of ``(name, member, sheet_data_xml)`` in workbook order;
    ``member`` is the file name under xl/worksheets/.  ``shared``: list of
    ``<si>`` inner XML.  ``styles``: ``(numFmts: {id: code}, xf numFmtIds)``.
    """
    types = [
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
    ]
    rels = []
    sheet_els = []
    files = {}
    for i, (name, member, data) in enumerate(sheets, start=1):
        target = f"/xl/worksheets/{member}" if absolute_targets else f"worksheets/{member}"
        rels.append(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="{target}"/>')
        sheet_els.append(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>')
        types.append(f'<Override PartName="/xl/worksheets/{member}" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        files[f"xl/worksheets/{member}"] = _prefixed(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            + (f'<dimension ref="{dimension}"/>' if dimension else "")
            + f'<sheetData>{data}</sheetData>'
            f'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            f'</worksheet>', prefix)
    if shared is not None:
        rels.append(f'<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>')
        types.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
        files["xl/sharedStrings.xml"] = _prefixed(
            f'<sst xmlns="{MAIN_NS}" count="{len(shared)}" uniqueCount="{len(shared)}">'
            + "".join(f"<si>{si}</si>" for si in shared) + "</sst>", prefix)
    if styles is not None:
        num_fmts, xf_ids = styles
        fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{code}"/>' for i, code in num_fmts.items())
        xfs = "".join(f'<xf numFmtId="{i}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for i in xf_ids)
        rels.append(f'<Relationship Id="rIdT" Type="{REL_NS}/styles" Target="styles.xml"/>')
        types.append('<Override PartName="/xl/styles.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>')
        files["xl/styles.xml"] = _prefixed(
            f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="{len(num_fmts)}">{fmts}</numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xf_ids)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '</styleSheet>', prefix)
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    files["xl/workbook.xml"] = _prefixed(
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{pr}<sheets>{"".join(sheet_els)}</sheets>'
        '</workbook>', prefix)
    files["xl/_rels/workbook.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(rels) + "</Relationships>")
    files["_rels/.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>")
    files["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(types) + "</Types>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
    return path


SHARED = [
    "<t>Họ và tên</t>",                                                      # 0
    "<t>Nguyễn Văn Ánh</t>",                                                 # 1
    '<r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve">Trần </t></r>'
    "<r><t>Thị Bích</t></r>",                                                # 2 rich text
    '<t>Lê Hữu</t><rPh sb="0" eb="2"><t>レ ヒウ</t></rPh><phoneticPr fontId="1"/>',  # 3 phonetic
    '<t xml:space="preserve">  Phòng Tư pháp  </t>',                         # 4
    "<t>A &amp; B &lt;C&gt; &quot;q&quot; &#39;a&#39; &#7875;</t>",          # 5 entities
    "<t>Dòng 1_x000D_\nDòng 2</t>",                                          # 6
    "<t>_x005F_x000D_ giữ nguyên</t>",                                       # 7
    "<t/>",                                                                  # 8
    "<t>0912345678</t>",                                                     # 9
    "<t>Lãnh đạo đánh giá</t>",                                              # 10
]

MAIN_SHEET = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>10</v></c></row>'
    '<row r="2" spans="1:10"><c r="A2" s="0" t="s"><v>1</v></c><c r="B2"><v>912345678</v></c>'
    '<c r="C2"><v>1.5</v></c><c r="D2"><v>1E3</v></c><c r="E2" t="n"><v>-0.25</v></c>'
    '<c r="F2" t="b"><v>1</v></c><c r="G2" t="b"><v>0</v></c><c r="H2" t="e"><v>#N/A</v></c>'
    '<c r="I2" t="str"><f>LEFT(A2,6)</f><v>Nguyễn</v></c><c r="J2" t="s"><v>9</v></c></row>'
    # rows 3 and 4 are absent
    '<row r="5"><c r="A5" t="s"><v>2</v></c><c r="K5" t="s"><v>3</v></c>'
    '<c r="M5" t="inlineStr"><is><r><t xml:space="preserve">Đỗ </t></r><r><rPr><i/></rPr><t>Quý</t></r>'
    '<rPh sb="0" eb="1"><t>ド</t></rPh></is></c></row>'
    # cells without r, then a row without r (it is row 7)
    '<row r="6"><c t="s"><v>4</v></c><c t="s"><v>5</v></c><c><v>7</v></c></row>'
    '<row><c r="A7" t="s"><v>6</v></c><c r="B7" t="s"><v>7</v></c><c r="C7" t="s"><v>8</v></c></row>'
    # styled cells without values
    '<row r="8"><c r="A8" s="5"/><c r="B8" s="5"/></row>'
    # dates and other number formats
    '<row r="10"><c r="A10" s="1"><v>43832</v></c><c r="B10" s="2"><v>36526.5</v></c>'
    '<c r="C10" s="3"><v>0.75</v></c><c r="D10" s="4"><v>1.5</v></c><c r="E10" s="5"><v>1234.5</v></c>'
    '<c r="F10" s="6"><v>7</v></c><c r="G10" s="7"><v>3</v></c><c r="H10" s="8"><v>44000</v></c>'
    '<c r="I10" s="1"><v>30</v></c><c r="J10" t="d"><v>2021-03-04T05:06:07Z</v></c>'
    '<c r="K10" s="1"><v></v></c></row>'
    '<row r="11"><c r="A11" t="n"><v>42</v></c><c r="B11"><f>1+1</f></c>'
    '<c r="C11" t="str"><f>"x"</f><v></v></c><c r="D11" t="inlineStr"><is><t>Bùi &amp; Co</t></is></c>'
    '<c r="E11" t="inlineStr"><is/></c></row>'
)
STYLES = (
    {164: "dd/mm/yyyy", 165: "#,##0.00", 166: '&quot;d&quot;0', 167: "[Red]0.00",
     168: "[$-42A]dd/mm/yyyy"},
    [0, 14, 164, 20, 46, 165, 166, 167, 168],
)
NOTES_SHEET = '<row r="3"><c r="B3" t="inlineStr"><is><t>Ghi chú</t></is></c></row>'


