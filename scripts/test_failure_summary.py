#!/usr/bin/env python3
"""Says why a test run failed, from its output (scripts/run_test_stage.sh calls it).

Prints the failed tests and their issues, and for a crash the crashed thread's frames and the
test they name. CI shows only the end of a run's output; a crash ends with registers and
libraries, which do not say where it happened.

    test_failure_summary.py LOG
"""
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TEST_FRAME = re.compile(r"\b(\w+Tests\.\w+\([\w:]*\))(?: \+ \d+)? in ")
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
        frames = [] if thread is None else lines[thread : thread + MOST_LINES * 2]
        end = next((index for index, line in enumerate(frames) if index > 0 and SECTION.match(line)), len(frames))
        frames = [line for line in frames[:end] if line.strip()]
        for line in frames:
            print("  " + line[:300])
        # The test runner's progress lines are no guide: the crash loses what it had buffered.
        # The crashed thread's frames name the test it ran, if any.
        tests = sorted(set(TEST_FRAME.findall("\n".join(frames))))
        if tests:
            print("the crashed thread was running: " + ", ".join(tests))

    if not failures and crash is None:
        print("no failed test or crash found in the output: see the end of the log above")


if __name__ == "__main__":
    main(sys.argv[1])
