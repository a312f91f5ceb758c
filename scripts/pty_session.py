#!/usr/bin/env python3
"""Drives the zk shell through a pseudo-terminal, as a person would, and prints what the
screen showed after each step as JSON: {"step": text, ...}.

usage: pty_session.py ZK_BINARY HOME_DIRECTORY [tour|events]
  tour    (the default) `zk --embedded`: typing, completion, history, watches.
  events  `zk serve` in a child process and the shell connected to it: a watch event and the
          loss and return of the server arrive while a line is half typed.
"""
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import termios
import time


class Terminal:
    """The shell on the other side of a pseudo-terminal."""

    def __init__(self, binary, home, arguments):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["HOME"] = home
            os.environ["TERM"] = "xterm"
            os.environ.pop("ZK_SERVER", None)
            os.execv(binary, [binary] + arguments)

    def read(self, seconds=0.7):
        fd = self.fd
        out = b""
        end = time.time() + seconds
        while time.time() < end:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        return out.decode("utf-8", "replace")

    def send(self, keys, seconds=0.7):
        os.write(self.fd, keys.encode())
        return self.read(seconds)

    def expect(self, text, seconds=60):
        """What the screen shows until `text` appears, the shell ends, or `seconds` pass."""
        out = ""
        end = time.time() + seconds
        while text not in out and time.time() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk.decode("utf-8", "replace")
        return out

    def type(self, keys, text, seconds=60, editing=True):
        """Types `keys` (nothing once the shell has ended); returns the screen until `text` appears.
        With `editing`, first waits until the line editor reads the terminal: keys typed before,
        while the terminal still echoes them itself, would show twice."""
        end = time.time() + seconds
        while editing and time.time() < end:
            try:
                if not termios.tcgetattr(self.fd)[3] & termios.ECHO:
                    break
            except termios.error:
                return ""
            time.sleep(0.01)
        try:
            os.write(self.fd, keys.encode())
        except OSError:
            return ""
        return self.expect(text, seconds)

    def wait(self):
        os.waitpid(self.pid, 0)

    def status(self, seconds=60):
        """The shell's exit status once it ends (128 + N for signal N), or None if it goes on."""
        end = time.time() + seconds
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
            self.read(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        return None


def tour(binary, home):
    shell = Terminal(binary, home, ["--embedded"])
    # Each step waits (generously) for what ends its output, not for a fixed time: on a loaded
    # machine the shell may answer late. Keys that only edit the line are just typed.
    step = shell.type
    prompt, config_prompt = "CONNECTED] /> ", "CONNECTED] /config> "

    def keys(text):
        os.write(shell.fd, text.encode())

    screens = {"start": shell.expect(prompt)}
    screens["create"] = step("create /config hello\r", prompt)
    step("create /config/database-url jdbc\r", prompt)
    # Tab completes a path only the server knows: "/config/da" -> "/config/database-url".
    screens["complete"] = step("get /config/da\t", "tabase-url")
    screens["completed-get"] = step("\r", prompt)
    # Tab on the first word completes command names.
    screens["complete-command"] = step("getEph\t", "emerals")
    keys("\x15")  # Ctrl-U: clear the line
    # After the command, Tab completes its flags, and the values of an option that has a set.
    screens["complete-flag"] = step("ls --js\t", "on")
    keys("\x15")
    screens["complete-value"] = step("addWatch -m PERSISTENT_R\t", "ECURSIVE")
    keys("\x15")
    screens["cd"] = step("cd /config\r", config_prompt)
    screens["relative"] = step("get database-url\r", config_prompt)
    # Up arrow recalls the previous line.
    screens["history-recall"] = step("\x1b[A", "get database-url")
    keys("\x15")
    screens["typo"] = step("lss\r", config_prompt)
    # A watch set with -w is announced when it fires.
    step("get -w /config\r", config_prompt)
    screens["watch-fired"] = step("set /config changed\r", "NodeDataChanged /config")
    # The prompt is drawn again after the announcement: type on once it is (it may have come in
    # the same read as the announcement).
    if config_prompt not in screens["watch-fired"].split("NodeDataChanged /config", 1)[1]:
        screens["watch-fired"] += shell.expect(config_prompt)
    # Ctrl-R searches the history: "database" finds "get database-url", Enter runs it.
    # (Each key once the shell has shown what the one before did: libedit's search reads them
    # one by one.)
    step("\x12", "bck:")
    step("database", "get database-url")
    screens["history-search"] = step("\r", "jdbc")
    # redo 1 runs the first history entry ("create /config hello") again: the node exists now.
    screens["redo"] = step("redo 1\r", "NodeExists")
    # ';' separates commands on a line, except quoted.
    screens["semicolon"] = step("create /semi 'a;b'; get /semi\r", "a;b\r\n")
    # history numbers are right-aligned.
    screens["history"] = step("history\r", "  history\r\n")
    screens["quit"] = step("quit\r", "\n")
    shell.wait()
    return screens


def children(pid):
    """The process IDs of `pid`'s children (threads and children that end meanwhile are skipped)."""
    found = []
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return found
    for task in tasks:
        try:
            with open("/proc/%d/task/%s/children" % (pid, task)) as listed:
                found += [int(child) for child in listed.read().split()]
        except OSError:
            pass
    return found


def serve(binary, port=0, options=()):
    """A `zk serve` on `port` (a free one with 0), once it serves; returns it and its port.

    Its log says which port it bound: a port merely accepting connections might be another
    server's, one that took the port first (then this one fails, and says so)."""
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen(
        [binary, "serve", "--port", str(port)] + list(options), stdout=subprocess.DEVNULL, stderr=log
    )
    end = time.time() + 60
    while time.time() < end:
        log.seek(0)
        text = log.read()
        served = re.search(r"address=127\.0\.0\.1:(\d+) \[ZooKeeperServer\] serving", text)
        if served:
            return server, int(served.group(1))
        if server.poll() is not None:
            raise RuntimeError("zk serve --port %d ended: %s" % (port, text.strip()))
        time.sleep(0.05)
    server.kill()
    raise RuntimeError("zk serve --port %d did not serve within a minute" % port)


def events(binary, home):
    server, port = serve(binary)
    address = "127.0.0.1:%d" % port
    shell = Terminal(binary, home, ["--server", address, "--timeout", "4"])
    # Each screen is read until what ends it shows (generously), not for a fixed time.
    prompt = "CONNECTED] /> "
    try:
        screens = {"start": shell.expect(prompt)}
        shell.type("create /app v1\r", prompt)
        shell.type("get -w /app\r", prompt)
        # Half a line typed, then another client changes the watched node.
        shell.type("get /ap", "get /ap")
        subprocess.run([binary, "--server", address, "set", "/app", "v2"], check=True)
        screens["watch-event"] = shell.expect(prompt + "get /ap")
        screens["finished-line"] = shell.type("p\r", "v2\r\n")
        # The server goes away while a line is half typed, then comes back (a new server: the
        # old session is unknown there, so it expires and the shell starts a new one).
        shell.type("ls /", "ls /")
        server.send_signal(signal.SIGKILL)
        server.wait()
        screens["server-lost"] = shell.expect("SUSPENDED] /> ls /")
        server, _ = serve(binary, port)
        screens["server-back"] = shell.expect(prompt + "ls /")
        screens["after-return"] = shell.type("\r", "[zookeeper]")
        screens["quit"] = shell.type("quit\r", "", editing=False)
        shell.wait()
        return screens
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    scenario = sys.argv[3] if len(sys.argv) > 3 else "tour"
    print(json.dumps({"tour": tour, "events": events}[scenario](sys.argv[1], sys.argv[2])))
