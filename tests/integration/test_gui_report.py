"""tlsdist's menu entry in a real Wireshark: Tools → tlsdist → TLS Byte
Distribution Report writes the HTML report of the capture on screen and hands
it to the desktop's browser. A stand-in browser (an xdg mimeapps default for
HTML pages) records what it was asked to open; headless Chromium then loads
that page, which says the report is being written and turns into the report,
and its sessions and histograms are checked against tshark's -z tlsdist,csv
with the same preferences and display filter."""

import glob
import os
import unittest

from gui_driver import Screen
from test_report import Browser, endpoint, grouped
from tlsdist_env import SANITIZER_SIGNS, Sandbox, parse_session_csv

from selenium.common.exceptions import WebDriverException

ARTIFACTS = os.environ.get("TLSDIST_ARTIFACT_DIR", os.path.join(os.getcwd(), "test-artifacts"))

STANDIN_DESKTOP_FILE = """[Desktop Entry]
Type=Application
Name=tlsdist test browser
Exec={script} %u
MimeType=text/html;x-scheme-handler/file;
"""
STANDIN_SCRIPT = """#!/bin/sh
printf '%s\\n' "$1" >> {record}
"""


class StandInBrowser:
    """Makes a script the default handler of HTML pages in box's HOME (as
    xdg-open looks it up); the script appends each path or URL it gets to a file."""

    def __init__(self, box):
        self.record = os.path.join(box.home, "opened-pages.txt")
        script = self.script = os.path.join(box.root, "stand-in-browser")
        with open(script, "w") as out:
            out.write(STANDIN_SCRIPT.format(record=self.record))
        os.chmod(script, 0o755)
        applications = os.path.join(box.home, ".local", "share", "applications")
        config = os.path.join(box.home, ".config")
        os.makedirs(applications)
        os.makedirs(config)
        self.desktop_file = os.path.join(applications, "tlsdist-test-browser.desktop")
        self.fail(False)
        with open(os.path.join(config, "mimeapps.list"), "w") as out:
            out.write("[Default Applications]\ntext/html=tlsdist-test-browser.desktop\n"
                      "x-scheme-handler/file=tlsdist-test-browser.desktop\n")
        for folder, dirs, files in os.walk(box.home):
            os.chmod(folder, 0o755)
            if box.as_root:
                os.chown(folder, 65534, 65534)

    def fail(self, failing):
        """With failing, the default HTML handler exits with status 1 (xdg-open then
        tries BROWSER, which start() sets to false: no browser opens)."""
        with open(self.desktop_file, "w") as out:
            out.write(STANDIN_DESKTOP_FILE.format(script="/bin/false" if failing else self.script))

    def opened(self):
        if not os.path.exists(self.record):
            return []
        with open(self.record) as f:
            return [line.strip() for line in f if line.strip()]


def text_of(path):
    with open(path) as f:
        return f.read()


def path_of(opened):
    return opened[len("file://"):] if opened.startswith("file://") else opened


class ReportMenuTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.browser = Browser()

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()

    def setUp(self):
        self.box = Sandbox()
        self.addCleanup(self.box.close)
        self.standin = StandInBrowser(self.box)

    def start(self, capture, *wireshark_args):
        self.path = self.box.capture(capture)
        # Reports go to a folder of our own; xdg-open's last resort, $BROWSER, fails.
        self.temporary = os.path.join(self.box.root, "tmp")
        os.mkdir(self.temporary)
        if self.box.as_root:
            os.chown(self.temporary, 65534, 65534)
        self.screen = Screen(self.box, self.path, ARTIFACTS, wireshark_args=wireshark_args,
                             env=["TMPDIR=" + self.temporary, "BROWSER=false"])
        self.addCleanup(self.stop_wireshark)

    def stop_wireshark(self):
        output = self.screen.close()
        for sign in SANITIZER_SIGNS:
            self.assertNotIn(sign, output)

    def report_from_menu(self, screenshot=None):
        """Clicks the menu entry; returns the page the stand-in browser was given,
        once Chromium shows it as a finished report."""
        before = len(self.standin.opened())
        self.screen.open_report_from_menu(screenshot)
        self.screen.wait(lambda: len(self.standin.opened()) > before, 60, "no browser was started")
        opened = self.standin.opened()[-1]
        page = path_of(opened)
        self.assertTrue(os.path.isabs(page), opened)
        self.browser.driver.get("file://" + page)

        def rendered():
            # The page reloads itself until the report replaces it.
            try:
                return self.browser.js("return document.body && document.body.getAttribute('data-rendered')") \
                    == "page-1"
            except WebDriverException:
                return False
        self.screen.wait(rendered, 120, "the page never became the report")
        self.assertEqual(self.browser.errors(), [])
        return page

    def sessions(self, *tshark_args):
        done = self.box.tshark("-r", self.path, "-q", *tshark_args)
        self.assertEqual(done.returncode, 0, done.stderr)
        return parse_session_csv(done.stdout)

    def check_report(self, sessions):
        pages = self.browser.all_pages()
        rows = [row for page in pages for row in page["rows"]]
        charts = {card["stream"]: card["charts"] for page in pages for card in page["cards"]}
        self.assertEqual(sorted(row[0] for row in rows), sorted(s["stream"] for s in sessions))
        by_stream = {s["stream"]: s for s in sessions}
        for row in rows:
            session = by_stream[row[0]]
            self.assertEqual(row[3], endpoint(session["client_ip"], session["client_port"]))
            self.assertEqual(row[4], endpoint(session["server_ip"], session["server_port"]))
            self.assertEqual(row[5], session["version"])
            self.assertEqual(row[7:11], [grouped(int(session[k])) for k in
                                         ("tx_bytes", "rx_bytes", "tx_frames", "rx_frames")])
            for direction in ("tx", "rx"):
                counts = session[direction + "_hist"]
                heights = charts[row[0]][direction]
                peak, tallest = max(counts), max(heights)
                self.assertEqual(tallest > 0, peak > 0, (row[0], direction))
                for value in range(256):
                    if peak:
                        self.assertAlmostEqual(heights[value] / tallest, counts[value] / peak, places=9)

    def fewer_displayed(self):
        """Whether the status bar shows fewer frames displayed than captured."""
        words = [w.text for w in self.screen.words()]
        try:
            packets = words[words.index("Packets:") + 1]
            displayed = words[words.index("Displayed:") + 1]
        except (ValueError, IndexError):
            return False
        return packets != displayed

    def test_report_of_the_open_file_with_scope_and_display_filter(self):
        # The dialogs' byte scope set to application data: the report counts the same.
        self.start("multi-session.pcapng", "-o", "tlsdist.byte_scope:appdata")
        header = self.screen.find("Source", near="Destination")
        main_filter_bar = (header.left, header.top - 25)
        self.report_from_menu(os.path.join(ARTIFACTS, "tlsdist-report-menu.png"))
        self.browser.screenshot("tlsdist-report-from-menu.png")
        self.assertEqual(self.browser.js("return document.getElementById('capture-name').textContent"),
                         "multi-session.pcapng")
        self.assertIsNone(self.browser.js("return document.getElementById('view-filter')"))
        self.assertIn("scope=appdata", self.browser.js("return document.getElementById('byte-scope').textContent"))
        everything = self.sessions("-z", "tlsdist,csv,scope=appdata")
        self.assertGreater(len(everything), 1)
        self.check_report(everything)

        # With a main display filter applied, the report counts what passes it and says so.
        self.screen.click(*main_filter_bar)
        self.screen.type_text("tcp.stream==1 || tcp.stream==2")
        self.screen.key("Return")
        self.screen.wait(self.fewer_displayed, 30, "the filter was not applied")
        self.report_from_menu()
        self.assertEqual(self.browser.js("return document.getElementById('view-filter').textContent"),
                         "Display filter: tcp.stream==1 || tcp.stream==2")
        filtered = self.sessions("-z", "tlsdist,csv,scope=appdata,tcp.stream==1 || tcp.stream==2")
        self.assertEqual(sorted(s["stream"] for s in filtered), ["1", "2"])
        self.check_report(filtered)

    def test_report_uses_the_tls_key_log_and_failures_say_why(self):
        # Decrypted bytes only: without the key log Wireshark was given, nothing would count.
        self.start("illustrated-tls12.pcap", "-o", "tlsdist.byte_scope:plaintext",
                   "-o", "tls.keylog_file:" + self.box.capture("illustrated-tls12.keylog"))
        self.report_from_menu()
        decrypted = self.sessions("-o", "tls.keylog_file:" + self.box.capture("illustrated-tls12.keylog"),
                                  "-z", "tlsdist,csv,scope=plaintext")
        self.assertGreater(sum(decrypted[0]["rx_hist"]), 0)
        self.check_report(decrypted)

        # No browser opens: a message gives the page's path, and the report is still written there.
        self.standin.fail(True)
        self.screen.open_report_from_menu()
        self.screen.find("browser", near="opened", tries=60)
        self.screen.dismiss_message()
        page = self.newest_page()
        self.screen.wait(lambda: "data-rendered" in text_of(page), 120, "no report at " + page)

        # tshark cannot read the capture (its file is gone): the page and a message say why.
        self.standin.fail(False)
        os.remove(self.path)
        before = len(self.standin.opened())
        self.screen.open_report_from_menu()
        self.screen.wait(lambda: len(self.standin.opened()) > before, 60, "no browser was started")
        page = path_of(self.standin.opened()[-1])
        self.screen.wait(lambda: "could not write the report" in text_of(page), 120, "no error page")
        self.assertIn(os.path.basename(self.path), text_of(page))  # tshark's message names the file
        self.screen.find("could", near="tshark", tries=60)

    def newest_page(self):
        folders = sorted(glob.glob(os.path.join(self.temporary, "tlsdist-report-*")), key=os.path.getmtime)
        self.assertTrue(folders)
        return os.path.join(folders[-1], "tlsdist-report.html")


if __name__ == "__main__":
    unittest.main()
