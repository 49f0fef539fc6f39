"""Set up the GitLab side of this repo's delivery, the same way every time.

    python scripts/setup_gitlab.py [--dry-run] [--project GROUP/PROJECT] [--new-credentials]

It reads scripts/gitlab-settings.json (written by the template from its answers) and, on the
GitLab project:

1. creates the environment branches that do not exist yet, from the default branch;
2. protects them: the development branch for developers and maintainers, every other one for
   maintainers only (push and merge);
3. makes the production branch the default one;
4. with a GitLab push mirror as the source: creates the mirror to the CodeCommit repository,
   enabled, mirroring protected branches only, with the HTTPS Git credentials percent-encoded in
   its URL, then asks GitLab to sync it. With a CodeConnections source it prints the one step left
   in the AWS console instead.

A second run changes nothing and says so; --dry-run prints the plan and sends no change.
Secrets are read from the environment or asked for, never written or printed: GITLAB_TOKEN (a
token with the api scope, of a Maintainer of the project), and for a new mirror
CODECOMMIT_GIT_USERNAME and CODECOMMIT_GIT_PASSWORD (the HTTPS Git credentials of the mirror user).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlsplit

import gitlab
import questionary
from gitlab import exceptions as gitlab_errors

SETTINGS = Path(__file__).resolve().parent / "gitlab-settings.json"
sys.path.insert(0, str(SETTINGS.parent.parent / "tools"))
from lambda_rules.facts import GITLAB_ACCESS_LEVELS as ACCESS  # noqa: E402  (30 Developer, 40 Maintainer)

WHO = {"developers": "developers and maintainers", "maintainers": "maintainers only"}


class SetupError(Exception):
    """A problem to tell the user in one line, without a traceback."""


@dataclass
class Plan:
    """What the run did, or would do with --dry-run."""

    dry_run: bool
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def change(self, done: str, planned: str, action: Callable[[], Any]) -> None:
        if self.dry_run:
            self.changes.append(planned)
        else:
            action()
            self.changes.append(done)


def ask_secret(variable: str, question: str, password: bool = True) -> str:
    """A secret from the environment, or asked at the terminal (never echoed)."""
    value = os.environ.get(variable, "")
    if value:
        return value
    if not sys.stdin.isatty():
        raise SetupError(f"{variable} is not set. Set it, or run this in a terminal to be asked.")
    prompt = questionary.password if password else questionary.text
    value = prompt(question).ask() or ""
    if not value:
        raise SetupError(f"No {question.rstrip(':').lower()} given.")
    return value


def mirror_url(target: str, username: str, password: str) -> str:
    """The CodeCommit URL with the credentials percent-encoded: '+', '/', '=', '@', ':' and '%' included."""
    parts = urlsplit(target)
    return f"{parts.scheme}://{quote(username, safe='')}:{quote(password, safe='')}@{parts.netloc}{parts.path}"


def same_target(url: str, target: str) -> bool:
    """GitLab masks a mirror's credentials: compare host and path only."""
    a, b = urlsplit(url), urlsplit(target)
    return (a.hostname, a.path.rstrip("/")) == (b.hostname, b.path.rstrip("/"))


def levels(protection: Any, kind: str) -> set[int]:
    return {level["access_level"] for level in getattr(protection, f"{kind}_access_levels", [])}


def plan_branches(project: Any, settings: dict[str, Any], plan: Plan) -> None:
    base = project.default_branch
    if not base:
        raise SetupError(f"{project.path_with_namespace} has no commit yet. Push this repo first: "
                         f"git push -u origin {settings['default_branch']}")
    for spec in settings["branches"]:
        name = spec["branch"]
        try:
            project.branches.get(name)
        except gitlab_errors.GitlabGetError as error:
            if error.response_code != 404:
                raise
            plan.change(f"created branch {name} from {base}", f"would create branch {name} from {base}",
                        lambda name=name: project.branches.create({"branch": name, "ref": base}))


def plan_protections(project: Any, settings: dict[str, Any], plan: Plan) -> None:
    for spec in settings["branches"]:
        name, allowed = spec["branch"], spec["allowed"]
        level = ACCESS[allowed]
        try:
            current = project.protectedbranches.get(name)
        except gitlab_errors.GitlabGetError as error:
            if error.response_code != 404:
                raise
            current = None
        if current is not None and levels(current, "push") == {level} and levels(current, "merge") == {level}:
            continue

        def protect(name: str = name, level: int = level, current: Any = current) -> None:
            if current is not None:
                project.protectedbranches.delete(name)
            project.protectedbranches.create({"name": name, "push_access_level": level,
                                              "merge_access_level": level})

        verb = "protected" if current is None else "changed protection of"
        plan.change(f"{verb} {name}: push and merge for {WHO[allowed]}",
                    f"would protect {name}: push and merge for {WHO[allowed]}", protect)


def plan_default_branch(project: Any, settings: dict[str, Any], plan: Plan) -> None:
    wanted = settings["default_branch"]
    if project.default_branch == wanted:
        return

    def set_default() -> None:
        project.default_branch = wanted
        project.save()

    plan.change(f"default branch is now {wanted}", f"would make {wanted} the default branch", set_default)


def plan_mirror(project: Any, settings: dict[str, Any], plan: Plan, new_credentials: bool) -> None:
    target = settings["mirror_url"]
    mirrors = [m for m in project.remote_mirrors.list(get_all=True) if same_target(m.url, target)]
    mirror = mirrors[0] if mirrors else None
    if mirror is not None and not new_credentials:
        if mirror.enabled and mirror.only_protected_branches:
            return

        def fix() -> None:
            mirror.enabled = True
            mirror.only_protected_branches = True
            mirror.save()
            mirror.sync()

        plan.change(f"enabled the push mirror to {target} (protected branches only) and asked GitLab to sync it",
                    f"would enable the push mirror to {target} (protected branches only)", fix)
        return
    if plan.dry_run:
        verb = "replace" if mirror else "create"
        plan.changes.append(f"would {verb} the push mirror to {target} (protected branches only) and sync it")
        return
    username = ask_secret("CODECOMMIT_GIT_USERNAME", "CodeCommit HTTPS Git user name:", password=False)
    password = ask_secret("CODECOMMIT_GIT_PASSWORD", "CodeCommit HTTPS Git password:")
    if mirror is not None:
        mirror.delete()
    created = project.remote_mirrors.create({"url": mirror_url(target, username, password), "enabled": True,
                                             "only_protected_branches": True})
    plan.changes.append(f"{'replaced' if mirror else 'created'} the push mirror to {target} "
                        "(protected branches only)")
    try:
        created.sync()
        plan.changes.append("asked GitLab to sync the mirror now")
    except gitlab_errors.GitlabError as error:
        if getattr(error, "response_code", None) != 404:
            raise
        plan.notes.append("This GitLab cannot be asked to sync (before 16.11): press 'Update now' on the mirror.")


def run(settings: dict[str, Any], project_path: str, token: str, dry_run: bool, new_credentials: bool) -> Plan:
    plan = Plan(dry_run)
    client = gitlab.Gitlab(settings["gitlab_url"], private_token=token, retry_transient_errors=True)
    try:
        project = client.projects.get(project_path)
        plan_branches(project, settings, plan)
        plan_protections(project, settings, plan)
        plan_default_branch(project, settings, plan)
        if settings["source_provider"] == "gitlab-mirror":
            plan_mirror(project, settings, plan, new_credentials)
        else:
            plan.notes.append(f"CodePipeline reads GitLab through the connection {settings['connection']}: "
                              "if it is still PENDING, open the AWS console, Developer Tools > Settings > "
                              "Connections, select it and choose 'Update pending connection' (once).")
    except gitlab_errors.GitlabAuthenticationError as error:
        raise SetupError(f"GitLab at {settings['gitlab_url']} refused the token (401): check GITLAB_TOKEN, "
                         "which needs the api scope and must not be expired.") from error
    except gitlab_errors.GitlabError as error:
        code = getattr(error, "response_code", None)
        if code == 404:
            raise SetupError(f"Project {project_path} was not found on {settings['gitlab_url']} (404): check the "
                             "path, and that the token's user can see the project.") from error
        if code == 403:
            raise SetupError(f"Your role in {project_path} is not enough (403): protecting branches and "
                             "setting mirrors needs the Maintainer role.") from error
        raise SetupError(f"GitLab answered {code or 'an error'}: {error.error_message}") from error
    except OSError as error:  # connection refused, DNS, TLS
        raise SetupError(f"Cannot reach GitLab at {settings['gitlab_url']}: {error}") from error
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="print the plan; send no change")
    parser.add_argument("--project", help="GROUP/PROJECT on GitLab (default: from the settings or GITLAB_PROJECT)")
    parser.add_argument("--new-credentials", action="store_true",
                        help="replace the mirror's credentials (after rotating them in IAM)")
    parser.add_argument("--settings", type=Path, default=SETTINGS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    settings = json.loads(args.settings.read_text(encoding="utf-8"))
    secrets: list[str] = []
    try:
        project_path = args.project or os.environ.get("GITLAB_PROJECT") or settings["project"]
        if not project_path:
            project_path = ask_secret("GITLAB_PROJECT", "GitLab project (group/project):", password=False)
        token = ask_secret("GITLAB_TOKEN", f"GitLab token for {settings['gitlab_url']}:")
        secrets = [token, os.environ.get("CODECOMMIT_GIT_PASSWORD", "")]
        plan = run(settings, project_path, token, args.dry_run, args.new_credentials)
    except SetupError as error:
        message = str(error)
        for secret in (s for s in secrets if len(s) >= 6):  # never print a secret, even inside GitLab's answer
            message = message.replace(secret, "*****").replace(quote(secret, safe=""), "*****")
        print(f"error: {message}", file=sys.stderr)
        return 1
    if args.dry_run:
        print(f"Plan for {project_path} (dry run, nothing sent):")
    for line in plan.changes:
        print(f"  {line}")
    for note in plan.notes:
        print(note)
    if not plan.changes:
        print(f"No change: {project_path} is already set up as the template says.")
    elif not args.dry_run:
        print(f"Done: {len(plan.changes)} change(s) on {project_path}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
