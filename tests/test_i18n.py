import re
import subprocess
import sys

import pytest

from slstm import i18n

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def test_every_language_has_the_same_keys_and_placeholders():
    en = i18n.outline("en")
    for lang in i18n.LANGUAGES:
        other = i18n.outline(lang)
        assert sorted(set(en) - set(other)) == [], f"missing in {lang}"
        assert sorted(set(other) - set(en)) == [], f"only in {lang}"
        assert {k: v for k, v in other.items() if v != en[k]} == {}, f"placeholders differ in {lang}"


def test_every_language_has_one_file_per_area():
    areas = {lang: sorted(p.name for p in (i18n.CATALOGS / lang).glob("*.toml")) for lang in i18n.LANGUAGES}
    assert areas["zh"] == areas["en"] and "common.toml" in areas["en"]


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_plural_entries_have_exactly_the_languages_forms(lang):
    plural = {k: sorted(v) for k, v in i18n.catalog(lang).items() if not isinstance(v, (str, tuple, list))}
    assert plural, "the catalogs have plural entries"
    assert {k: v for k, v in plural.items() if v != sorted(i18n.PLURAL_FORMS[lang])} == {}
    for key in plural:
        assert "count" in i18n.outline(lang)[key], key


def test_lists_have_the_same_length_in_every_language():
    en = {k: len(v) for k, v in i18n.catalog("en").items() if isinstance(v, list)}
    zh = {k: len(v) for k, v in i18n.catalog("zh").items() if isinstance(v, list)}
    assert en == zh


def test_plurals_follow_each_language():
    assert i18n.t("common.epochs", "en", count=1) == "1 epoch"
    assert i18n.t("common.epochs", "en", count=0) == "0 epochs"
    assert i18n.t("common.epochs", "zh", count=1) == "1 个轮次"
    assert i18n.t("frame.parameters", "en", count=12345) == "12,345 parameters"


def test_a_missing_key_raises_rather_than_falling_back():
    with pytest.raises(i18n.MissingMessage, match="nope.nothing"):
        i18n.t("nope.nothing", "zh")
    with pytest.raises(ValueError, match="Unknown language"):
        i18n.t("common.app_title", "fr")


def test_translator_binds_the_language():
    assert i18n.translator("zh")("common.page.data") == "数据"


def test_english_has_no_chinese_and_chinese_copies_no_english_sentence():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    allowed = {"common.language", "glossary.title", "glossary.col_zh", "glossary.notes.epoch"}  # bilingual by nature
    for key, value in i18n.catalog("en").items():
        texts = value.values() if hasattr(value, "values") else value if isinstance(value, list) else [value]
        assert key in allowed or not any(cjk.search(t) for t in texts), key
    same = {k for k, v in i18n.catalog("zh").items() if v == i18n.catalog("en")[k]}
    words = re.compile(r"[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}")  # the same text in both: codes and names only
    assert {k for k in same if words.search(PLACEHOLDER.sub("", str(i18n.catalog("en")[k])))} == set()


@pytest.mark.parametrize(
    "text, lang", [("zh-CN", "zh"), ("zh_Hans", "zh"), ("en-US", "en"), ("fr-FR", None), ("", None), (None, None)]
)
def test_parse_lang_reads_links_and_browser_locales(text, lang):
    assert i18n.parse_lang(text) == lang


def test_i18n_imports_neither_streamlit_nor_tensorflow():
    code = "import sys, slstm.i18n; print('streamlit' in sys.modules, 'tensorflow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split() == ["False"] * 2


def test_the_samples_english_texts_are_the_catalogs():
    from slstm.data.samples import SAMPLES

    for key, sample in SAMPLES.items():
        assert (i18n.t(f"samples.{key}.title"), i18n.t(f"samples.{key}.story")) == (sample.title, sample.story)
        assert i18n.t(f"samples.{key}.title", "zh") != sample.title


def test_the_glossary_has_the_tutorials_terms_and_every_translation_uses_them():
    rows = {en: zh for en, zh, _ in i18n.glossary("zh")}
    assert rows["stacked LSTM"] == "堆叠式LSTM" and rows["cell state"] == "细胞状态" and rows["epoch"] == "轮次"
    assert rows["fully connected layer (Dense)"] == "全连接层（Dense）"
    assert "网格搜索" in rows["sweep (grid search, comparison)"]
    assert len(i18n.glossary("en")) == len(i18n.glossary("zh")) >= 15
    zh = {k: v for k, v in i18n.catalog("zh").items() if not k.startswith("glossary.")}
    texts = [
        s for v in zh.values() for s in (v.values() if hasattr(v, "values") else v if isinstance(v, list) else [v])
    ]
    for wrong in ("扫描", "训练运行", "写下的输出序列", "说明为英文", "周期数"):
        assert not [s for s in texts if wrong in s], wrong
    assert not [s for s in texts if re.search("细胞(?!状态)", s)]  # 细胞状态, never 细胞 alone
    assert not [s for s in texts if re.search("(?<!式)堆叠(?!式)", s) and "堆叠结构" not in s], "堆叠式LSTM as a noun"


def test_every_status_a_run_or_job_can_have_has_a_word():
    from slstm.i18n import t
    from slstm.jobs import TERMINAL
    from slstm.runs import STATUSES

    for lang in ("en", "zh"):
        for status in {*STATUSES, *TERMINAL, "queued", "starting", "running"}:
            assert t(f"common.status.{status}", lang)


def test_a_stored_job_message_reads_in_the_readers_language():
    from slstm.i18n import restate, t

    stored = f"{t('jobs.exit_code', code=-9)} {t('jobs.epochs_kept', count=1)}"
    assert stored == "The training process ended unexpectedly (exit code -9). Its 1 finished epoch is kept."
    assert restate(stored, "zh", "jobs") == "训练进程意外结束（退出码 -9）。已完成的 1 个轮次都保留。"
    assert restate(stored, "en", "jobs") == stored
    limit = t("jobs.time_limit", seconds="1,800")
    assert "1,800" in restate(limit, "zh", "jobs") and "秒" in restate(limit, "zh", "jobs")
    # words that are no message of the catalog (e.g. an error's own text) are kept, never dropped
    assert restate("Bad shape (3, 4). Every finished epoch is kept.", "zh", "jobs") == (
        "Bad shape (3, 4). 已完成的每个轮次都保留。"
    )
