"""Time `copier copy --defaults` of this template against a copier template of one file.

Both run side by side, alternating, through the copier command line as a user
runs it, from local copies without git. Prints the median of each and the ratio.

    .venv/bin/python bench/copy_speed.py [--runs 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_template  # noqa: E402

COPIER = str(Path(sys.executable).with_name("copier"))


def one_file_template(dest: Path) -> Path:
    dest.mkdir(parents=True)
    (dest / "copier.yml").write_text("project_name:\n  type: str\n  default: demo\n", encoding="utf-8")
    (dest / "README.md.jinja").write_text("# {{ project_name }}\n", encoding="utf-8")
    return dest


def time_copy(template: Path, work: Path) -> float:
    dest = work / "out"
    start = time.perf_counter()
    subprocess.run([COPIER, "copy", "--trust", "--defaults", "--quiet", "--data", "project_name=orders-api",
                    str(template), str(dest)], check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    shutil.rmtree(dest)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ours = copy_template(work / "ours")
        minimal = one_file_template(work / "minimal")
        times: dict[str, list[float]] = {"copier-lambda-sam": [], "one-file template": []}
        time_copy(ours, work), time_copy(minimal, work)  # warm the file cache
        for _ in range(args.runs):
            times["copier-lambda-sam"].append(time_copy(ours, work))
            times["one-file template"].append(time_copy(minimal, work))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:<20} median {value * 1000:7.0f} ms over {args.runs} runs")
    print(f"ratio                {medians['copier-lambda-sam'] / medians['one-file template']:.2f}")


if __name__ == "__main__":
    main()
