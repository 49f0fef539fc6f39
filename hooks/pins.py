"""Print the generated repo's pinned requirements (facts.PINS) as pip arguments.

`make install` installs them, so this project's tests run the generated repo's
tests with exactly the versions that repo pins.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lambda_rules.facts import PINS  # noqa: E402

if __name__ == "__main__":
    print(" ".join(f"{name}=={version}" for name, version in PINS.items()))
