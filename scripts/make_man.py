#!/usr/bin/env python3
"""Writes zk's man page: man/zk.1.in (the hand-written sections) with its @OPTIONS@ and @COMMANDS@
lines replaced by every option and command as `zk --experimental-dump-help` describes them, so the
page cannot drift from the argument definitions.

usage: make_man.py ZK_BINARY TEMPLATE OUTPUT      (make man: man/zk.1.in -> man/zk.1)
"""
import json
import subprocess
import sys
import textwrap


def roff(text):
    """Text for a roff line: backslashes, hyphens and leading control characters escaped."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def paragraphs(text):
    """Discussion text as roff paragraphs (blank lines separate them)."""
    out = []
    for block in text.split("\n\n"):
        lines = [roff(line.strip()) for line in block.strip().split("\n") if line.strip()]
        if lines:
            out += [".PP"] + lines
    return out


def flag_names(argument):
    names = []
    for name in argument.get("names", []):
        dashes = "--" if name["kind"] == "long" else "-"
        names.append("\\fB" + roff(dashes + name["name"]) + "\\fR")
    return names


def usage_item(argument):
    value = "\\fI" + roff(argument.get("valueName", "value")) + "\\fR"
    if argument["kind"] == "positional":
        item = value + ("..." if argument.get("isRepeating") else "")
        if argument.get("parsingStrategy") == "postTerminator":
            item = "\\fB\\-\\-\\fR " + item
        return "[" + item + "]" if argument.get("isOptional") else item
    name = flag_names(argument)[0]
    item = name if argument["kind"] == "flag" else name + " " + value
    return "[" + item + "]" + ("..." if argument.get("isRepeating") else "")


def describe(argument):
    """An option or argument as a tagged paragraph."""
    value = " \\fI" + roff(argument.get("valueName", "value")) + "\\fR"
    if argument["kind"] == "positional":
        tag = "\\fI" + roff(argument.get("valueName", "value")) + "\\fR"
    else:
        tag = ", ".join(n + (value if argument["kind"] == "option" else "") for n in flag_names(argument))
    text = argument.get("abstract", "")
    if argument.get("allValues"):
        text += " One of: " + ", ".join(argument["allValues"]) + "."
    if "defaultValue" in argument and argument["kind"] == "option":
        text += " Default: " + argument["defaultValue"] + "."
    return [".TP", tag, roff(text)]


def visible(arguments):
    return [a for a in arguments if a.get("shouldDisplay", True) and a.get("names", [{}])[0].get("name") != "help"]


def main():
    binary, template, output = sys.argv[1:4]
    root = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True, capture_output=True).stdout)
    root = root["command"]
    root_options = visible(root.get("arguments", []))
    shared = {json.dumps(a["names"], sort_keys=True) for a in root_options}

    options = []
    for argument in root_options:
        options += describe(argument)

    commands = []
    # A command group (zk snapshot) is listed with its commands after it, each as "group command".
    listed = []
    for command in root["subcommands"]:
        listed.append((command, command["commandName"]))
        for sub in command.get("subcommands", []):
            if sub["commandName"] != "help":
                listed.append((sub, command["commandName"] + " " + sub["commandName"]))
    for command, name in listed:
        if command.get("shouldDisplay") is False:
            continue
        own = [a for a in visible(command.get("arguments", [])) if json.dumps(a.get("names"), sort_keys=True) not in shared
               or a["kind"] == "positional"]
        synopsis = " ".join(["\\fBzk\\fR", "[\\fIoptions\\fR]", "\\fB" + roff(name) + "\\fR"]
                            + [usage_item(a) for a in own])
        commands += [".SS " + roff(name), synopsis, ".br", roff(command.get("abstract", ""))]
        if command.get("aliases"):
            commands += ["Also called " + ", ".join("\\fB" + roff(a) + "\\fR" for a in command["aliases"]) + "."]
        if command.get("discussion"):
            commands += paragraphs(command["discussion"])
        if own:
            commands += [".RS"] + sum((describe(a) for a in own), []) + [".RE"]

    lines = []
    with open(template) as source:
        for line in source.read().split("\n"):
            if line == "@OPTIONS@":
                lines += options
            elif line == "@COMMANDS@":
                lines += commands
            else:
                lines.append(line)
    with open(output, "w") as out:
        out.write("\n".join(wrapped(lines)) + "\n")


def wrapped(lines):
    """Text lines folded at 80 columns (mandoc's style), leaving requests, examples and tables."""
    out, verbatim = [], False
    for line in lines:
        if line.startswith((".EX", ".TS")):
            verbatim = True
        elif line.startswith((".EE", ".TE")):
            verbatim = False
        if verbatim or line.startswith((".", "'")) or len(line) <= 80:
            out.append(line)
            continue
        for part in textwrap.wrap(line, width=80, break_long_words=False, break_on_hyphens=False):
            out.append("\\&" + part if part.startswith((".", "'")) else part)
    return out


if __name__ == "__main__":
    main()
