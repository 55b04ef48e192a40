"""The Deals page's download buttons in a real browser: a click makes the file (the
page passes a callable that Streamlit runs only then, which AppTest never does), and
what arrives holds every deal the page counts, the same columns in CSV and Excel, and
no formula."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser_support import CHROMIUM
from tests.test_browser import browser, open_page, server  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium: apt-get install chromium"),
]
FORMULA_STARTS = ("=", "+", "-", "@")


def download(page, button: str):
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button).click()
    return info.value


def test_deals_downloads_hold_every_deal_shown_and_no_formula(server, browser):  # noqa: F811
    context, page, watch = open_page(browser, f"{server}/deals", downloads=True)
    try:
        counted = page.get_by_text(re.compile(r"^\d+ of \d+ deals")).first.inner_text()
        shown = int(counted.split()[0])
        made_csv = download(page, "Download CSV")
        made_excel = download(page, "Download Excel")
        assert made_csv.suggested_filename == "partnership-atlas-deals.csv"
        assert made_excel.suggested_filename == "partnership-atlas-deals.xlsx"
        data = Path(made_csv.path()).read_bytes()
        workbook = Path(made_excel.path()).read_bytes()
        assert watch.outside_requests() == [] and watch.dialogs == [] and watch.errors == []
    finally:
        context.close()

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == shown + 1
    sheet = load_workbook(io.BytesIO(workbook)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0] == rows[0]  # the same columns in both files
    assert len(cells) == shown + 1
    assert sorted(r[0] for r in rows[1:]) == sorted(r[0] for r in cells[1:])
    for row in rows[1:]:
        assert not any(v.startswith(FORMULA_STARTS) for v in row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS))
    # The hostile article's deal arrives verbatim: markup is text in a file, not dropped.
    evidence = [r[rows[0].index("Evidence")] for r in rows[1:]]
    assert any("<script>alert('xss')</script>" in e for e in evidence)
