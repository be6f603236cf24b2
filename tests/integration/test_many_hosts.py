"""A dataset spread over two machines with GNU parallel, as README's "Many
captures" section documents it: the second machine is an sshd on 127.0.0.1
(started here, on a free port, with its own configuration and keys in a
scratch folder) logging in a second local account; the session CSVs that
parallel brings back, put together with tlsdist merge, equal the local
tlsdist --each run. Needs root (a second account, sshd)."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from tlsdist_env import Sandbox, reference

REMOTE_USER = "tlsdist-remote"
CAPTURES = ["multi-session.pcapng", "tls12-openssl.pcap", "tls13-openssl.pcap", "zeek-tls1.2.pcap"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AcrossMachinesTests(unittest.TestCase):
    def setUp(self):
        self.assertEqual(os.geteuid(), 0, "this test creates an account and runs sshd: run it as root")
        for program in ("parallel", "ssh", "/usr/sbin/sshd", "ssh-keygen"):
            self.assertTrue(shutil.which(program), "%s is missing (setup.sh installs openssh-server parallel)"
                            % program)
        self.box = Sandbox()
        self.addCleanup(self.box.close)
        self.scratch = tempfile.mkdtemp(prefix="tlsdist-hosts-")
        self.addCleanup(shutil.rmtree, self.scratch, True)
        os.chmod(self.scratch, 0o755)
        remote_home = os.path.join(self.scratch, "remote-home")
        # (password "*": no password, yet not a locked account, which sshd refuses without PAM)
        created = subprocess.run(["useradd", "--password", "*", "--no-create-home", "--home-dir", remote_home,
                                  "--shell", "/bin/sh", REMOTE_USER], capture_output=True, text=True)
        self.assertIn(created.returncode, (0, 9), created.stderr)  # (9: left by an interrupted run)
        self.addCleanup(subprocess.run, ["userdel", REMOTE_USER], capture_output=True)
        account = pwd.getpwnam(REMOTE_USER)
        os.mkdir(remote_home)
        os.chown(remote_home, account.pw_uid, account.pw_gid)

        key = os.path.join(self.scratch, "client_key")
        host_key = os.path.join(self.scratch, "host_key")
        for path in (key, host_key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path], check=True)
        authorized = os.path.join(self.scratch, "authorized_keys")
        shutil.copy(key + ".pub", authorized)
        os.chmod(authorized, 0o644)
        self.port = free_port()
        config = os.path.join(self.scratch, "sshd_config")
        with open(config, "w") as f:
            f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s\nPidFile %s\nAuthorizedKeysFile %s\n"
                    "StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                    "AllowUsers %s\n" % (self.port, host_key, os.path.join(self.scratch, "sshd.pid"), authorized,
                                         REMOTE_USER))
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # (its privilege separation folder)
        log = os.path.join(self.scratch, "sshd.log")
        sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-f", config, "-E", log])
        self.addCleanup(sshd.wait, 30)
        self.addCleanup(sshd.terminate)
        self.ssh = ("ssh -p %d -i %s -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=%s"
                    % (self.port, key, os.path.join(self.scratch, "known_hosts")))
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
                break
            except OSError:
                self.assertIsNone(sshd.poll(), open(log).read() if os.path.exists(log) else "sshd ended")
                self.assertLess(time.monotonic(), deadline, "sshd did not listen within 60 s")
                time.sleep(0.1)

    def test_parallel_over_ssh_then_merge_equals_the_local_run(self):
        dataset = os.path.join(self.box.root, "dataset")
        os.mkdir(dataset)
        for name in CAPTURES:
            shutil.copy(self.box.capture(name), os.path.join(dataset, name))
            os.chmod(os.path.join(dataset, name), 0o644)
        os.chmod(dataset, 0o755)
        names = sorted("dataset/" + name for name in CAPTURES)

        # The documented command (README, "Many captures"), run from the folder
        # holding dataset/: each capture copied to the other machine, read
        # there, its CSV brought back to out/ and the copies removed.
        local_home = os.path.join(self.scratch, "local-home")
        os.mkdir(local_home)
        env = dict(os.environ, HOME=local_home, WIRESHARK_PLUGIN_DIR=self.box.plugins,
                   TLSDIST=self.box.front_end)
        command = ["parallel", "--ssh", self.ssh, "--sshlogin", "2/%s@127.0.0.1" % REMOTE_USER,
                   "--env", "WIRESHARK_PLUGIN_DIR", "--env", "TLSDIST",
                   "--workdir", "...", "--transferfile", "{}", "--return", "out/{.}.csv", "--cleanup",
                   'mkdir -p out/{//} && sh "$TLSDIST" --quiet --capture-name {} -o out/{.}.csv {}',
                   ":::"] + names
        done = subprocess.run(command, cwd=self.box.root, env=env, capture_output=True, text=True, timeout=600)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        returned = [os.path.join(self.box.root, "out", os.path.splitext(name)[0] + ".csv") for name in names]
        for path in returned:
            self.assertTrue(os.path.exists(path), path)
        # read on the other machine: the second account logged in, and left no copy behind
        with open(os.path.join(self.scratch, "sshd.log")) as f:
            self.assertIn("Accepted publickey for %s" % REMOTE_USER, f.read())
        leftovers = [os.path.join(folder, name)
                     for folder, _, files in os.walk(os.path.join(self.scratch, "remote-home"))
                     for name in files if name.endswith((".pcap", ".pcapng", ".csv"))]
        self.assertEqual(leftovers, [])
        merged = os.path.join(self.box.root, "merged.csv")
        subprocess.run(["sh", self.box.front_end, "merge", "-o", merged] + returned, check=True)

        local = os.path.join(self.box.home, "local.csv")
        alone = self.box.tlsdist("--each", "-o", local, "dataset")
        self.assertEqual(alone.returncode, 0, alone.stderr)
        with open(merged, newline="") as f, open(local, newline="") as g:
            merged_text, local_text = f.read(), g.read()
        self.assertEqual(merged_text, local_text)
        self.assertEqual(merged_text.count("\r\n") - 1,
                         sum(len(reference(os.path.join(dataset, name))["sessions"]) for name in CAPTURES))


if __name__ == "__main__":
    unittest.main()
