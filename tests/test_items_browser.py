"""The links to the Items page in a real browser: `streamlit run app.py` on the sample, headless
Chromium (tests/browser_helpers.py). On each page that carries a kind of flag, the link's ``<a>``
is clicked as a reviewer would click it (it opens the Items page in a new tab); the Items page must
name that filter, show its rows and the first item's texts, with the sidebar on the link's batch."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from browser_helpers import chromium
from test_browser_e2e import PAGE_TIMEOUT_MS, assert_no_exception, server, store, wait_idle  # noqa: F401

pytestmark = pytest.mark.browser

#: (page slug, batch) -> the filters whose links that page must carry on the sample
PAGES = {
    ("annotators", "acme-w1"): {"position_flag", "length_flag"},
    ("annotators", "acme-w5"): {"fast", "disagrees_with_majority"},
    ("hygiene", "acme-w3"): {"duplicate_rows", "identical_responses", "empty_responses"},
    ("hygiene", "acme-w4"): {"redelivered_items"},
    ("agreement", "acme-w5"): {"split", "contested", "gold_failed"},
    ("judges", "acme-w5"): {"judge_disagrees"},
    ("trends", "acme-w5"): {"contested", "judge_disagrees"},
    ("contract", "acme-w5"): {"fast", "length_flag"},
    ("signals", "acme-w2"): {"rating_contradicts"},
}
#: pages that link the items of other batches than the sidebar's (the Contract page: every week's batch)
WHOLE_CONTRACT = {"contract"}


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_every_flag_kind_link_opens_its_items(server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    followed = set()
    try:
        for (slug, batch), kinds in PAGES.items():
            page.goto(f"{server}/{slug}?batch={batch}")
            page.locator("h1").first.wait_for(timeout=PAGE_TIMEOUT_MS)
            wait_idle(page)
            assert_no_exception(page, f"/{slug}")
            links = page.locator('[data-testid="stMarkdownContainer"] a[href*="items?"]')
            by_filter = {}
            for i in range(links.count()):
                href = links.nth(i).get_attribute("href") or ""
                p = dict(parse_qsl(urlsplit(href).query))
                assert p.get("batch") == batch or slug in WHOLE_CONTRACT, href
                by_filter.setdefault(p.get("filter"), (i, p.get("batch")))
            assert kinds <= set(by_filter), f"/{slug} {batch}: links to {sorted(by_filter)}"
            for name in sorted(kinds):
                i, link_batch = by_filter[name]
                link = links.nth(i)
                if link.get_attribute("target") == "_blank":  # Streamlit opens Markdown links in a new tab
                    with context.expect_page(timeout=PAGE_TIMEOUT_MS) as new:
                        link.click()
                    items = new.value
                else:
                    link.click()
                    items = page
                items.locator("h1").filter(has_text="Items").first.wait_for(timeout=PAGE_TIMEOUT_MS)
                wait_idle(items)
                assert_no_exception(items, f"items from /{slug} {name}")
                text = items.locator('[data-testid="stMain"]').inner_text()
                assert name in text and f"in batch {link_batch}" in text, text[:500]
                assert "rows 1-" in text, f"{name}: no rows: {text[:500]}"
                box = items.locator('[data-testid="stSidebar"] .st-key-batch_id input[role="combobox"]')
                assert box.input_value() == link_batch  # the link's batch is the sidebar's
                if name not in ("few_items",):
                    items.locator(".ql-text").nth(2).wait_for(timeout=PAGE_TIMEOUT_MS)  # st.html may draw late
                    assert "Consensus:" in text and items.locator(".ql-text").count() >= 3, name
                if items is not page:
                    items.close()
                else:
                    page.goto(f"{server}/{slug}?batch={batch}")
                    wait_idle(page)
                followed.add(name)
    finally:
        context.close()
    assert followed == set().union(*PAGES.values())
