"""Copy and update times of this template, side by side in one run, as ratios.

    .venv/bin/python bench/copy_speed.py [--runs 15]

Three comparisons, each alternating its two commands run after run (so a busy machine slows
both alike), through the copier command line as a user runs it:

1. `copier copy --defaults` of this template against a copier template of one file, both from
   local folders: the cost of this template's questions, checks and files. Goal: at most 1.25.
2. The same copy with an empty compile cache each run (COPIER_LAMBDA_SAM_CACHE pointed at a new
   folder): what a first copy on a machine costs, against the warm cache of 1.
3. `copier update --defaults` of a generated repo from release v1 to v2 against `copier copy` of
   v2, both from a git copy of this template with those two tags.
4. For scale: a template of 30 one-line files (as many as a generated repo has) and one question
   against the one-file template: what copier itself spends per file, whatever the template.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_template  # noqa: E402

COPIER = str(Path(sys.executable).with_name("copier"))
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    subprocess.run(args, cwd=cwd, env=env or GIT_ENV, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def one_file_template(dest: Path) -> Path:
    dest.mkdir(parents=True)
    (dest / "copier.yml").write_text("project_name:\n  type: str\n  default: demo\n", encoding="utf-8")
    (dest / "README.md.jinja").write_text("# {{ project_name }}\n", encoding="utf-8")
    return dest


def many_files_template(dest: Path, count: int = 30) -> Path:
    one_file_template(dest)
    for index in range(count - 1):
        (dest / f"file{index}.txt.jinja").write_text(f"{{{{ project_name }}}} {index}\n", encoding="utf-8")
    return dest


def copy(template: Path, dest: Path, env: dict[str, str] | None = None) -> Callable[[], None]:
    def action() -> None:
        shutil.rmtree(dest, ignore_errors=True)
        run(COPIER, "copy", "--trust", "--defaults", "--quiet", "--data", "project_name=orders-api",
            str(template), str(dest), env=env)
    return action


def tagged_template(dest: Path) -> Path:
    """This template as a git repository with releases v1.0.0 and v2.0.0 (v2 changes the buildspec)."""
    template = copy_template(dest)
    run("git", "init", "--quiet", "--initial-branch=main", cwd=template)
    run("git", "add", "-A", cwd=template)
    run("git", "commit", "--quiet", "-m", "v1", cwd=template)
    run("git", "tag", "v1.0.0", cwd=template)
    buildspec = template / "template" / "buildspec.yml.jinja"
    buildspec.write_text("# Release 2.\n" + buildspec.read_text(encoding="utf-8"), encoding="utf-8")
    run("git", "commit", "--quiet", "-am", "v2", cwd=template)
    run("git", "tag", "v2.0.0", cwd=template)
    return template


def compare(name_a: str, a: Callable[[], None], name_b: str, b: Callable[[], None], runs: int) -> None:
    a(), b()  # warm the file cache
    times: dict[str, list[float]] = {name_a: [], name_b: []}
    for _ in range(runs):
        times[name_a].append(timed(a))
        times[name_b].append(timed(b))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"  {name:<34} median {value * 1000:6.0f} ms over {runs} runs")
    print(f"  ratio {medians[name_a] / medians[name_b]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ours, minimal = copy_template(work / "ours"), one_file_template(work / "minimal")
        print("1. copy --defaults: this template / a one-file template (goal <= 1.25)")
        compare("copier-lambda-sam", copy(ours, work / "out-a"), "one-file template", copy(minimal, work / "out-b"),
                args.runs)

        caches = iter(range(10**6))

        def cold() -> None:
            env = {**os.environ, "COPIER_LAMBDA_SAM_CACHE": str(work / "caches" / str(next(caches)))}
            copy(ours, work / "out-c", env)()

        print("2. first copy on a machine (empty compile cache) / a later copy")
        compare("copier-lambda-sam, cold cache", cold, "copier-lambda-sam, warm cache", copy(ours, work / "out-d"),
                args.runs)

        template = tagged_template(work / "tagged")
        repo = work / "repo"
        run(COPIER, "copy", "--trust", "--defaults", "--quiet", "--vcs-ref", "v1.0.0", "--data",
            "project_name=orders-api", str(template), str(repo))
        run("git", "add", "-A", cwd=repo)
        run("git", "commit", "--quiet", "-m", "generated at v1", cwd=repo)

        def update() -> None:
            run("git", "reset", "--quiet", "--hard", cwd=repo)
            run("git", "clean", "-q", "-fd", cwd=repo)
            run(COPIER, "update", "--trust", "--defaults", "--quiet", cwd=repo)

        print("3. update v1 -> v2 of a generated repo / copy of v2 (both from git)")
        compare("copier update", update, "copier copy", copy(template, work / "out-e"), args.runs)

        print("4. for scale: a template of 30 one-line files / the one-file template")
        compare("30-file template", copy(many_files_template(work / "many"), work / "out-f"),
                "one-file template", copy(minimal, work / "out-g"), args.runs)


if __name__ == "__main__":
    main()
