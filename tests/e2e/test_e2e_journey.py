import re

from playwright.sync_api import expect
from support import wait_idle


def test_sample_to_trained_loss_curve(page, app_url, shot):
    page.goto(app_url)
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^X_train: \(816, 24, 1\)"))).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible()
    shot(page, "data")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Architecture").click()
    wait_idle(page)
    expect(page.get_by_text("Shape flow")).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_contain_text("7,505")
    shot(page, "architecture")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train").click()
    wait_idle(page)
    epochs = page.get_by_label("Epochs")
    epochs.fill("2")
    epochs.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text(re.compile(r"· finished · 2 epochs"))).to_be_visible(timeout=120_000)
    loss_chart = page.get_by_test_id("stPlotlyChart").first
    expect(loss_chart.locator(".main-svg").first).to_be_visible()
    expect(loss_chart).to_contain_text("Loss by epoch")
    expect(page.get_by_text("How good is it?")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    wait_idle(page)
    shot(page, "train")


def test_upload_a_csv_through_the_real_file_input(page, app_url, shot, tmp_path):
    rows = "".join(f"2024-01-{1 + i // 24:02d} {i % 24:02d}:00;{20 + i % 7},5;{100 + i}\n" for i in range(300))
    path = tmp_path / "sensors.csv"
    path.write_text("date;temp;load\n" + rows)
    page.goto(app_url)
    wait_idle(page)
    page.get_by_text("Upload a CSV").click()
    wait_idle(page)
    page.get_by_role("region", name="CSV file").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_text(re.compile(r"^X_train: \(186, 24, 2\)"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"What was detected and cleaned"))).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    wait_idle(page)
    shot(page, "data_upload")
