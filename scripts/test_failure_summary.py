#!/usr/bin/env python3
"""Says why a test run failed, from its output (scripts/run_test_stage.sh calls it).

Prints the failed tests and their issues, and for a crash the crashed thread's frames and the
tests that had started and not ended (one of them crashed). CI shows only the end of a run's
output; a crash ends with registers and libraries, which do not say where it happened.

    test_failure_summary.py LOG
"""
import collections
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
STARTED = re.compile(r"^◇ Test (?!case )(.+) started\.$")
ENDED = re.compile(r"^[✔✘] Test (?!case )(.+?)(?: with \d+ test cases?)? (?:passed|failed) after ")
SKIPPED = re.compile(r"^➜ Test (.+) skipped")
CRASHED = re.compile(r"Program crashed")
FATAL = re.compile(r"Fatal error|Precondition failed|Assertion failed")
CRASHED_THREAD = re.compile(r"^Thread \d+.* crashed:")
SECTION = re.compile(r"^(Thread \d+|Registers:|Images)")
MOST_LINES = 40


def main(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        lines = [ANSI.sub("", line.rstrip("\n")) for line in log]

    failures = [line for line in lines if line.startswith("✘")]
    if failures:
        print(f"failed ({len(failures)} lines with ✘):")
        for line in failures[:MOST_LINES]:
            print("  " + line[:300])
        if len(failures) > MOST_LINES:
            print(f"  ... and {len(failures) - MOST_LINES} more")

    crash = next((index for index, line in enumerate(lines) if CRASHED.search(line)), None)
    if crash is not None:
        print("crash:")
        for line in lines[:crash]:
            if FATAL.search(line):
                print("  " + line[:300])
        print("  " + lines[crash])
        thread = next((index for index in range(crash, len(lines)) if CRASHED_THREAD.match(lines[index])), None)
        if thread is not None:
            frames = lines[thread : thread + MOST_LINES * 2]
            end = next((index for index, line in enumerate(frames) if index > 0 and SECTION.match(line)), len(frames))
            for line in frames[:end]:
                if line.strip():
                    print("  " + line[:300])
        running = collections.Counter()
        for line in lines[:crash]:
            if match := STARTED.match(line):
                running[match.group(1)] += 1
            elif match := ENDED.match(line) or SKIPPED.match(line):
                running[match.group(1)] -= 1
        unfinished = sorted(name for name, count in running.items() if count > 0)
        print(f"tests running when it crashed ({len(unfinished)}):")
        for name in unfinished:
            print("  " + name)

    if not failures and crash is None:
        print("no failed test or crash found in the output: see the end of the log above")


if __name__ == "__main__":
    main(sys.argv[1])
