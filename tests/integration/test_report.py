"""The HTML report in a real browser: headless Debian Chromium driven by
Selenium (chromium-driver) loads the report of every shipped capture, offline,
and the rendered page is read back through the DOM: the session rows, one
histogram per session and direction with 256 bars whose heights are
proportional to the counts in the session CSV, the totals against the
independent reference, sorting, and hostile strings staying inert. A
screenshot of each report is kept in the test artifacts."""

import base64
import os
import shutil
import struct
import tempfile
import time
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from tlsdist_env import TSHARK_READ_ERROR, SandboxTestCase, TRUNCATED_CAPTURES, capture_names, parse_session_csv, reference

ARTIFACTS = os.environ.get("TLSDIST_ARTIFACT_DIR", os.path.join(tempfile.gettempdir(), "tlsdist-artifacts"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1800"]

# Strings a crafted capture or file name could use to run script in the report.
HOSTILE_SERVER_NAME = '"><img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
HOSTILE_ALPN = "</script><script>window.pwned=3</script>"
HOSTILE_FILE_NAME = "<img src=x onerror=window.pwned=4>&amp;'\".pcap"


def grouped(number):
    return "{:,}".format(number)


def endpoint(ip, port):
    return ("[%s]:%s" if ":" in ip else "%s:%s") % (ip, port)


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="tlsdist-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in CHROMIUM_FLAGS + ["--user-data-dir=" + self.profile]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

    def close(self):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def open(self, path):
        self.driver.get("file://" + path)
        self.wait_for("page-1")

    def wait_for(self, rendered, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.js("return document.body && document.body.getAttribute('data-rendered')") == rendered:
                return
            time.sleep(0.05)
        raise AssertionError("the report did not finish drawing %s; errors: %s" % (rendered, self.errors()))

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def errors(self):
        """Script errors the page recorded, and errors the browser logged."""
        recorded = self.js("return window.tlsdistErrors || ['the error recorder did not run']")
        logged = [entry["message"] for entry in self.driver.get_log("browser")
                  if entry["level"] == "SEVERE"]
        return recorded + logged

    def page(self):
        """The rows and histograms drawn for the current page of the table."""
        return self.js("""
            var rows = Array.from(document.querySelectorAll('#session-table tbody tr')).map(
                function (tr) { return Array.from(tr.cells).map(function (td) { return td.textContent; }); });
            var cards = Array.from(document.querySelectorAll('.card')).map(function (card) {
                var charts = {};
                card.querySelectorAll('svg.histogram').forEach(function (svg) {
                    charts[svg.getAttribute('data-direction')] = Array.from(
                        svg.querySelectorAll('rect.bar')).map(function (r) {
                            return parseFloat(r.getAttribute('height')); });
                });
                return {stream: card.getAttribute('data-stream'),
                        histograms: card.querySelectorAll('svg.histogram').length, charts: charts};
            });
            return {rows: rows, cards: cards,
                    next: !document.getElementById('page-next').disabled};""")

    def all_pages(self):
        pages = [self.page()]
        while pages[-1]["next"]:
            self.driver.find_element(By.ID, "page-next").click()
            self.wait_for("page-%d" % (len(pages) + 1))
            pages.append(self.page())
        return pages

    def screenshot(self, name):
        """The whole page (up to 8,000 pixels tall), not just the window."""
        os.makedirs(ARTIFACTS, exist_ok=True)
        width, height = self.js("return [document.documentElement.scrollWidth, "
                                "document.documentElement.scrollHeight]")
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 8000), "scale": 1}})
        with open(os.path.join(ARTIFACTS, name), "wb") as out:
            out.write(base64.b64decode(shot["data"]))


def hostile_capture(path):
    """A TLS 1.2 handshake whose ClientHello carries HOSTILE_SERVER_NAME as its
    server name and HOSTILE_ALPN as the protocol offered, then a record each
    way, as a classic pcap (Ethernet, IPv4, TCP)."""
    def vector(length_bytes, body):
        return len(body).to_bytes(length_bytes, "big") + body

    def extension(kind, body):
        return struct.pack("!H", kind) + vector(2, body)

    sni = extension(0, vector(2, b"\x00" + vector(2, HOSTILE_SERVER_NAME.encode())))
    alpn = extension(16, vector(2, vector(1, HOSTILE_ALPN.encode())))
    client_hello = (b"\x03\x03" + bytes(range(32)) + b"\x00" + vector(2, b"\xc0\x2f") +
                    b"\x01\x00" + vector(2, sni + alpn))
    server_hello = b"\x03\x03" + bytes(range(32, 64)) + b"\x00" + b"\xc0\x2f" + b"\x00"

    def record(content_type, body):
        return struct.pack("!BHH", content_type, 0x0303, len(body)) + body

    def handshake(kind, body):
        return bytes([kind]) + vector(3, body)

    client, server = (bytes([10, 9, 0, 1]), 40000), (bytes([10, 9, 0, 2]), 443)
    seq = {client: 1000, server: 5000}
    frames = []

    def segment(source, destination, flags, payload=b""):
        acknowledged = 0 if flags == 0x02 else seq[destination]
        tcp = struct.pack("!HHIIBBHHH", source[1], destination[1], seq[source], acknowledged,
                          5 << 4, flags, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6, 0,
                         source[0], destination[0])
        frames.append(b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp + payload)
        seq[source] += len(payload) + (1 if flags & 0x02 else 0)

    segment(client, server, 0x02)
    segment(server, client, 0x12)
    segment(client, server, 0x10)
    segment(client, server, 0x18, record(22, handshake(1, client_hello)))
    segment(server, client, 0x18, record(22, handshake(2, server_hello)))
    segment(client, server, 0x18, record(23, bytes(range(256)) * 2))
    segment(server, client, 0x18, record(23, b"\x00" * 100 + b"\xff" * 50))
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            out.write(struct.pack("<IIII", 1700000000, i * 1000, len(frame), len(frame)) + frame)


class ReportTests(SandboxTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.browser = Browser()
        cls.reports = cls.box.folder("reports", 0o777)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()

    def report(self, name, *tshark_args):
        """(path of the HTML report, session CSV rows) of a shipped capture."""
        path = self.box.capture(name)
        html = os.path.join(self.reports, name.replace("/", "_") + ".html")
        done = self.box.tshark("-r", path, "-q", "-o", "tlsdist.report_title:" + name,
                               "-z", "tlsdist,html", *tshark_args)
        self.assertEqual(done.returncode, TSHARK_READ_ERROR if name in TRUNCATED_CAPTURES else 0, done.stderr)
        with open(html, "w") as out:
            out.write(done.stdout)
        sessions = parse_session_csv(self.box.tshark("-r", path, "-q", "-z", "tlsdist,csv",
                                                     *tshark_args).stdout)
        return html, sessions

    def check_histogram(self, heights, counts, label):
        self.assertEqual(len(heights), 256, label)
        peak = max(counts)
        if peak == 0:
            self.assertEqual(set(heights), {0.0}, label)
            return
        tallest = max(heights)
        self.assertGreater(tallest, 0, label)
        for value in range(256):
            self.assertAlmostEqual(heights[value] / tallest, counts[value] / peak, places=9,
                                   msg="%s, byte value %d" % (label, value))

    def test_every_capture_renders_its_sessions_and_histograms(self):
        for name in capture_names():
            with self.subTest(capture=name):
                html, sessions = self.report(name)
                self.browser.open(html)
                self.browser.screenshot(name.replace("/", "_") + ".png")
                self.assertEqual(self.browser.errors(), [])
                self.assertEqual(self.browser.js(
                    "return document.getElementById('capture-name').textContent"), name)

                expected = reference(self.box.capture(name))
                summary = self.browser.js("""
                    var out = {};
                    document.querySelectorAll('#summary dt').forEach(function (dt) {
                        out[dt.textContent] = dt.nextElementSibling.textContent; });
                    return out;""")
                self.assertEqual(summary["Packets"], grouped(expected["packets"]))
                self.assertEqual(summary["TLS packets"], grouped(expected["tls_packets"]))
                self.assertEqual(summary["TLS sessions"], grouped(len(expected["sessions"])))
                tx = sum(s["tx_bytes"] for s in expected["sessions"])
                rx = sum(s["rx_bytes"] for s in expected["sessions"])
                self.assertEqual(summary["TLS bytes"],
                                 "%s (TX %s, RX %s)" % (grouped(tx + rx), grouped(tx), grouped(rx)))

                pages = self.browser.all_pages()
                rows = [row for page in pages for row in page["rows"]]
                cards = [card for page in pages for card in page["cards"]]
                self.assertEqual(len(rows), len(sessions))
                self.assertEqual(len(cards), len(sessions))
                # Rows name DTLS sessions "udp N" (udp.stream N), their cards "udp-N".
                label = lambda s: ("udp " if s["transport"] == "udp" else "") + s["stream"]
                by_stream = {label(s): s for s in sessions}
                for row, card in zip(rows, cards):
                    session = by_stream[row[0]]
                    self.assertEqual(card["stream"], row[0].replace(" ", "-"))
                    self.assertEqual(row[3], endpoint(session["client_ip"], session["client_port"]))
                    self.assertEqual(row[4], endpoint(session["server_ip"], session["server_port"]))
                    self.assertEqual(row[5], session["version"])
                    self.assertEqual(row[6], session["server_name"])
                    self.assertEqual(row[7:11], [grouped(int(session[k])) for k in
                                                 ("tx_bytes", "rx_bytes", "tx_frames", "rx_frames")])
                    self.assertEqual(card["histograms"], 2)
                    for direction in ("tx", "rx"):
                        self.check_histogram(card["charts"][direction], session[direction + "_hist"],
                                             "%s stream %s %s" % (name, row[0], direction))
                self.assertEqual(sorted(by_stream), sorted(row[0] for row in rows))

    def test_sorting_by_a_column(self):
        html, sessions = self.report("multi-session.pcapng")
        self.browser.open(html)
        self.assertGreater(len(sessions), 2)
        streams = lambda: [row[0] for row in self.browser.page()["rows"]]
        self.assertEqual(streams(), sorted((s["stream"] for s in sessions), key=int))

        def click(title):
            header = self.browser.driver.find_element(
                By.XPATH, "//table[@id='session-table']//th/button[text()='%s']" % title)
            header.click()
            return header.find_element(By.XPATH, "..").get_attribute("aria-sort")

        # Numbers sort largest first on the first click, then the other way.
        self.assertEqual(click("RX bytes"), "descending")
        by_rx = sorted(sessions, key=lambda s: (-int(s["rx_bytes"]), int(s["stream"])))
        self.assertEqual(streams(), [s["stream"] for s in by_rx])
        self.assertEqual(click("RX bytes"), "ascending")
        by_rx = sorted(sessions, key=lambda s: (int(s["rx_bytes"]), int(s["stream"])))
        self.assertEqual(streams(), [s["stream"] for s in by_rx])
        self.assertEqual(click("Version"), "ascending")
        by_version = sorted(sessions, key=lambda s: (s["version"], int(s["stream"])))
        self.assertEqual(streams(), [s["stream"] for s in by_version])
        # The histograms follow the table's order.
        self.assertEqual([c["stream"] for c in self.browser.page()["cards"]], streams())
        self.assertEqual(self.browser.errors(), [])

    def test_hostile_strings_are_inert(self):
        name = HOSTILE_FILE_NAME
        path = os.path.join(self.box.home, name)
        hostile_capture(path)
        os.chmod(path, 0o644)
        html = os.path.join(self.reports, "hostile.html")
        done = self.box.tlsdist("--html", os.path.join(self.box.home, "hostile.html"), path)
        self.assertEqual(done.returncode, 0, done.stderr)
        shutil.copy(os.path.join(self.box.home, "hostile.html"), html)
        with open(html) as f:
            text = f.read()
        for marker in ("<img", "<script>window.pwned"):
            self.assertFalse(marker in text, "%r written unescaped into the report" % marker)

        self.browser.open(html)
        self.browser.screenshot("hostile.png")
        self.assertEqual(self.browser.errors(), [])
        self.assertIsNone(self.browser.js("return window.pwned"))
        self.assertEqual(self.browser.js("return document.images.length"), 0)
        # Exactly the <script> elements tlsdist wrote: the error recorder, the data, the drawing.
        self.assertEqual(self.browser.js("return document.scripts.length"), 3)
        self.assertEqual(self.browser.js("return document.getElementById('capture-name').textContent"), name)
        self.assertEqual(self.browser.driver.title, "tlsdist: " + name)
        rows = self.browser.page()["rows"]
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][6], HOSTILE_SERVER_NAME)
        self.assertEqual(rows[0][7:9], [grouped(5 + 4 + 2 + 32 + 1 + 4 + 2 + 2 + 2 + 2 + 2 + 1 + 2 +
                                                len(HOSTILE_SERVER_NAME) + 4 + 2 + 1 +
                                                len(HOSTILE_ALPN) + 5 + 512),
                                        grouped(5 + 4 + 2 + 32 + 1 + 2 + 1 + 5 + 150)])

    def test_a_filtered_report_names_its_filter(self):
        html, _ = self.report("multi-session.pcapng")
        self.browser.open(html)
        self.assertIsNone(self.browser.js("return document.getElementById('view-filter')"))
        path = self.box.capture("multi-session.pcapng")
        done = self.box.tshark("-r", path, "-q", "-z", "tlsdist,html,tcp.stream==1")
        self.assertEqual(done.returncode, 0, done.stderr)
        html = os.path.join(self.reports, "filtered.html")
        with open(html, "w") as out:
            out.write(done.stdout)
        self.browser.open(html)
        self.assertEqual(self.browser.js("return document.getElementById('view-filter').textContent"),
                         "Display filter: tcp.stream==1")
        self.assertEqual([row[0] for row in self.browser.page()["rows"]], ["1"])
        self.assertEqual(self.browser.errors(), [])


if __name__ == "__main__":
    unittest.main()
