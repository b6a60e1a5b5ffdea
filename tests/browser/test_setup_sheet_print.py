"""The setup sheet prints on one A4 page and on one Letter page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journeys import garage_with_nb48

pytestmark = pytest.mark.browser


def pdf_page_count(pdf: bytes) -> int:
    # Chromium writes each page as an uncompressed "/Type /Page" dictionary.
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_setup_sheet_prints_on_one_page(page: Page, live_server: str, paper: str) -> None:
    garage_with_nb48(page, live_server)
    page.get_by_role("link", name="Setup sheet").click()
    page.wait_for_url(re.compile(r"/sheet$"))
    expect(page.locator("caption", has_text="Power")).to_be_visible()
    pdf = page.pdf(format=paper, print_background=False)
    assert pdf_page_count(pdf) == 1
    page.emulate_media(media="print")
    assert not page.locator("nav.tabs").is_visible()  # no app chrome on paper
    assert not page.get_by_role("button", name="Print").is_visible()
