#!/usr/bin/env python3
"""Drives `zk --embedded` through a pseudo-terminal, as a person would, and prints what the
screen showed after each step as JSON: {"step": text, ...}.

usage: pty_session.py ZK_BINARY HOME_DIRECTORY
"""
import json
import os
import pty
import select
import sys
import time


def main(binary, home):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["HOME"] = home
        os.environ["TERM"] = "xterm"
        os.environ.pop("ZK_SERVER", None)
        os.execv(binary, [binary, "--embedded"])

    def read(seconds=0.7):
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

    def send(keys, seconds=0.7):
        os.write(fd, keys.encode())
        return read(seconds)

    screens = {"start": read(3)}
    screens["create"] = send("create /config hello\r")
    send("create /config/database-url jdbc\r")
    # Tab completes a path only the server knows: "/config/da" -> "/config/database-url".
    screens["complete"] = send("get /config/da\t")
    screens["completed-get"] = send("\r")
    # Tab on the first word completes command names.
    screens["complete-command"] = send("getEph\t")
    send("\x15")  # Ctrl-U: clear the line
    screens["cd"] = send("cd /config\r")
    screens["relative"] = send("get database-url\r")
    # Up arrow recalls the previous line.
    screens["history-recall"] = send("\x1b[A")
    send("\x15")
    screens["typo"] = send("lss\r")
    # A watch set with -w is announced when it fires.
    send("get -w /config\r")
    screens["watch-fired"] = send("set /config changed\r")
    # Ctrl-R searches the history: "database" finds "get database-url", Enter runs it.
    send("\x12")
    send("database")
    screens["history-search"] = send("\r")
    # redo 1 runs the first history entry ("create /config hello") again: the node exists now.
    screens["redo"] = send("redo 1\r")
    screens["quit"] = send("quit\r", 2)
    os.waitpid(pid, 0)
    print(json.dumps(screens))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
