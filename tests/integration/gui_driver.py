"""Drives a real Wireshark (Qt) under Xvfb the way a person would: it reads
the screen with tesseract to find menu entries and buttons by their text,
clicks them with xdotool and reads the clipboard with xclip. There is no
window manager, so everything is done with the mouse."""

import os
import select
import shutil
import subprocess
import tempfile
import time

TOOLS = ("Xvfb", "xdotool", "xclip", "import", "tesseract", "wireshark")


class Word:
    def __init__(self, text, left, top, width, height):
        self.text, self.left, self.top, self.width, self.height = text, left, top, width, height

    @property
    def center(self):
        return self.left + self.width // 2, self.top + self.height // 2

    def __repr__(self):
        return "%s@%d,%d" % (self.text, self.left, self.top)


class Screen:
    """An Xvfb display with one Wireshark on it."""

    SCALE = 2  # OCR reads small menu fonts better on an enlarged screenshot
    DIALOG_PLACE = (60, 120)  # where open_statistic puts a dialog,
    DIALOG_SIZE = (1180, 520)  # and its size there

    def __init__(self, box, capture, artifacts, wireshark_args=(), env=(), window_name=None, groups=None):
        """Wireshark opening capture (or, with capture None, started with wireshark_args
        alone, e.g. a live capture), with extra environment settings env ("NAME=value"),
        running with the extra groups; ready once a window named window_name (by default
        the capture's file name) shows."""
        missing = [t for t in TOOLS if shutil.which(t) is None]
        if missing:
            raise RuntimeError("GUI test needs %s (apt-get install wireshark xvfb xdotool "
                               "xclip imagemagick tesseract-ocr)" % ", ".join(missing))
        self.box = box
        self.artifacts = artifacts
        os.makedirs(artifacts, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix="tlsdist-gui-")
        # Xvfb picks a free display and names it on a pipe once it accepts
        # clients: a display number of our own could be another test's, run
        # beside this one (ctest -j), whose Xvfb would then serve this one.
        ready, announce = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(announce), "-screen", "0", "1400x900x24",
                                      "-nolisten", "tcp"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(announce,))
        os.close(announce)
        with os.fdopen(ready) as announced:
            # (an Xvfb that exits closes the pipe; one that hangs is given 20 s)
            number = announced.readline().strip() if select.select([announced], [], [], 20)[0] else ""
        if not number.isdigit():
            raise AssertionError("Xvfb did not start (exit status %s)" % self.xvfb.poll())
        self.display = ":" + number
        self.env = dict(os.environ, DISPLAY=self.display)
        self._wait(lambda: subprocess.run(["xdotool", "getmouselocation"], env=self.env,
                                          capture_output=True).returncode == 0, 20, "Xvfb did not start")
        runtime = os.path.join(box.root, "xdg")
        os.makedirs(runtime, mode=0o700, exist_ok=True)
        if box.as_root:
            os.chown(runtime, 65534, 65534)
        argv = box.command(["env", "DISPLAY=" + self.display, "XDG_RUNTIME_DIR=" + runtime,
                            "QT_ACCESSIBILITY=0"] + list(env) + ["wireshark"] + list(wireshark_args)
                           + (["-r", capture] if capture else []), groups)
        self.log = open(os.path.join(self.work, "wireshark.log"), "w")
        self.wireshark = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, cwd=box.root)
        name = window_name or os.path.basename(capture)
        self._wait(lambda: self.find_window(name), 60, "Wireshark did not open " + name)
        self.main_window = self.find_window(name)
        if capture:
            # Read to the end once the status bar ("Packets: N · Displayed: M")
            # counts every frame of the file (OCR reads "Displayed:" reliably).
            frames = len(box.tshark("-r", capture, "-T", "fields", "-e", "frame.number").stdout.split())
            self.find(str(frames), near="Displayed:", tries=30)

    def close(self):
        """Stops Wireshark and Xvfb; returns what Wireshark printed."""
        for process in (self.wireshark, self.xvfb):
            process.kill()
            process.wait()
        self.log.close()
        with open(self.log.name, errors="replace") as f:
            output = f.read()
        shutil.rmtree(self.work, ignore_errors=True)
        return output

    @staticmethod
    def _wait(condition, seconds, message):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if condition():
                return
            time.sleep(0.3)
        raise AssertionError(message)

    def xdotool(self, *args):
        return subprocess.run(["xdotool"] + list(args), env=self.env, capture_output=True, text=True)

    def find_window(self, name):
        done = self.xdotool("search", "--onlyvisible", "--name", name)
        ids = done.stdout.split()
        return ids[-1] if ids else None

    def screenshot(self, path, window="root"):
        subprocess.run(["import", "-window", window, path], env=self.env, check=True, capture_output=True)

    def words(self):
        shot = os.path.join(self.work, "screen.png")
        big = os.path.join(self.work, "screen-big.png")
        self.screenshot(shot)
        subprocess.run(["convert", shot, "-resize", "%d%%" % (100 * self.SCALE), big], check=True)
        tsv = subprocess.run(["tesseract", big, "stdout", "--psm", "11", "tsv"],
                             capture_output=True, text=True).stdout
        words = []
        for line in tsv.splitlines()[1:]:
            cells = line.split("\t")
            if len(cells) == 12 and cells[11].strip():
                left, top, width, height = (int(c) // self.SCALE for c in cells[6:10])
                words.append(Word(cells[11].strip(), left, top, width, height))
        return words

    def find(self, text, near=None, below=None, above=None, tries=10):
        """The word on screen equal to text (optionally on the same line as the word
        `near`, or below/above a y coordinate)."""
        for _ in range(tries):
            words = self.words()
            # OCR may glue punctuation to a word: "Close)" for "Close"
            candidates = [w for w in words if w.text.strip("()[]|~*.,:;'\"") == text.strip(":")
                          or w.text == text]
            if below is not None:
                candidates = [w for w in candidates if w.top > below]
            if above is not None:
                candidates = [w for w in candidates if w.top < above]
            if near:
                lines = [w.top for w in words if w.text == near]
                candidates = [w for w in candidates if any(abs(w.top - y) <= 6 for y in lines)]
            if candidates:
                return candidates[0]
            time.sleep(0.5)
        raise AssertionError("%r not found on screen (saw: %s)" % (text, " ".join(w.text for w in words)))

    def dismiss_message(self):
        """Clicks a message box's OK button (OCR may read its icon as '@' and the text in lower case)."""
        for _ in range(20):
            buttons = [w for w in self.words() if w.text.lower().strip("@©()[]|~*.,:;'\"") == "ok"]
            if buttons:
                self.click(*buttons[0].center)
                return
        raise AssertionError("no OK button on screen")

    def click(self, x, y):
        self.xdotool("mousemove", str(x), str(y), "click", "1")
        # Qt opens some popups on a timer (a filter field's completion list),
        # so the next click could land before the popup it must close exists;
        # nothing on screen says "no popup is coming", hence a short pause.
        time.sleep(0.8)

    def click_word(self, text, **where):
        word = self.find(text, **where)
        self.click(*word.center)
        return word

    def type_text(self, text):
        self.xdotool("type", "--delay", "30", text)

    def key(self, *keys):
        self.xdotool("key", *keys)

    def clipboard(self):
        return subprocess.run(["xclip", "-o", "-selection", "clipboard"], env=self.env,
                              capture_output=True, text=True).stdout

    def copy_with(self, x, y):
        """Clicks a Copy button at (x, y) and returns the clipboard once the copy is there."""
        return self._copied(lambda: self.click(x, y), 30)

    def copy_focused_text(self, seconds=5):
        """The whole text of the field that has the keyboard focus (select all, copy),
        or "" if nothing reaches the clipboard within seconds."""
        try:
            return self._copied(lambda: self.key("ctrl+a", "ctrl+c"), seconds)
        except AssertionError:
            return ""

    def _copied(self, copy, seconds):
        """Empties the clipboard, runs copy and returns the clipboard once something is there."""
        subprocess.run(["xclip", "-i", "-selection", "clipboard", "/dev/null"], env=self.env, check=True)
        copy()
        copied = [""]

        def copied_text():
            copied[0] = self.clipboard()
            return bool(copied[0])
        self._wait(copied_text, seconds, "nothing was copied to the clipboard")
        return copied[0]

    def focus(self, window):
        """Gives window the keyboard focus (there is no window manager to do it on a click)."""
        self.xdotool("windowfocus", window)

    def focused_window(self):
        """The id of the window that has the keyboard focus, as xdotool names windows."""
        return self.xdotool("getwindowfocus").stdout.strip()

    def replace_text(self, window, x, y, text):
        """Focuses window, clicks the text field at (x, y), replaces what it holds
        with text and returns what it holds then ("" when text is empty): keys
        typed under load were seen to get lost, so callers compare."""
        self.focus(window)
        self.click(x, y)
        self.key("ctrl+a")
        self.key("BackSpace")
        if not text:
            return ""
        self.type_text(text)
        return self.copy_focused_text()

    def move(self, window, x, y):
        """Moves window so that its top left corner is at (x, y), and waits until it is there."""
        self._set_geometry(window, ("windowmove", window, str(x), str(y)), "Position: %d,%d " % (x, y),
                           "the window was not moved to %d,%d" % (x, y))

    def resize(self, window, width, height):
        """Makes window width x height, and waits until it is."""
        self._set_geometry(window, ("windowsize", window, str(width), str(height)), "Geometry: %dx%d" % (width, height),
                           "the window was not resized to %dx%d" % (width, height))

    def _set_geometry(self, window, command, reported, message):
        """Runs an xdotool command that moves or resizes window, then waits until
        xdotool's getwindowgeometry reports the text reported."""
        self.xdotool(*command)
        self._wait(lambda: reported in self.xdotool("getwindowgeometry", window).stdout, 20, message)

    def wait(self, condition, seconds, message):
        self._wait(condition, seconds, message)

    def open_report_from_menu(self, screenshot=None):
        """Tools → tlsdist → TLS Byte Distribution Report; with the menu open,
        a screenshot of the screen to the path screenshot."""
        # A click that only closes a popup (the display filter's completions) opens no menu: once more then.
        for attempt in (1, 2):
            self.click_word("Tools", above=60)
            try:
                self.click_word("tlsdist", above=400, tries=3 * attempt)
                break
            except AssertionError:
                if attempt == 2:
                    raise
        # OCR may cut the entry's last word ("Rep"): its middle word is read reliably.
        entry = self.find("Distribution", near="Byte")
        if screenshot:
            self.screenshot(screenshot)
        self.click(*entry.center)

    def open_statistic(self, menu_entry_word, window_title):
        """Statistics menu → the entry whose text has menu_entry_word next to
        '(tlsdist)'; the dialog is then moved and enlarged so every column shows.
        Returns the dialog's window id."""
        self.click_word("Statistics", above=60)
        self.click_word(menu_entry_word, near="(tlsdist)")
        self._wait(lambda: self.find_window(window_title), 20, "no dialog titled " + window_title)
        window = self.find_window(window_title)
        self.move(window, *self.DIALOG_PLACE)
        self.resize(window, *self.DIALOG_SIZE)
        return window


def copied_rows(text):
    """Rows of a statistics dialog's Copy: the lines between the dashed rules,
    split on runs of two or more spaces."""
    lines = text.splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith("----")]
    if len(rules) < 2:
        raise AssertionError("unexpected clipboard content:\n" + text)
    header = lines[rules[0] - 1]
    rows = [[c.strip() for c in line.split("  ") if c.strip()] for line in lines[rules[0] + 1:rules[1]]]
    return header, rows
