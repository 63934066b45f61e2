"""Issue 13's acceptance: column names carrying HTML, Markdown, a URL, LaTeX and a colour directive are uploaded,
trained one epoch, inspected and compared; on no page do they become a dialog, a request, a link, an image,
bold text, a heading or KaTeX."""

import re

from playwright.sync_api import expect
from support import wait_idle

NAMES = [
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "http://evil.example/p",
    "**bold**",
    "$\\LaTeX$",
    ":red[x]",
]
MADE_FROM_DATA = {
    "image": 'img[src="x"], img[src$="/x"]',
    "link": 'a[href*="evil.example"], a[href^="javascript"]',
    "bold": 'strong:text-matches("^bold$"), b:text-matches("^bold$")',
    "heading": 'h1:has-text("bold"), h2:has-text("bold"), h3:has-text("bold"), h4:has-text("LaTeX")',
    "katex": ".katex, .katex-display",
    "colour": 'span[style*="red"]:text-is("x")',
}


def assert_inert(page, where: str) -> None:
    wait_idle(page)
    for what, selector in MADE_FROM_DATA.items():
        assert page.locator(selector).count() == 0, f"{where}: a {what} made from the data"
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_column_names_stay_text_on_every_page(page, app_url, tmp_path, shot):
    dialogs, requests = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url) if "evil.example" in r.url else None)
    rows = "".join(",".join(f"{(i * (j + 1)) % 17 + 0.5 * j}" for j in range(len(NAMES))) + "\n" for i in range(120))
    path = tmp_path / "nasty.csv"
    path.write_text(",".join(NAMES) + "\n" + rows)

    page.goto(app_url)
    wait_idle(page)
    page.get_by_text("Upload a CSV").click()
    wait_idle(page)
    page.get_by_role("region", name="CSV file").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_text(re.compile(r"^X_train: \("))).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible()
    assert_inert(page, "Data")
    expect(page.get_by_text("**bold**").first).to_be_attached()  # the names are there, as typed
    shot(page, "inert_data")

    for name in ("Architecture", "Train"):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
        assert_inert(page, name)
    epochs = page.get_by_label("Epochs")
    epochs.fill("1")
    epochs.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text(re.compile(r"· finished · 1 epoch\b"))).to_be_visible(timeout=180_000)
    expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible()
    assert_inert(page, "Train after training")
    shot(page, "inert_train")

    for name in ("Inspect", "Compare"):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
        wait_idle(page)
        expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible(timeout=60_000)
        assert_inert(page, name)
        shot(page, f"inert_{name.lower()}")
    assert not dialogs and not requests
