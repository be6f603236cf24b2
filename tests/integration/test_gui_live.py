"""A live capture in a real Wireshark: Wireshark captures on lo while real TLS
clients (curl) fetch a file from a real TLS server (openssl s_server); the TLS
Sessions dialog, opened while capturing, and the report from the Tools menu
must equal tshark's figures for the file Wireshark captured to."""

import glob
import os
import socket
import subprocess
import time
import unittest

from gui_driver import Screen, copied_rows
from test_gui_report import StandInBrowser, path_of
from test_live import FILE_SIZE, free_port
from test_report import Browser, endpoint
from tlsdist_env import SANITIZER_SIGNS, Sandbox, parse_session_csv, parse_table

ARTIFACTS = os.environ.get("TLSDIST_ARTIFACT_DIR", os.path.join(os.getcwd(), "test-artifacts"))


class LiveCaptureInWiresharkTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox()
        cls.groups = ["wireshark"] if cls.box.as_root else None
        check = subprocess.run(cls.box.command(["dumpcap", "-D"], cls.groups), capture_output=True, text=True)
        if check.returncode != 0 or "lo" not in check.stdout:
            raise RuntimeError("this user cannot capture on lo with dumpcap (%s); see INSTALL.md, "
                               "'Live capture'" % check.stderr.strip())
        cls.standin = StandInBrowser(cls.box)
        www = os.path.join(cls.box.root, "www")
        os.mkdir(www)
        with open(os.path.join(www, "payload.bin"), "wb") as f:
            f.write(os.urandom(FILE_SIZE))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-keyout", os.path.join(www, "key.pem"),
                        "-out", os.path.join(www, "cert.pem")], check=True, capture_output=True)
        cls.port = free_port()
        cls.server = subprocess.Popen(
            ["openssl", "s_server", "-quiet", "-WWW", "-accept", "127.0.0.1:%d" % cls.port,
             "-cert", "cert.pem", "-key", "key.pem"], cwd=www,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The report goes to a folder of our own.
        cls.temporary = os.path.join(cls.box.root, "tmp")
        os.mkdir(cls.temporary)
        if cls.box.as_root:
            os.chown(cls.temporary, 65534, 65534)
        cls.screen = Screen(cls.box, None, ARTIFACTS, groups=cls.groups, window_name="Capturing from",
                            wireshark_args=["-i", "lo", "-f", "tcp port %d" % cls.port, "-k"],
                            env=["TMPDIR=" + cls.temporary])
        cls.browser = Browser()

    @classmethod
    def tearDownClass(cls):
        output = cls.screen.close()
        cls.browser.close()
        cls.server.kill()
        cls.server.wait()
        cls.box.close()
        for sign in SANITIZER_SIGNS:
            if sign in output:
                raise AssertionError("sanitizer report from Wireshark:\n" + output)

    def fetch(self, tls_version):
        flags = {"1.2": ["--tlsv1.2", "--tls-max", "1.2"], "1.3": ["--tlsv1.3"]}[tls_version]
        done = subprocess.run(["curl", "-sS", "-k", "-o", "/dev/null", "-w", "%{size_download}",
                               "--retry", "5", "--retry-connrefused", "--retry-delay", "1"]
                              + flags + ["https://127.0.0.1:%d/payload.bin" % self.port],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(int(done.stdout), FILE_SIZE)

    def capture_file(self):
        """The file Wireshark's dumpcap writes (in /tmp: dumpcap has capabilities,
        so the C library drops TMPDIR for it), found through dumpcap's open files."""
        for task in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(task) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) != self.screen.wireshark.pid:
                    continue
                folder = os.path.dirname(task)
                for fd in os.listdir(os.path.join(folder, "fd")):
                    target = os.readlink(os.path.join(folder, "fd", fd))
                    if os.path.basename(target).startswith("wireshark_"):
                        return target
            except OSError:
                continue
        return None

    def tshark_sessions(self, path):
        table = self.box.tshark("-r", path, "-q", "-z", "tlsdist")
        self.assertEqual(table.returncode, 0, table.stderr)
        rows, _, _ = parse_table(table.stdout)
        csv = self.box.tshark("-r", path, "-q", "-z", "tlsdist,csv")
        return rows, parse_session_csv(csv.stdout)

    def dialog_rows(self, buttons):
        """Re-runs the dialog (Apply) and copies its rows, by stream."""
        self.screen.click(*buttons["apply"])
        _, rows = copied_rows(self.screen.copy_with(*buttons["copy"]))
        return sorted(rows, key=lambda r: int(r[1]))

    def expected_rows(self, path):
        """The dialog's rows as tshark's table and CSV give them for path."""
        table, sessions = self.tshark_sessions(path)
        return [[row[0], s["stream"], row[2], row[3], row[4], row[5], row[6], s["tx_scope_bytes"],
                 s["rx_scope_bytes"], row[7], row[8]] for row, s in zip(table, sessions)]

    def comparable(self, rows):
        """Dialog rows without the duration (printed with other digits than tshark's
        table) and the metadata columns."""
        return [row[:2] + row[3:12] for row in rows]

    def test_sessions_dialog_and_report_during_a_live_capture(self):
        started = time.time()
        self.screen.wait(self.capture_file, 60, "Wireshark did not start capturing")
        live_file = self.capture_file()
        window = self.screen.open_statistic("Sessions", "TLS Sessions")
        label = self.screen.find("filter:", near="Display")
        line = label.top - 5
        buttons = {"apply": self.screen.find("Apply", below=line).center,
                   "copy": self.screen.find("Copy", below=line).center}

        for version in ("1.2", "1.3"):
            self.fetch(version)
        # Wireshark reads dumpcap's file as it grows: wait until the dialog,
        # re-run during the capture, shows both sessions as tshark sees them in that file.
        deadline = time.time() + 90
        while True:
            dialog, expected = self.comparable(self.dialog_rows(buttons)), self.expected_rows(live_file)
            if (len(expected) == 2 and dialog == expected) or time.time() > deadline:
                break
        self.assertEqual(dialog, expected)
        self.screen.screenshot(os.path.join(ARTIFACTS, "tlsdist-live-sessions-dialog.png"), window)
        self.assertEqual([row[4] for row in dialog], ["TLS 1.2", "TLS 1.3"])
        self.assertEqual([row[3] for row in dialog], [endpoint("127.0.0.1", str(self.port))] * 2)
        self.assertTrue(all(int(row[6]) > FILE_SIZE for row in dialog), dialog)

        # The report of the unsaved capture in progress, from the Tools menu.
        before = len(self.standin.opened())
        self.screen.open_report_from_menu()
        self.screen.wait(lambda: len(self.standin.opened()) > before, 60, "no browser was started")
        page = path_of(self.standin.opened()[-1])
        self.assertTrue(page.startswith(self.temporary + os.sep), page)
        self.browser.driver.get("file://" + page)
        self.screen.wait(lambda: self.browser.js(
            "return document.body && document.body.getAttribute('data-rendered')") == "page-1",
            120, "the page never became the report")
        rows = self.browser.page()["rows"]
        sessions = parse_session_csv(self.box.tshark("-r", live_file, "-q", "-z", "tlsdist,csv").stdout)
        self.assertEqual([row[0] for row in rows], [s["stream"] for s in sessions])
        self.assertEqual([row[5] for row in rows], ["TLS 1.2", "TLS 1.3"])
        self.assertIn("Unsaved live capture", self.browser.js("return document.title"))

        # Capture › Stop; the dialog re-run on the finished capture still equals tshark.
        self.screen.click_word("Capture", above=60)
        self.screen.click_word("Stop", above=400)
        self.screen.wait(lambda: not self.screen.find_window("Capturing from"), 60, "the capture did not stop")
        self.assertEqual(self.comparable(self.dialog_rows(buttons)), self.expected_rows(live_file))
        print("live GUI test: %.0f s" % (time.time() - started))


if __name__ == "__main__":
    unittest.main()
