"""The web dashboard in a real headless browser (Debian chromium + chromedriver, selenium): log in, watch boto3 calls
arrive in the live tail, open a detail, hand out a key and use it, stop a batch job; screenshots of every page at
desktop and phone width go to tests/e2e/out/screenshots/."""
from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

from batch_helpers import control, converse_record, files, jsonl
from fakes.base import Delay, Reply
from fakes.openai_fake import openai_text_completion
from helpers import ADMIN_TOKEN, default_config, with_admin_token

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is installed by scripts/test.sh (tests/requirements.txt)")
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SHOTS = Path(__file__).parent / "out" / "screenshots"
PAGES = ["overview", "logs", "keys", "providers", "batches", "files", "cache"]
PROVIDER_SECRETS = ["sk-test-one", "sk-ant-test", "gsk-test"]


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
    if not browser or not driver:
        pytest.skip("chromium and chromium-driver are not installed (scripts/test.sh installs them with apt-get)")
    return browser, driver


@pytest.fixture
def browser():
    binary, driver_path = _chromium()
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                "--no-proxy-server"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def dash_gw(gateway, openai_fake, anthropic_fake, tmp_path):
    config = with_admin_token(default_config(openai_fake, anthropic_fake))
    config["server"]["data_dir"] = str(tmp_path / "data")
    config["logging"] = {"flush_interval_ms": 100}
    config["cache"] = {"enabled": True}
    return gateway(config)


def wait_for(driver, what: str, condition, timeout: float = 15):
    try:
        # A page re-lays its table when data arrives; an element read meanwhile is stale, and read again next poll.
        return WebDriverWait(driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: condition(d))
    except TimeoutException:
        raise AssertionError(f"timed out waiting for {what}; page text:\n{driver.find_element(By.TAG_NAME, 'body').text[:3000]}")


def rt(gw, **credentials):
    credentials = credentials or dict(aws_access_key_id="any", aws_secret_access_key="any")
    return boto3.client("bedrock-runtime", endpoint_url=gw.bedrock_url, region_name="us-east-1",
                        config=Config(retries={"total_max_attempts": 1}), **credentials)


def converse(client, text: str, model: str = "openai/gpt-4o-mini"):
    return client.converse(modelId=model, messages=[{"role": "user", "content": [{"text": text}]}])


def shoot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    time.sleep(0.3)  # let the last fetch paint
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def open_page(driver, gw, name: str, ready_css: str = "h1"):
    driver.get(f"{gw.url}/#{name}")
    wait_for(driver, f"page {name}", lambda d: d.find_elements(By.CSS_SELECTOR, "#page " + ready_css))


def login(driver, gw) -> None:
    driver.get(gw.url + "/")
    field = driver.find_element(By.ID, "token")
    field.send_keys("not-the-token-at-all")
    driver.find_element(By.ID, "login").click()
    wait_for(driver, "the refusal", lambda d: "not the admin token" in d.find_element(By.TAG_NAME, "body").text)
    driver.find_element(By.ID, "token").send_keys(ADMIN_TOKEN)
    driver.find_element(By.ID, "login").click()
    wait_for(driver, "the dashboard", lambda d: d.find_elements(By.CSS_SELECTOR, "nav a[data-page=logs]"))


def page_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text + driver.page_source


def test_the_dashboard_in_a_browser(dash_gw, browser, openai_fake):
    gw = dash_gw
    # Nothing of the dashboard without a session: the page is the login form, the script and the API refuse.
    assert 'name="token"' in requests.get(gw.url + "/", timeout=10).text
    assert requests.get(gw.url + "/ui/app.js", timeout=10).status_code == 401
    assert requests.get(gw.url + "/api/keys", timeout=10).status_code == 401

    login(browser, gw)
    cookie = next(c for c in browser.get_cookies() if c["name"] == "swyd_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict", cookie

    # With the cookie but without the page's CSRF token, a write is refused (a forged form could not read it).
    jar = {"swyd_session": cookie["value"]}
    forged = requests.post(gw.url + "/api/keys", json={"name": "forged"}, cookies=jar, timeout=10)
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "CSRFTokenMissing", forged.text
    assert requests.get(gw.url + "/api/keys", cookies=jar, timeout=10).json()["keys"] == []

    # Logs: the live tail shows boto3 calls as they end; paused, it holds them back; a row opens its detail.
    open_page(browser, gw, "logs", "#log-rows")
    wait_for(browser, "the live tail", lambda d: d.find_element(By.ID, "tail-state").text == "live")
    client = rt(gw)
    for i in range(3):
        converse(client, f"dashboard call {i}")
    with pytest.raises(Exception):
        converse(client, "no such model", model="nosuchprovider-model-x")
    wait_for(browser, "four rows in the tail", lambda d: len(d.find_elements(By.CSS_SELECTOR, "#log-rows tr.row")) >= 4)
    assert "ResourceNotFoundException" in browser.find_element(By.ID, "log-rows").text
    browser.find_element(By.ID, "tail-toggle").click()
    converse(client, "while paused")
    wait_for(browser, "the paused count", lambda d: "paused (1 new)" in d.find_element(By.ID, "tail-state").text)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#log-rows tr.row")) == 4
    browser.find_element(By.ID, "tail-toggle").click()
    wait_for(browser, "the held row", lambda d: len(d.find_elements(By.CSS_SELECTOR, "#log-rows tr.row")) == 5)
    def open_failed(d):
        try:
            next(r for r in d.find_elements(By.CSS_SELECTOR, "#log-rows tr.row") if "ResourceNotFound" in r.text).click()
            return True
        except StaleElementReferenceException:  # a row arriving from the tail re-laid the table
            return False
    wait_for(browser, "a click on the failed call", open_failed)
    detail = wait_for(browser, "the detail", lambda d: d.find_elements(By.ID, "log-detail"))[0]
    assert "Status as the client saw it" in detail.text and "caller" in detail.text and "… upstream" in detail.text
    shoot(browser, "logs-detail-desktop")
    browser.find_element(By.ID, "detail-close").click()

    # Keys: create one, see its secret once with the snippets, use it with boto3, watch its usage bar move.
    open_page(browser, gw, "keys", "#key-create")
    form = browser.find_element(By.ID, "key-create")
    form.find_element(By.NAME, "name").send_keys("dash-team")
    form.find_element(By.NAME, "budget").send_keys("5")
    form.find_element(By.NAME, "requests").send_keys("100")
    browser.find_element(By.ID, "key-create-submit").click()
    box = wait_for(browser, "the new secret", lambda d: d.find_elements(By.ID, "new-secret"))[0]
    access_key_id = browser.find_element(By.ID, "new-access-key-id").text
    secret = browser.find_element(By.ID, "new-secret-key").text
    assert access_key_id.startswith("SWYD") and len(secret) == 40
    for snippet in ("aws_secret_access_key=", "[dash-team]", "AWS_BEARER_TOKEN_BEDROCK=sk-swyd-", "aws bedrock-runtime converse --endpoint-url"):
        assert snippet in box.text, snippet
    shoot(browser, "keys-created-desktop")
    converse(rt(gw, aws_access_key_id=access_key_id, aws_secret_access_key=secret), "paid by the key")

    def spent(d):
        d.get(f"{gw.url}/#keys")
        d.refresh()
        usage = wait_for(d, "the key's usage", lambda x: x.find_elements(By.CSS_SELECTOR, "tr[data-key=dash-team] .usage"))[0]
        return "$0.000000 of" not in usage.text
    wait_for(browser, "the usage bar to move", spent, timeout=20)
    meter = browser.find_element(By.CSS_SELECTOR, "tr[data-key=dash-team] [role=meter]")
    assert float(meter.get_attribute("aria-valuenow")) > 0
    assert secret not in page_text(browser), "the secret is shown after creation"
    shoot(browser, "keys-desktop")

    # Providers: names and key names, never a key's value.
    open_page(browser, gw, "providers", "table")
    text = page_text(browser)
    assert "openai" in text and "k1" in text and "gpt-4o-mini" in text
    for value in PROVIDER_SECRETS:
        assert value not in text, value

    # Batch jobs: a job whose records wait on the upstream is stopped from the page.
    gate = threading.Event()
    openai_fake.enqueue(*[Delay(gate=gate, then=Reply(200, openai_text_completion())) for _ in range(6)])
    s3, br = files(gw), control(gw)
    s3.put_object(Bucket="batch-in", Key="dash/input.jsonl", Body=jsonl([converse_record(f"r{i}", f"record {i}") for i in range(6)]).encode())
    arn = br.create_model_invocation_job(
        jobName="dash-stop", modelId="openai/gpt-4o-mini", roleArn="arn:aws:iam::123456789012:role/x",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/dash/input.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}})["jobArn"]
    job_id = arn.split("/")[-1]
    try:
        def stop_button(d):
            d.get(f"{gw.url}/#batches")
            d.refresh()
            wait_for(d, "the job list", lambda x: x.find_elements(By.CSS_SELECTOR, f"tr[data-job='{job_id}']"))
            return d.find_elements(By.CSS_SELECTOR, f"button[data-stop='{job_id}']")
        wait_for(browser, "the job's stop button", stop_button)[0]
        shoot(browser, "batches-desktop")
        browser.find_element(By.CSS_SELECTOR, f"button[data-stop='{job_id}']").click()
        wait_for(browser, "the stopping job", lambda d: any(s in d.find_element(By.CSS_SELECTOR, f"tr[data-job='{job_id}']").text
                                                            for s in ("Stopping", "Stopped")))
    finally:
        gate.set()
    deadline = time.monotonic() + 20
    while br.get_model_invocation_job(jobIdentifier=arn)["status"] != "Stopped" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert br.get_model_invocation_job(jobIdentifier=arn)["status"] == "Stopped"
    open_page(browser, gw, f"batches/{job_id}", "dl")
    assert f"s3://batch-out/results/{job_id}/" in page_text(browser)
    shoot(browser, "batch-detail-desktop")

    # A file uploaded through the S3 door is on the Files page, in its bucket, with its size.
    s3 = boto3.client("s3", endpoint_url=gw.url + "/bedrock/files", region_name="us-east-1",
                      aws_access_key_id="any", aws_secret_access_key="any")
    s3.create_bucket(Bucket="dash-files")
    s3.put_object(Bucket="dash-files", Key="inputs/records.jsonl", Body=b'{"recordId":"1"}\n')
    open_page(browser, gw, "files", "[data-bucket='dash-files']")
    bucket_text = browser.find_element(By.CSS_SELECTOR, "[data-bucket='dash-files']").text
    assert "inputs/records.jsonl" in bucket_text and "17 B" in bucket_text, bucket_text
    assert browser.find_element(By.ID, "files-namespace").get_attribute("value") == "gateway"

    # A cached answer, so the cache page has a hit to show.
    converse(client, "cached question")
    converse(client, "cached question")

    for width, height, suffix in ((1280, 900, "desktop"), (390, 844, "phone")):
        browser.set_window_size(width, height)
        for name in PAGES:
            open_page(browser, gw, name, {"logs": "#log-rows", "keys": "#keys", "overview": ".chart"}.get(name, "h1"))
            text = page_text(browser)
            assert secret not in text
            for value in PROVIDER_SECRETS:
                assert value not in text, (name, value)
            shoot(browser, f"{name}-{suffix}")
        # Nothing is wider than the window: the pages work at a phone's width.
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{suffix}: the page is {overflow}px wider than the window"

    browser.set_window_size(1280, 900)
    open_page(browser, gw, "overview", ".chart")
    assert "Requests" in browser.find_element(By.ID, "page").text
    browser.find_element(By.ID, "logout").click()
    wait_for(browser, "the login form", lambda d: d.find_elements(By.ID, "token"))
    assert requests.get(gw.url + "/api/keys", cookies=jar, timeout=10).status_code == 401


def test_the_providers_page_lists_the_instances_of_a_shared_store(gateway, browser, openai_fake, anthropic_fake, tmp_path, database_url):
    gws = []
    for i in range(2):
        config = with_admin_token(default_config(openai_fake, anthropic_fake))
        config["server"]["data_dir"] = str(tmp_path / f"data{i}")
        config["store"] = {"postgres": {"url": database_url}, "shared_dir": str(tmp_path / "shared")}
        gws.append(gateway(config, env={"SWITCHYARD_MASTER_KEY": "dashboard-shared-store-master-key"}))
    ids = [requests.get(gw.url + "/health", timeout=5).json()["instance"] for gw in gws]
    login(browser, gws[0])
    open_page(browser, gws[0], "providers", "table")
    wait_for(browser, "both instances", lambda d: all(i in d.find_element(By.TAG_NAME, "body").text for i in ids))
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Gateway instances on this database" in body and f"{ids[0]} (this one)" in body
    shoot(browser, "providers-instances")
    # The login is in the shared database: the other instance knows this browser (cookies do not depend on the port).
    browser.get(gws[1].url + "/")
    wait_for(browser, "the dashboard on the other instance", lambda d: d.find_elements(By.CSS_SELECTOR, "nav a[data-page=logs]"))
    cookie = browser.get_cookie("swyd_session")["value"]
    assert requests.get(gws[0].url + "/api/keys", cookies={"swyd_session": cookie}, timeout=5).status_code == 200
    csrf = browser.find_element(By.CSS_SELECTOR, "meta[name=csrf-token]").get_attribute("content")
    assert requests.post(gws[1].url + "/logout", cookies={"swyd_session": cookie}, headers={"X-CSRF-Token": csrf},
                         timeout=5).status_code == 204
    # Logged out through one instance is logged out on every one.
    assert requests.get(gws[0].url + "/api/keys", cookies={"swyd_session": cookie}, timeout=5).status_code == 401


def test_wrong_tokens_throttle_the_login(dash_gw):
    """Ten wrong tokens in a minute, then every login is refused for the rest of it, the right token too."""
    for _ in range(10):
        r = requests.post(dash_gw.url + "/login", data={"token": "guess-" + "x" * 30}, allow_redirects=False, timeout=10)
        assert r.status_code == 401
    r = requests.post(dash_gw.url + "/login", data={"token": ADMIN_TOKEN}, allow_redirects=False, timeout=10)
    assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= 60
    assert "Too many wrong tokens" in r.text and "set-cookie" not in r.headers
