"""hooks/extension.py: what makes copies fast (compile cache, one git config read) never changes the result."""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, copier_cli, copy_template


def tree(repo: Path) -> dict[str, bytes]:
    return {str(p.relative_to(repo)): p.read_bytes() for p in sorted(repo.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(repo).parts}


ANSWERS = ["--data", "project_name=orders-api", "--data", "runtime=nodejs22.x", "--data", "dependencies_layer=true",
           "--data", "env_vars={TABLE: orders}"]


def copy_with_cache(template: Path, dest: Path, cache: str) -> dict[str, bytes]:
    """`copier copy` as a user runs it: the compiled templates are saved when the process ends."""
    env = {**os.environ, "COPIER_LAMBDA_SAM_CACHE": cache}
    copy_ok("copy", "--trust", "--defaults", "--quiet", *ANSWERS, str(template), str(dest), env=env)
    return tree(dest)


def pack_entries(path: Path) -> dict[str, tuple[int, object]]:
    return marshal.loads(path.read_bytes())["entries"]


@pytest.mark.slow
def test_compile_cache_cold_warm_corrupt_or_off_renders_the_same_repo(template_dir, tmp_path):
    cache = tmp_path / "cache"
    cold = copy_with_cache(template_dir, tmp_path / "cold", str(cache))
    [pack] = [p for p in cache.rglob("*") if p.is_file()]  # one file, whatever the number of templates
    assert len(pack_entries(pack)) > 50  # file templates, path parts, helps, defaults and validators
    saved = pack.stat().st_mtime_ns
    warm = copy_with_cache(template_dir, tmp_path / "warm", str(cache))
    assert pack.stat().st_mtime_ns == saved  # nothing new compiled: not rewritten
    pack.write_bytes(b"not a code object")
    corrupt = copy_with_cache(template_dir, tmp_path / "corrupt", str(cache))
    off = copy_with_cache(template_dir, tmp_path / "off", "off")
    answers_file = ".copier-answers.yml"
    assert cold == warm == corrupt == off, [p for p in cold if p != answers_file and cold[p] != off.get(p)]


@pytest.mark.slow
def test_compile_cache_keeps_the_templates_of_recent_releases_only(template_dir, tmp_path):
    """Each release compiles new templates; those no run has used for 8 releases are dropped."""
    cache = tmp_path / "cache"
    copy_with_cache(template_dir, tmp_path / "first", str(cache))
    first = set(pack_entries(cache / "compiled.marshal"))
    sizes = []
    for release in range(1, 11):
        template = copy_template(tmp_path / f"release{release}")
        readme = template / "template" / "README.md.jinja"
        readme.write_text(f"Release {release}.\n" + readme.read_text(encoding="utf-8"), encoding="utf-8")
        copy_with_cache(template, tmp_path / f"out{release}", str(cache))
        sizes.append(len(pack_entries(cache / "compiled.marshal")))
    entries = set(pack_entries(cache / "compiled.marshal"))
    assert first - entries  # the first release's README, unused since, is gone
    assert sizes[-1] == sizes[-2] < len(first) + 9  # every other template shared; 8 READMEs kept at most


REAL_GIT = shutil.which("git")


def logging_git(folder: Path) -> tuple[dict[str, str], Path]:
    """A `git` first on PATH that logs its arguments, then runs the real one."""
    log = folder / "git.log"
    script = folder / "bin" / "git"
    script.parent.mkdir(parents=True)
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{REAL_GIT}" "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{script.parent}{os.pathsep}{os.environ['PATH']}"}, log


def copy_ok(*args: str, env: dict[str, str] | None = None) -> None:
    run = copier_cli(*args, env=env)
    assert run.returncode == 0, run.stderr


def git(repo: Path, *args: str) -> str:
    return subprocess.run([REAL_GIT, "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def test_a_copy_asks_git_for_core_filemode_once_not_once_per_file(template_dir, tmp_path):
    env, log = logging_git(tmp_path)
    copy_ok("copy", "--trust", "--defaults", "--quiet", "--data", "project_name=orders-api", str(template_dir),
               str(tmp_path / "repo"), env=env)
    calls = log.read_text(encoding="utf-8").splitlines()
    written = [p for p in (tmp_path / "repo").rglob("*") if p.is_file() and ".git" not in p.parts]
    assert len(written) > 20
    assert calls.count("config --type=bool --get core.fileMode") == 1, calls


@pytest.mark.parametrize(("file_mode", "index_mode"), [("false", "100755"), ("true", "100644")],
                         ids=["fileMode-false-index-follows-template", "fileMode-true-left-to-git-add"])
def test_executable_bit_still_reaches_the_git_index_as_copier_does_it(tmp_path, file_mode, index_mode):
    """Reading core.fileMode once must not change what copier does with the executable bit."""
    template = tmp_path / "template"
    (template / "template").mkdir(parents=True)
    shutil.copytree(ROOT / "hooks", template / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    config = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    (template / "copier.yml").write_text(yaml.safe_dump({
        "_subdirectory": "template", "_jinja_extensions": config["_jinja_extensions"],
        "name": {"type": "str", "default": "demo"}}), encoding="utf-8")
    (template / "template" / "README.md.jinja").write_text("# {{ name }}\n", encoding="utf-8")
    script = template / "template" / "run.sh"
    script.write_text("#!/bin/sh\necho run\n", encoding="utf-8")
    script.chmod(0o755)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "run.sh").write_text("#!/bin/sh\necho run\n", encoding="utf-8")
    git(repo, "init", "--quiet")
    git(repo, "config", "core.fileMode", file_mode)
    git(repo, "add", "run.sh")
    assert git(repo, "ls-files", "--stage", "run.sh").split()[0] == "100644"
    copy_ok("copy", "--trust", "--defaults", "--overwrite", "--quiet", str(template), str(repo))
    assert (repo / "run.sh").stat().st_mode & 0o111
    assert git(repo, "ls-files", "--stage", "run.sh").split()[0] == index_mode


@pytest.mark.slow
def test_the_cache_layout_of_older_releases_is_removed_by_the_next_compiling_run(template_dir, tmp_path):
    """Before v0.9.1 the cache was a file per entry in folders 00 to ff: up to 17,000 files nothing reads now."""
    cache = tmp_path / "cache"
    for folder in ("00", "a7", "ff"):
        (cache / folder).mkdir(parents=True)
        (cache / folder / "0123456789abcdef.marshal").write_bytes(b"old")
    (cache / "notes").mkdir()  # not ours by its name: left alone
    copy_with_cache(template_dir, tmp_path / "out", str(cache))
    assert sorted(p.name for p in cache.iterdir()) == ["compiled.marshal", "notes"]


def test_cached_code_reports_this_run_s_template_path():
    """A cached template keeps the path it was first compiled from unless retold: tracebacks need this run's."""
    import extension

    code = compile("def render():\n    return 1 / 0\n", "/tmp/old-clone/template/app.py.jinja", "exec")
    moved = extension._with_filename(code, "/tmp/new-clone/template/app.py.jinja")
    namespace: dict[str, object] = {}
    exec(moved, namespace)
    with pytest.raises(ZeroDivisionError) as caught:
        namespace["render"]()  # type: ignore[operator]
    assert str(caught.traceback[-1].path) == "/tmp/new-clone/template/app.py.jinja"
