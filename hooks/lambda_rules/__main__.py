"""python -m lambda_rules [template.yml] [samconfig.toml]: exit 0 when every Lambda rule holds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .repo_check import check_repo
from .rules import ERROR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lambda_rules", description=__doc__)
    parser.add_argument("template", nargs="?", default="template.yml", type=Path)
    parser.add_argument("samconfig", nargs="?", default="samconfig.toml", type=Path)
    args = parser.parse_args(argv)
    problems = check_repo(args.template, args.samconfig)
    for problem in problems:
        print(f"{problem.severity}: {problem}", file=sys.stderr if problem.severity == ERROR else sys.stdout)
    failed = sum(p.severity == ERROR for p in problems)
    print(f"Lambda limits: {failed} error(s), {len(problems) - failed} warning(s).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
