"""`copier update` of generated repos, against temporary git copies of this template with release tags."""

from __future__ import annotations

import filecmp
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import copier
import pytest
import yaml
from conftest import copy_template, run_copy

pytestmark = pytest.mark.slow
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid"}
MARKERS = re.compile(r"^(<<<<<<< before updating|=======|>>>>>>> after updating)$", re.MULTILINE)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=GIT_ENV).stdout


def commit_all(repo: Path, message: str, tag: str | None = None) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", message)
    if tag:
        git(repo, "tag", tag)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """This template as a git repository whose HEAD is release v1.0.0."""
    repo = copy_template(tmp_path / "template")
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit_all(repo, "v1", tag="v1.0.0")
    return repo


def release_v2(template: Path, change: Callable[[Path], None] | None = None) -> None:
    """A template release v2.0.0 that changes a template-owned file, a shared one and a user-owned one."""
    edit(template / "template" / "buildspec.yml.jinja", "# CodeBuild runs this for every pipeline",
         "# Release 2: CodeBuild runs this for every pipeline")
    edit(template / "hooks" / "lambda_rules" / "facts.py", "LOG_RETENTION_DAYS = 30", "LOG_RETENTION_DAYS = 90")
    edit(template / "template" / "src" / "{% if language == 'python' %}app.py{% endif %}.jinja",
         '"""Greet the caller', '"""Release 2: greet the caller')
    if change:
        change(template)
    commit_all(template, "v2", tag="v2.0.0")


def generate_v1(template: Path, dest: Path, **answers: Any) -> Path:
    run_copy(template, dest, {"project_name": "orders-api", **answers})
    commit_all(dest, "generated")
    return dest


def edit_as_a_user(repo: Path) -> None:
    edit(repo / "src" / "app.py", '    name = params.get("name") or "world"',
         '    name = (params.get("name") or "world").strip()  # ours')
    edit(repo / "template.yml", "        project: orders-api\n        environment: !Ref Environment",
         "        project: orders-api\n        team: payments\n        environment: !Ref Environment")
    (repo / "README.md").write_text((repo / "README.md").read_text(encoding="utf-8") + "\n## Our notes\n\nOn call: #payments\n",
                                    encoding="utf-8")
    (repo / "docs").mkdir()
    (repo / "docs" / "runbook.md").write_text("# Runbook\n", encoding="utf-8")
    commit_all(repo, "our edits")


def update(repo: Path, **data: Any) -> None:
    copier.run_update(repo, data=data, defaults=True, overwrite=True, unsafe=True, quiet=True, conflict="inline")


def answers(repo: Path) -> dict[str, Any]:
    return yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))


def tree(repo: Path) -> set[str]:
    return {str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file() and ".git" not in p.relative_to(repo).parts}


def test_update_keeps_user_edits_and_applies_the_release(template, tmp_path):
    repo = generate_v1(template, tmp_path / "repo")
    edit_as_a_user(repo)
    release_v2(template)

    update(repo)

    assert answers(repo)["_commit"] == "v2.0.0"
    app = (repo / "src" / "app.py").read_text(encoding="utf-8")
    assert "# ours" in app and "Release 2" not in app  # the handler is the user's: never overwritten
    template_yml = (repo / "template.yml").read_text(encoding="utf-8")
    assert "        team: payments\n" in template_yml and "RetentionInDays: 90" in template_yml
    assert "RetentionInDays: 90" in (repo / "pipeline" / "pipeline.yml").read_text(encoding="utf-8")
    assert (repo / "buildspec.yml").read_text(encoding="utf-8").startswith("# Release 2: CodeBuild runs this")
    assert (repo / "README.md").read_text(encoding="utf-8").endswith("## Our notes\n\nOn call: #payments\n")
    assert (repo / "docs" / "runbook.md").read_text(encoding="utf-8") == "# Runbook\n"
    assert [p for p in tree(repo) if MARKERS.search((repo / p).read_text(encoding="utf-8", errors="ignore"))] == []


def test_a_conflicting_edit_ends_with_markers_in_that_file_only(template, tmp_path):
    repo = generate_v1(template, tmp_path / "repo")
    edit(repo / "buildspec.yml", "# CodeBuild runs this for every pipeline", "# Our CodeBuild runs this for every pipeline")
    edit_as_a_user(repo)
    release_v2(template)

    update(repo)

    with_markers = sorted(p for p in tree(repo) if MARKERS.search((repo / p).read_text(encoding="utf-8", errors="ignore")))
    assert with_markers == ["buildspec.yml"]
    buildspec = (repo / "buildspec.yml").read_text(encoding="utf-8")
    ours, theirs = buildspec.index("# Our CodeBuild runs this"), buildspec.index("# Release 2: CodeBuild runs this")
    assert buildspec.index("<<<<<<< before updating") < ours < buildspec.index("=======") < theirs
    assert theirs < buildspec.index(">>>>>>> after updating")


def rename_memory_size_to_memory(template: Path) -> None:
    """The answer was called `memory` up to v1: rename it back in a v1 copy of the template."""
    for path in [template / "copier.yml", *(template / "template").rglob("*.jinja")]:
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^memory_size:", "memory:", text, flags=re.MULTILINE)
        text = text.replace("memory_size |", "memory |").replace("{{ memory_size }}", "{{ memory }}")
        path.write_text(text, encoding="utf-8")


def test_a_renamed_answer_is_carried_forward_and_not_asked_again(tmp_path):
    template = copy_template(tmp_path / "template")
    rename_memory_size_to_memory(template)
    git(template, "init", "--quiet", "--initial-branch=main")
    commit_all(template, "v1", tag="v1.0.0")
    repo = generate_v1(template, tmp_path / "repo", memory=1024)
    assert answers(repo)["memory"] == 1024

    # v2: today's template, whose migration table records the rename.
    for path in (template / "copier.yml", *(template / "template").rglob("*.jinja")):
        path.unlink()
    fresh = copy_template(tmp_path / "fresh")
    for path in (fresh / "copier.yml", *(fresh / "template").rglob("*.jinja")):
        target = template / path.relative_to(fresh)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    edit(template / "hooks" / "migrate.py", "RENAMED: list[tuple[str, str, str]] = []",
         'RENAMED: list[tuple[str, str, str]] = [("2.0.0", "memory", "memory_size")]')
    commit_all(template, "v2: memory is now memory_size", tag="v2.0.0")

    update(repo)

    recorded = answers(repo)
    assert recorded["memory_size"] == 1024 and "memory" not in recorded
    assert "      MemorySize: 1024\n" in (repo / "template.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("data", [pytest.param({}, id="defaults"), pytest.param({"memory_size": 512}, id="memory-changed")])
def test_update_gives_what_a_fresh_copy_gives_apart_from_user_edits(template, tmp_path, data):
    repo = generate_v1(template, tmp_path / "repo")
    edit_as_a_user(repo)
    release_v2(template)

    update(repo, **data)
    fresh = run_copy(template, tmp_path / "fresh", {"project_name": "orders-api", **data})

    assert tree(repo) - tree(fresh) == {"docs/runbook.md"}
    assert tree(fresh) - tree(repo) == set()
    differing = {p for p in tree(fresh) if not filecmp.cmp(repo / p, fresh / p, shallow=False)}
    assert differing == {"src/app.py", "template.yml", "README.md"}  # exactly the files the user edited
    if data:
        assert "      MemorySize: 512\n" in (repo / "template.yml").read_text(encoding="utf-8")


# --- the migration table, and how updates hear of releases -------------------------------------

def test_migrations_apply_once_in_release_order_across_skipped_releases(monkeypatch):
    import migrate
    from packaging.version import Version

    monkeypatch.setattr(migrate, "RENAMED", [("1.2.0", "memory", "memory_size"), ("1.5.0", "region", "aws_region")])
    monkeypatch.setattr(migrate, "REMOVED", [("1.3.0", "legacy_flag")])
    monkeypatch.setattr(migrate, "CHANGED", [("1.4.0", "source_provider", {"mirror": "gitlab-mirror"})])
    answers = {"memory": 512, "region": "eu-west-1", "legacy_flag": True, "source_provider": "mirror"}

    done = migrate.migrate(answers, Version("1.1.0"), Version("2.0.0"))

    assert answers == {"memory_size": 512, "aws_region": "eu-west-1", "source_provider": "gitlab-mirror"}
    assert done == ["answer memory is now memory_size (1.2.0)", "answer region is now aws_region (1.5.0)",
                    "answer legacy_flag was removed (1.3.0)",
                    "answer source_provider: 'mirror' is now 'gitlab-mirror' (1.4.0)"]
    assert migrate.migrate(answers, Version("1.1.0"), Version("2.0.0")) == []  # nothing left to do
    assert migrate.migrate({"memory": 1}, Version("1.2.0"), Version("2.0.0")) == []  # already past 1.2.0


def test_gitlab_schedule_job_checks_for_template_releases_only_on_schedules(generate):
    ci = yaml.safe_load((generate() / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job = ci["template-update"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert job["script"] == ["copier check-update", "copier check-update --quiet"]
    assert job["allow_failure"] == {"exit_codes": [2]}
    assert ci[".checks"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE != "schedule"'}]
    assert not (generate() / "renovate.json").exists()


def test_renovate_is_configured_for_the_copier_manager(generate):
    import json

    from conftest import tool

    repo = generate(template_updates="renovate")
    config = json.loads((repo / "renovate.json").read_text(encoding="utf-8"))
    assert config["copier"] == {"enabled": True} and config["ignoreScripts"] is False
    assert "template-update" not in yaml.safe_load((repo / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    run = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.renovate", str(repo / "renovate.json")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_gitlab_schedule_without_gitlab_ci_is_refused(template_dir, tmp_path):
    with pytest.raises(ValueError, match="template_updates: gitlab-schedule needs GitLab CI"):
        run_copy(template_dir, tmp_path / "out", {"project_name": "orders-api", "source_provider": "codecommit",
                                                  "template_updates": "gitlab-schedule"})
    assert not (tmp_path / "out").exists()


def release_commits() -> list[tuple[str, str]]:
    """Every release, newest first, as (tag name, commit): the CHANGELOG.md entry and the commit that added it.

    The tag of a release points at that commit; deriving it from the history keeps this test working in
    a clone that carries no tags (CI's fresh clone of main has none).
    """
    root = Path(__file__).resolve().parent.parent
    shallow = git(root, "rev-parse", "--is-shallow-repository").strip() == "true"
    assert not shallow, "a shallow clone hides the commits of past releases: git fetch --unshallow"
    committed = git(root, "show", "HEAD:CHANGELOG.md")  # an entry not committed yet is the release under test
    releases = []
    for version in re.findall(r"^## (v\d+\.\d+\.\d+) - ", committed, flags=re.MULTILINE):
        added = git(root, "log", "--format=%H", "-S", f"## {version} - ", "--", "CHANGELOG.md").split()
        assert added, f"no commit adds the CHANGELOG entry of {version}"
        releases.append((version, added[-1]))
    return releases


def last_release() -> tuple[str, str]:
    """The newest release that is not the commit under test."""
    head = git(Path(__file__).resolve().parent.parent, "rev-parse", "HEAD").strip()
    releases = release_commits()
    return next((r for r in releases if r[1] != head), releases[0])


def test_release_tags_agree_with_the_commits_that_added_their_changelog_entries():
    """The newest tag is the commit that added its entry; older entries, written when the changelog began, follow their tag."""
    root = Path(__file__).resolve().parent.parent
    tags = set(git(root, "tag", "--list", "v*").split())
    releases = [(version, commit) for version, commit in release_commits() if version in tags]
    if releases:  # CI's clone has no tags: nothing to compare there
        assert git(root, "rev-list", "-n", "1", releases[0][0]).strip() == releases[0][1]
    for version, commit in releases:
        ancestor = subprocess.run(["git", "merge-base", "--is-ancestor", version, commit], cwd=root)
        assert ancestor.returncode == 0, f"{version} is tagged after the commit that added its CHANGELOG entry"


def test_a_repo_of_the_last_release_updates_to_this_one_cleanly(tmp_path):
    """The update every team runs next: from the newest tagged release to the template as it is now."""
    root = Path(__file__).resolve().parent.parent
    release, commit = last_release()
    template = tmp_path / "template"
    template.mkdir()
    archive = subprocess.run(["git", "-C", str(root), "archive", commit, "copier.yml", "template", "hooks"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(template)], input=archive, check=True)
    git(template, "init", "--quiet", "--initial-branch=main")
    commit_all(template, release, tag=release)
    repo = generate_v1(template, tmp_path / "repo", runtime="python3.12", env_vars={"TABLE_NAME": "orders"})
    edit_as_a_user(repo)

    for folder in ("template", "hooks"):  # the template as it is now, released as the next version
        subprocess.run(["rm", "-rf", str(template / folder)], check=True)
    copy_template(template)
    commit_all(template, "next", tag="v99.0.0")
    update(repo)

    assert answers(repo)["_commit"] == "v99.0.0"
    assert answers(repo)["runtime"] == "python3.12"
    assert [p for p in tree(repo) if MARKERS.search((repo / p).read_text(encoding="utf-8", errors="ignore"))] == []
    fresh = run_copy(copy_template(tmp_path / "now"), tmp_path / "fresh",
                     {"project_name": "orders-api", "runtime": "python3.12", "env_vars": {"TABLE_NAME": "orders"}})
    assert tree(repo) - {"docs/runbook.md"} == tree(fresh)
    assert "# ours" in (repo / "src" / "app.py").read_text(encoding="utf-8")
    limits = subprocess.run([sys.executable, "-m", "lambda_rules", "--offline"], cwd=repo, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": "tools", "PYTHONDONTWRITEBYTECODE": "1"})
    assert limits.returncode == 0, limits.stdout + limits.stderr
