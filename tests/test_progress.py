"""Progress shows on a terminal, for steps longer than two seconds only; never in a pipe or with -q."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

STEPS = """
import time
from geo_khorasan import progress
shown = progress.on_terminal(quiet={quiet})
with progress.step("quick step", enabled=shown):
    time.sleep(0.2)
with progress.step("slow step", enabled=shown):
    time.sleep(2.6)
for _ in progress.bar(range(3), enabled=shown, desc="quick bar", unit="doc"):
    pass
print("done")
"""


def _on_a_terminal(code: str) -> str:
    """What a terminal of 100 columns shows while ``code`` runs."""
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child: its standard streams are the terminal
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        os.chdir(REPO)
        os.execv(sys.executable, [sys.executable, "-c", code])
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child has ended
            break
        if not chunk:
            break
        seen += chunk
    os.waitpid(pid, 0)
    return seen.decode("utf-8", "replace")


def test_a_slow_step_shows_its_clock_on_a_terminal_and_quick_ones_nothing():
    seen = _on_a_terminal(STEPS.format(quiet=False))
    assert "slow step: 00:02" in seen
    assert "quick" not in seen and "done" in seen


def test_no_progress_with_q_or_in_a_pipe():
    assert "slow step" not in _on_a_terminal(STEPS.format(quiet=True))
    piped = subprocess.run([sys.executable, "-c", STEPS.format(quiet=False)], cwd=REPO, capture_output=True, text=True)
    assert (piped.stdout, piped.stderr) == ("done\n", "")
