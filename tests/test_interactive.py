"""A whole interactive `copier copy` in a real pseudo-terminal, as a developer meets it."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

pytestmark = pytest.mark.slow
COPIER = str(Path(sys.executable).with_name("copier"))
PROMPT = re.compile(r"🎤\x1b\[0;1m (.*?)\x1b\[0m")
CLEAR_LINE = "\x15"  # Ctrl-U: the prompt is pre-filled with the default


def test_interactive_session_reasks_a_bad_answer_with_the_fix(template_dir, tmp_path):
    dest = tmp_path / "orders-api"
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "NO_COLOR": ""}
    child = pexpect.spawn(COPIER, ["copy", "--trust", str(template_dir), str(dest)], env=env, encoding="utf-8",
                          timeout=30, dimensions=(50, 220))
    seen: list[str] = []
    refused = False
    try:
        while child.expect([PROMPT, pexpect.EOF]) == 0:
            question = child.match.group(1)
            if seen and seen[-1] == question:  # the same prompt drawn again (typing, or an error)
                continue
            seen.append(question)
            if question.startswith("[Project] Name of the function's project"):
                child.send("orders-api\r")
            elif question.startswith("[Function] Memory in MB"):
                child.send(CLEAR_LINE + "64\r")
                child.expect(r"memory_size: 64 MB is outside the limit of 128 to 10240 MB\. Use 128 to 10240 MB\.")
                refused = True
                child.send(CLEAR_LINE + "512\r")
            else:
                child.send("\r")  # accept the default
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert refused
    assert "[Function] Memory in MB, 128 to 10240 (CPU grows with it)" in seen
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert (answers["project_name"], answers["memory_size"], answers["runtime"]) == ("orders-api", 512, "python3.13")
    assert "      MemorySize: 512\n" in (dest / "template.yml").read_text(encoding="utf-8")
