"""schema/answers.schema.json: up to date, in step with copier.yml, and agreeing with copier on examples."""

from __future__ import annotations

import json
from pathlib import Path

import answers_schema
import jsonschema
import pytest
import yaml
from conftest import run_copy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "schema" / "examples"
SCHEMA = json.loads(answers_schema.SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def examples(kind: str) -> list:
    return [pytest.param(p, id=p.stem) for p in sorted((EXAMPLES / kind).glob("*.yml"))]


def test_committed_schema_is_what_the_facts_build():
    assert answers_schema.SCHEMA_PATH.read_text(encoding="utf-8") == answers_schema.render(), (
        "schema/answers.schema.json is stale: run `make schema`"
    )


def test_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_schema_describes_exactly_the_questions_of_copier_yml():
    assert list(SCHEMA["properties"]) == list(answers_schema.questions())


def test_every_literal_default_of_copier_yml_is_valid():
    for name, prop in SCHEMA["properties"].items():
        if "default" in prop:
            assert not list(jsonschema.Draft202012Validator(prop).iter_errors(prop["default"])), name


@pytest.mark.parametrize("path", examples("valid"))
def test_valid_example_passes_the_schema(path):
    VALIDATOR.validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", examples("invalid"))
def test_invalid_example_fails_the_schema(path):
    assert list(VALIDATOR.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))


@pytest.mark.slow
@pytest.mark.parametrize("path", examples("valid"))
def test_valid_example_generates_and_its_answers_file_passes_the_schema(template_dir, tmp_path, path):
    repo = run_copy(template_dir, tmp_path / "out", yaml.safe_load(path.read_text(encoding="utf-8")))
    recorded = yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))
    VALIDATOR.validate({k: v for k, v in recorded.items() if not k.startswith("_")})


@pytest.mark.slow
@pytest.mark.parametrize("path", examples("invalid"))
def test_invalid_example_is_refused_by_copier(template_dir, tmp_path, path):
    with pytest.raises(ValueError):
        run_copy(template_dir, tmp_path / "out", yaml.safe_load(path.read_text(encoding="utf-8")))
    assert not (tmp_path / "out").exists()


def test_readme_questions_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(answers_schema.TABLE_START) + len(answers_schema.TABLE_START)
    assert readme[start:readme.index(answers_schema.TABLE_END)] == "\n" + answers_schema.questions_table(), (
        "README.md's table of questions is stale: run `make schema`"
    )


def test_readme_limits_table_states_the_facts():
    from lambda_rules import facts

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for stated in (f"at most {facts.ENV_VARS_MAX_BYTES}", f"at most {facts.MAX_LAYERS}",
                   f"| {facts.UNZIPPED_MAX_MB} MB |", f"{facts.MEMORY_MB[0]} to {facts.MEMORY_MB[1]} MB",
                   f"{facts.TIMEOUT_S[0]} to {facts.TIMEOUT_S[1]} s",
                   f"{facts.EPHEMERAL_STORAGE_MB[0]} to {facts.EPHEMERAL_STORAGE_MB[1]} MB"):
        assert stated in readme


def test_changelog_has_one_entry_per_release_tag_newest_first():
    import re
    import subprocess

    from packaging.version import Version

    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = re.findall(r"^## v(\d+\.\d+\.\d+) - \d{4}-\d{2}-\d{2}$", changelog, flags=re.MULTILINE)
    assert entries and entries == sorted(entries, key=Version, reverse=True)
    assert len(entries) == len(set(entries))
    tags = subprocess.run(["git", "tag", "--list", "v*"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert {t.removeprefix("v") for t in tags} <= set(entries), "a release tag has no CHANGELOG entry"


def test_questions_come_in_groups_each_with_a_one_line_help():
    groups = [answers_schema._group_and_help(spec["help"])[0] for spec in answers_schema.questions().values()]
    assert list(dict.fromkeys(groups)) == ["Project", "Environments", "Function", "Configuration", "Pipeline", "GitLab"]
    assert groups == sorted(groups, key=list(dict.fromkeys(groups)).index)  # each group asked in one run
    for spec in answers_schema.questions().values():
        assert "\n" not in spec["help"] and len(answers_schema._render(spec["help"])) < 220
