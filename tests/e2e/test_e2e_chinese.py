"""A reader of the Chinese tutorial opens /?lang=zh and goes through every page by the sidebar: the language holds
on each, a run trains, Inspect and Compare show it, and no page shows an English sentence or an error."""

import re

from playwright.sync_api import expect
from support import wait_idle

from slstm.i18n import t

PAGES = ["data", "architecture", "train", "inspect", "compare", "learn"]
ENGLISH_SENTENCE = re.compile(r"\b[A-Z][a-z]+(?: [a-z]+){4,}[.:]")  # five English words in a row, as in a sentence


def go(page, name: str) -> None:
    title = t("room.page.room", "zh") if name == "room" else t(f"common.page.{name}", "zh")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert "lang=zh" in page.url, page.url
    main = page.get_by_test_id("stMainBlockContainer")
    expect(main).to_contain_text(re.compile(r"[\u4e00-\u9fff]{4}"), timeout=60_000)
    wait_idle(page)
    text = main.inner_text()
    assert not ENGLISH_SENTENCE.findall(text), (name, ENGLISH_SENTENCE.findall(text))


def test_every_page_in_chinese_with_a_trained_run(page, app_url, shot):
    page.goto(f"{app_url}/?lang=zh")
    wait_idle(page)
    nav = page.get_by_test_id("stSidebarNav")
    for name in PAGES:
        expect(nav.get_by_role("link", name=t(f"common.page.{name}", "zh"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^X_train: \(816, 24, 1\) = \(816 个样本"))).to_be_visible()
    shot(page, "zh_data")
    go(page, "architecture")
    expect(page.get_by_test_id("stMetric").first).to_contain_text("7,505")
    shot(page, "zh_architecture")

    go(page, "train")
    epochs = page.get_by_label(t("train.epochs", "zh"))
    epochs.fill("2")
    epochs.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=t("train.train", "zh"), exact=True).click()
    done = f"· {t('common.status.finished', 'zh')} · {t('common.epochs', 'zh', count=2)}"
    expect(page.get_by_text(done).first).to_be_visible(timeout=180_000)
    wait_idle(page)
    expect(page.get_by_test_id("stPlotlyChart").first.locator(".main-svg").first).to_be_visible()
    shot(page, "zh_train")

    go(page, "inspect")
    gates = page.get_by_test_id("stPlotlyChart").filter(has_text="各个门和状态随时间的变化")
    expect(gates.locator(".main-svg").first).to_be_visible(timeout=60_000)
    shot(page, "zh_inspect")
    go(page, "compare")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    shot(page, "zh_compare")
    go(page, "learn")
    shot(page, "zh_learn")
    go(page, "room")
    shot(page, "zh_room")
    page.reload()  # the language survives a reload
    wait_idle(page)
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("common.page.data", "zh"))).to_be_visible()
