#!/usr/bin/python3
"""A reader watching a live transcript in Debian's Chromium (Selenium and
chromedriver): opens the page once, never reloads it itself, and reports
what it sees as the page reloads itself (its meta refresh) while the chat
goes on. Prints "start: N messages, LIVE" then, when the page on screen
shows more messages than at first or stops saying live, "later: N
messages, LIVE" (or "timeout"). A screenshot goes to ARTIFACTS.

    live-watcher.py FILE_URL ARTIFACTS SECONDS
"""
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

url, artifacts, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--window-size=1280,1000"):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)


def seen():
    try:
        n = len(driver.find_elements(By.CSS_SELECTOR, ".msg"))
        live = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".live") if e.is_displayed()]
        return n, live[0] if live else "final"
    except Exception:  # between two loads of the page
        return None


try:
    driver.get(url)
    first = seen()
    print("start: %d messages, %s" % first, flush=True)
    end = time.time() + seconds
    while time.time() < end:
        now = seen()
        if now and (now[0] > first[0] or now[1] != first[1] and now[1] == "final"):
            print("later: %d messages, %s" % now, flush=True)
            break
        time.sleep(0.25)
    else:
        print("timeout")
    driver.save_screenshot(artifacts + "/live-page.png")
finally:
    driver.quit()
