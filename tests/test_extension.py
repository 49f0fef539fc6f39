"""hooks/extension.py: the compile cache that makes copies fast must never change what is rendered."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_copy


def tree(repo: Path) -> dict[str, bytes]:
    return {str(p.relative_to(repo)): p.read_bytes() for p in sorted(repo.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(repo).parts}


@pytest.mark.slow
def test_compile_cache_cold_warm_corrupt_or_off_renders_the_same_repo(template_dir, tmp_path, monkeypatch):
    answers = {"project_name": "orders-api", "runtime": "nodejs22.x", "dependencies_layer": True,
               "env_vars": {"TABLE": "orders"}}
    cache = tmp_path / "cache"
    monkeypatch.setenv("COPIER_LAMBDA_SAM_CACHE", str(cache))
    cold = tree(run_copy(template_dir, tmp_path / "cold", answers))
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert len(entries) > 50  # file templates, path parts, helps, defaults and validators
    warm = tree(run_copy(template_dir, tmp_path / "warm", answers))
    for entry in entries:
        entry.write_bytes(b"not a code object")
    corrupt = tree(run_copy(template_dir, tmp_path / "corrupt", answers))
    monkeypatch.setenv("COPIER_LAMBDA_SAM_CACHE", "off")
    off = tree(run_copy(template_dir, tmp_path / "off", answers))
    answers_file = ".copier-answers.yml"
    assert cold == warm == corrupt == off, [p for p in cold if p != answers_file and cold[p] != off.get(p)]
