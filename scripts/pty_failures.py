#!/usr/bin/env python3
"""Drives the zk shell through a pseudo-terminal when things fail: no server, a server that
stops, Ctrl-C and Ctrl-D. Prints what the screen showed after each step as JSON,
{"step": text, ...}; "status" is the shell's exit status, "*-seconds" how long a step took.

usage: pty_failures.py ZK_BINARY HOME_DIRECTORY SCENARIO
  no-server     the shell starts while nothing listens on its port, then `zk serve` starts there.
  server-stops  `zk serve` stops under the shell, and comes back.
  interrupts    Ctrl-C at a half-typed line, during `watch`, `queue take` and a command run under
                `lock`.
  end-of-input  Ctrl-D at an empty prompt.

Every step waits for what it expects (at most a minute), never for a fixed time: the shell is
never told to hurry, however loaded the machine is.
"""
import json
import os
import socket
import subprocess
import sys
import time

from pty_session import Terminal, children, serve

PROMPT = "] /> "
# The scenarios read the server's watches (4lw wchp).
WHITELIST = ["--4lw-whitelist", "*"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(server):
    server.kill()
    server.wait()


def timed(screens, name, step):
    """Runs `step`, keeping its screen as `name` and its duration as `name-seconds`."""
    start = time.time()
    screens[name] = step()
    screens[name + "-seconds"] = "%.2f" % (time.time() - start)


def await_watch(binary, address, path):
    """Returns once the server lists a watch on `path` (the command watching it is running)."""
    end = time.time() + 60
    while time.time() < end:
        listed = subprocess.run([binary, "--server", address, "4lw", "wchp"], capture_output=True, text=True)
        if path in listed.stdout.split("\n"):
            return
        time.sleep(0.1)


def await_watch_count(binary, address, count):
    """Returns once the server holds `count` watches (mntr's zk_watch_count, which counts
    children watches, as Apache ZooKeeper's does; wchp lists none of those)."""
    end = time.time() + 60
    while time.time() < end:
        listed = subprocess.run([binary, "--server", address, "4lw", "mntr"], capture_output=True, text=True)
        if "zk_watch_count\t%d" % count in listed.stdout.split("\n"):
            return
        time.sleep(0.1)


def await_no_watch(binary, address, path):
    """Whether the server's watch on `path` goes (at most a minute: the shell removes it when the
    command watching it is cancelled)."""
    end = time.time() + 60
    while time.time() < end:
        listed = subprocess.run([binary, "--server", address, "4lw", "wchp"], capture_output=True, text=True)
        if path not in listed.stdout.split("\n"):
            return True
        time.sleep(0.1)
    return False


def await_child(pid, name):
    """Returns once a descendant of process `pid` runs `name` (after its exec): zk runs a command
    under a lock through a guard process of its own."""
    end = time.time() + 60
    while time.time() < end:
        waiting = children(pid)
        while waiting:
            child = waiting.pop()
            try:
                with open("/proc/%d/comm" % child) as comm:
                    if comm.read().strip() == name:
                        return
            except OSError:
                continue
            waiting += children(child)
        time.sleep(0.05)


def no_server(binary, home):
    port = free_port()
    address = "127.0.0.1:%d" % port
    shell = Terminal(binary, home, ["--server", address, "--connect-timeout", "1"])
    server = None
    try:
        screens = {"start": shell.expect("CONNECTING" + PROMPT)}
        # A command waits for a server at most the connect timeout, then fails in one line.
        timed(screens, "ls", lambda: shell.type("ls /\r", PROMPT))
        server, _ = serve(binary, port, WHITELIST)
        screens["connected"] = shell.expect("CONNECTED" + PROMPT)
        screens["ls-after"] = shell.type("ls /\r", PROMPT)
        shell.type("quit\r", "")
        screens["status"] = str(shell.status())
        return screens
    finally:
        if server:
            stop(server)


def server_stops(binary, home):
    server, port = serve(binary, options=WHITELIST)
    address = "127.0.0.1:%d" % port
    shell = Terminal(binary, home, ["--server", address, "--connect-timeout", "2"])
    try:
        screens = {"start": shell.expect("CONNECTED" + PROMPT)}
        stop(server)
        screens["lost"] = shell.expect("SUSPENDED" + PROMPT)
        timed(screens, "ls", lambda: shell.type("ls /\r", PROMPT))
        screens["pwd"] = shell.type("pwd\r", PROMPT)
        # A new server: the old session is unknown there, so the shell starts a new one.
        server, _ = serve(binary, port, WHITELIST)
        screens["back"] = shell.expect("CONNECTED" + PROMPT)
        screens["ls-after"] = shell.type("ls /\r", PROMPT)
        shell.type("quit\r", "")
        screens["status"] = str(shell.status())
        return screens
    finally:
        stop(server)


def interrupts(binary, home):
    server, port = serve(binary, options=WHITELIST)
    address = "127.0.0.1:%d" % port
    shell = Terminal(binary, home, ["--server", address])
    try:
        screens = {"start": shell.expect("CONNECTED" + PROMPT)}
        shell.type("get /nothing", "get /nothing")
        screens["half-line"] = shell.type("\x03", PROMPT)
        screens["after-half-line"] = shell.type("pwd\r", PROMPT)

        shell.type("create /w\r", PROMPT)
        # Ctrl-C drops the rest of the line too: the create after the watch does not run.
        shell.type("watch /w; create /after-watch\r", "watch /w")
        await_watch(binary, address, "/w")
        screens["watch"] = shell.type("\x03", PROMPT, editing=False)
        screens["watch-removed"] = str(await_no_watch(binary, address, "/w"))
        screens["rest-of-line"] = shell.type("ls /\r", PROMPT)

        shell.type("queue take /jobs\r", "queue take /jobs")
        # take waits with a children watch on /jobs (the watch of /w is gone).
        await_watch_count(binary, address, 1)
        screens["take"] = shell.type("\x03", PROMPT, editing=False)
        shell.type("queue put /jobs item\r", PROMPT)
        screens["take-after"] = shell.type("queue take /jobs\r", PROMPT)

        # The command run under the lock has the Ctrl-C (it shares the terminal) and ends; the
        # lock is released, so it can be taken again at once.
        shell.type("lock /l -- sleep 60\r", "sleep 60")
        await_child(shell.pid, "sleep")
        screens["lock"] = shell.type("\x03", PROMPT, editing=False)
        screens["lock-after"] = shell.type("lock /l -- echo again\r", PROMPT)
        shell.type("quit\r", "")
        screens["status"] = str(shell.status())
        return screens
    finally:
        stop(server)


def end_of_input(binary, home):
    shell = Terminal(binary, home, ["--embedded"])
    screens = {"start": shell.expect("CONNECTED" + PROMPT)}
    screens["ctrl-d"] = shell.type("\x04", "\n")
    screens["status"] = str(shell.status())
    return screens


if __name__ == "__main__":
    scenarios = {
        "no-server": no_server,
        "server-stops": server_stops,
        "interrupts": interrupts,
        "end-of-input": end_of_input,
    }
    print(json.dumps(scenarios[sys.argv[3]](sys.argv[1], sys.argv[2])))
