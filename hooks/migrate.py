"""Carry answers forward across template releases: run by `copier update` before it renders.

    python hooks/migrate.py ANSWERS_FILE VERSION_FROM VERSION_TO

Each entry below names the release that made the change. An entry applies when the repo is
updated across that release (VERSION_FROM < release <= VERSION_TO), so updates that skip
releases get every step, in order, and a second update changes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

# (release, old answer name, new answer name)
RENAMED: list[tuple[str, str, str]] = []
# (release, answer name): answers a release dropped.
REMOVED: list[tuple[str, str]] = []
# (release, answer name, {old value: new value}): answers whose values changed meaning.
CHANGED: list[tuple[str, str, dict[Any, Any]]] = []


def _applies(release: str, version_from: Version, version_to: Version) -> bool:
    return version_from < Version(release) <= version_to


def migrate(answers: dict[str, Any], version_from: Version, version_to: Version) -> list[str]:
    """Change `answers` in place; return what was done, in words."""
    done = []
    for release, old, new in RENAMED:
        if _applies(release, version_from, version_to) and old in answers:
            value = answers.pop(old)
            answers.setdefault(new, value)
            done.append(f"answer {old} is now {new} ({release})")
    for release, name in REMOVED:
        if _applies(release, version_from, version_to) and name in answers:
            del answers[name]
            done.append(f"answer {name} was removed ({release})")
    for release, name, values in CHANGED:
        if _applies(release, version_from, version_to) and answers.get(name) in values:
            before = answers[name]
            answers[name] = values[before]
            done.append(f"answer {name}: {before!r} is now {answers[name]!r} ({release})")
    return done


def main(argv: list[str]) -> int:
    path, raw_from, raw_to = Path(argv[0]), argv[1], argv[2]
    try:
        version_from, version_to = Version(raw_from), Version(raw_to)
    except InvalidVersion:
        print(f"migrate: versions {raw_from!r} to {raw_to!r} are not releases; nothing to carry forward.")
        return 0
    answers = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    done = migrate(answers, version_from, version_to)
    if done:
        header = "".join(line + "\n" for line in path.read_text(encoding="utf-8").splitlines()
                         if line.startswith("#"))
        path.write_text(header + yaml.safe_dump(answers, sort_keys=False, allow_unicode=True), encoding="utf-8")
        for line in done:
            print(f"migrate: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
