#!/usr/bin/env python3
"""Asks a shell to complete a command line with zk's completion scripts and prints what it offers,
for the completion tests.

usage: complete_line.py bash|zsh|fish COMPLETIONS_DIRECTORY LINE
zk must be on PATH.
  bash: the completion function is called as bash's programmable completion would (COMP_WORDS split
        at COMP_WORDBREAKS, ':' included...);
        prints the candidates, one per line.
  fish: `complete -C LINE`; prints the candidates, one per line (with their descriptions).
  zsh:  an interactive zsh in a pseudo-terminal with compinit; LINE is typed, then Tab twice;
        prints the line as zsh left it (completed in place, or with the candidates listed).
"""
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time

from pty_session import children


def bash(directory, line):
    script = r'''
source "$1/zk.bash"
COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}
COMP_WORDS=("${@:3}")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_zk zk "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
'''
    return subprocess.run(["bash", "-c", script, "bash", directory, line] + bash_words(line),
                          capture_output=True, text=True)


def bash_words(line):
    """COMP_WORDS as bash's readline makes them: split at white space and at COMP_WORDBREAKS'
    other characters, a run of which is a word of its own (host:port is three words)."""
    breaks = "\"'><=;|&(:"
    words, current = [], ""
    for character in line:
        if character.isspace():
            if current:
                words.append(current)
            current = ""
            continue
        if current and (character in breaks) != (current[-1] in breaks):
            words.append(current)
            current = ""
        current += character
    words.append(current)
    return words


def fish(directory, line):
    script = 'source $argv[1]/zk.fish; complete -C $argv[2]'
    return subprocess.run(["fish", "-c", script, directory, line], capture_output=True, text=True)


def zsh(directory, line):
    home = tempfile.mkdtemp()
    with open(os.path.join(home, ".zshrc"), "w") as rc:
        rc.write("fpath=(%s $fpath)\nautoload -U compinit\ncompinit -u -d %s/.zcompdump\nPS1='> '\n" % (directory, home))
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["ZDOTDIR"] = home
        os.environ["TERM"] = "dumb"
        os.execvp("zsh", ["zsh", "-i"])

    def read_until(done, seconds):
        """What the terminal shows until `done(shown, seconds quiet)` holds, or `seconds` pass."""
        out = b""
        end = time.time() + seconds
        last = time.time()
        while time.time() < end and not done(out, time.time() - last):
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
                last = time.time()
        return out

    def completed(out, quiet):
        """Whether zsh is done with a Tab: it has answered (redrawn the line, listed candidates or
        beeped), runs no command (zk) any more, and has been quiet for a moment. However slowly a
        busy machine runs zk, this waits for it rather than for a fixed time."""
        return out and quiet > 0.3 and not children(pid)

    try:
        read_until(lambda out, _: out.endswith(b"> ") or b"> \x1b[?2004h" in out, 60)
        os.write(fd, line.encode())
        read_until(lambda out, _: line.encode() in out, 60)
        os.write(fd, b"\t")
        screen = read_until(completed, 60)
        os.write(fd, b"\t")
        screen += read_until(completed, 60)
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)
        shutil.rmtree(home, ignore_errors=True)
    text = screen.decode("utf-8", "replace").replace("\x1b[?2004h", "").replace("\x1b[?2004l", "")
    return subprocess.CompletedProcess([], 0, line + text, "")


if __name__ == "__main__":
    shell, directory, line = sys.argv[1:4]
    result = {"bash": bash, "fish": fish, "zsh": zsh}[shell](directory, line)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
