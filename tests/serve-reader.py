#!/usr/bin/python3
"""A reader using `chatarc serve` in Debian's Chromium (driven by Selenium
through chromedriver): types a query in the search box, narrows it by a
facet, pages through, and follows a hit to its message in the transcript.
Prints one line per step, "step: what was seen", for the shell test to
compare; screenshots go to ARTIFACTS.

    serve-reader.py BASE_URL ARTIFACTS WIDTH
"""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

base, artifacts, width = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions"):
    options.add_argument(arg)
if width < 500:
    # A phone: headless Chromium keeps windows 500 px or wider; the device
    # metrics make the page's viewport the phone's.
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": width, "height": 844, "pixelRatio": 2}})
else:
    options.add_argument(f"--window-size={width},1000")
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)
shot = 0


def screenshot(name):
    driver.save_screenshot(f"{artifacts}/{name}-{width}.png")


def navigate(action):
    """Runs action (a click, Enter in the box) and waits for the next page:
    an element of the old one read after it went away is stale."""
    old = driver.find_element(By.TAG_NAME, "html")
    action()
    WebDriverWait(driver, 15).until(expected_conditions.staleness_of(old))


def hits():
    return driver.find_elements(By.CSS_SELECTOR, "ol.hits > li.hit")


def count_text():
    found = driver.find_elements(By.CSS_SELECTOR, "p.result-count")
    return found[0].text if found else "-"


try:
    # The search box, as a reader finds it: type and press Enter.
    driver.get(base + "/search")
    box = driver.find_element(By.ID, "q")
    box.send_keys("policy")
    navigate(lambda: box.send_keys(Keys.ENTER))
    print("typed:", count_text(), len(hits()), "hits")
    screenshot("search")

    # A facet: only Mastodon's; the query box says so.
    link = driver.find_element(By.XPATH, "//div[@class='facet'][h2='network']//a[.='mastodon']")
    navigate(link.click)
    networks = {h.get_attribute("class") for h in hits()}
    print("facet:", count_text(), sorted(networks),
          driver.find_element(By.ID, "q").get_attribute("value"))

    # Paging: the chat's tag matches every message of the sample.
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys("#hcsmdemo")
    navigate(lambda: box.send_keys(Keys.ENTER))
    first = count_text()
    navigate(driver.find_element(By.CSS_SELECTOR, "a[rel=next]").click)
    print("paged:", first, "|", count_text(), "|",
          driver.find_element(By.CSS_SELECTOR, "ol.hits").get_attribute("start"))
    screenshot("page2")

    # Following a hit to its message: the transcript opens at it, on screen.
    target = hits()[0]
    text = target.find_element(By.CSS_SELECTOR, "p.text").text
    navigate(target.find_element(By.CSS_SELECTOR, "a.in-transcript").click)
    anchor = driver.current_url.split("#", 1)[1]
    element = driver.find_element(By.ID, anchor)
    top, bottom, height = driver.execute_script(
        "var r = arguments[0].getBoundingClientRect();"
        "return [r.top, r.bottom, window.innerHeight];", element)
    on_screen = -1 <= top < height and bottom > 0  # scrolled to it, to the pixel
    same = text.split(" #")[0] in element.text
    print("followed:", "on screen" if on_screen else f"off screen ({top} of {height})",
          "same text" if same else "other text")
    screenshot("transcript")
    width_seen = driver.execute_script("return document.documentElement.scrollWidth")
    driver.get(base + "/search?q=policy")
    search_width = driver.execute_script("return document.documentElement.scrollWidth")
    print("width:", "fits" if max(width_seen, search_width) <= width else
          f"scrolls sideways ({width_seen}, {search_width})")
finally:
    driver.quit()
