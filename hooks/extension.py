"""The one Jinja extension of this template: it exposes hooks/lambda_rules to copier.

Validators in copier.yml call `check`, which returns the error text (empty when
the answer is good) and prints warnings; the templates call the small helpers
below to read derived values (names, variables, runtime facts).
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import importlib.util
import json
import marshal
import os
import re
import shutil
import subprocess
import sys
from functools import wraps
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

import jinja2
import yaml
from jinja2 import Environment
from jinja2.ext import Extension

_PACKAGE_DIR = Path(__file__).resolve().parent / "lambda_rules"


def _load_rules() -> tuple[ModuleType, ModuleType, ModuleType]:
    """Import lambda_rules from this template copy, under a name unique to its path.

    copier may load several copies of this template in one process (update
    renders the old and the new version); each must use its own rules.
    """
    name = "lambda_rules_" + hashlib.sha1(str(_PACKAGE_DIR).encode()).hexdigest()[:12]
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, _PACKAGE_DIR / "__init__.py", submodule_search_locations=[str(_PACKAGE_DIR)]
        )
        assert spec and spec.loader  # a file we ship: absence is a broken install
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return tuple(importlib.import_module(f"{name}.{module}") for module in ("facts", "rules", "iam"))


facts, rules, iam = _load_rules()


def declared_layer_sizes(layers: Any) -> str:
    """layer-sizes.json at generation; layer_size (with its HTTP client) is imported only here."""
    layer_size = importlib.import_module(rules.__name__.rsplit(".", 1)[0] + ".layer_size")
    return layer_size.declared_cache(layers)


def check(value: Any, question: str, *context: Any) -> str:
    """Validator: the errors of `question`'s answer, one per line; warnings go to stderr."""
    problems = rules.check_answer(question, value, *context)
    for problem in problems:
        if problem.severity == rules.WARNING:
            print(f"warning: {problem}", file=sys.stderr)
    return "\n".join(str(p) for p in rules.errors(problems))


def quoted(value: Any) -> str:
    """`value` as a double-quoted string, valid in JSON, YAML and TOML alike."""
    return json.dumps(str(value), ensure_ascii=False)


def cfn_value(value: Any) -> str:
    """An environment variable value in template.yml: quoted text, or removed when None."""
    return "!Ref AWS::NoValue" if value is None else quoted(value)


def answers_yaml(answers: dict[str, Any]) -> str:
    """The answers file: top-level keys sorted (so `--data` order never shows), nested order kept.

    The order inside a mapping answer is meaningful (the first environment is the development
    one, the last the production one), and copier's own `to_nice_yaml` sorts it away.
    """
    ordered = {key: answers[key] for key in sorted(answers)}
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter when PyYAML has it: same text
    return yaml.dump(ordered, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)


def needs_git_repository(destination: Any) -> bool:
    """The `git init` task's condition: git is installed, and `destination` is not inside a work tree.

    A work tree is found as git finds one, by a `.git` folder or file (worktrees, submodules) in
    the folder or a parent; without spawning git, which costs a copy more than the rest of a check.
    """
    if shutil.which("git") is None:
        print("warning: git is not installed: run git init yourself.", file=sys.stderr)
        return False
    folder = Path(destination).resolve()
    return not any((parent / ".git").exists() for parent in (folder, *folder.parents))


def runtime_version(runtime: str) -> str:
    """The language version of a Lambda runtime id: python3.13 -> 3.13."""
    return facts.RUNTIMES[runtime]["version"]


def runtime_language(runtime: str) -> str:
    return facts.RUNTIMES[runtime]["language"]


# copier raises a plain ValueError for an answer given with --data, --data-file or --defaults
# that fails its validator (or its choices), and Python prints it as a crash. The message is
# already the whole story: show it alone, as copier shows its own user errors.
_ANSWER_ERRORS = ("Validation error for question ", "Invalid choice for ")


def _answer_error_hook(previous: Any) -> Any:
    def hook(kind: type[BaseException], error: BaseException, traceback: Any) -> None:
        message = str(error)
        if issubclass(kind, ValueError) and message.startswith(_ANSWER_ERRORS):
            question = re.search(r"question '([^']+)'|for '([^']+)'", message)
            name = next(filter(None, question.groups())) if question else "an answer"
            detail = message.split(": ", 1)[1] if ": " in message else message
            print("\nNothing was written: an answer is refused (copier copy stops before writing).",
                  file=sys.stderr)
            for line in detail.splitlines():  # the last line: question, value, limit and fix
                shown = line if line.startswith(name) else f"{name}: {line}"
                if "is not in [" in shown:
                    shown += ". Use one of those."
                print(shown, file=sys.stderr)
            return
        previous(kind, error, traceback)

    hook.lambda_rules = True  # type: ignore[attr-defined]
    return hook


def _install_answer_error_hook() -> None:
    if not getattr(sys.excepthook, "lambda_rules", False):
        sys.excepthook = _answer_error_hook(sys.excepthook)


class LambdaRulesExtension(Extension):
    """Registers the filters and globals the questions and templates use."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(
            check=check,
            quoted=quoted,
            answers_yaml=answers_yaml,
            cfn_value=cfn_value,
            variables_by_environment=rules.variables_by_environment,
            differing_environments=rules.differing_environments,
            declared_layer_sizes=declared_layer_sizes,
            runtime_version=runtime_version,
            runtime_language=runtime_language,
            resource_names=rules.resource_names,
            slugify=rules.slugify,
            function_variables=rules.function_variables,
            normalize_layers=rules.normalize_layers,
            partition=rules.partition_of,
            api_source_arn_path=rules.api_source_arn_path,
            branch_protections=rules.branch_protections,
            production_branch=rules.production_branch,
            artifact_folder=rules.artifact_folder,
            deploy_statements_for=rules.deploy_statements_for,
            function_alarms=rules.function_alarms,
            needs_git_repository=needs_git_repository,
            referenced_resources=iam.referenced_resources,
            account_arn=iam.account_arn,
        )
        environment.globals.update(facts=facts)
        _cache_compiles(environment)
        _install_answer_error_hook()
        _ask_git_file_mode_once()


def _cache_dir() -> Path | None:
    """Where compiled templates are kept between runs; COPIER_LAMBDA_SAM_CACHE=off keeps none."""
    setting = os.environ.get("COPIER_LAMBDA_SAM_CACHE", "")
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "copier-lambda-sam" / "jinja"


class _CompiledPack:
    """The compiled templates of recent runs, in one file per cache folder.

    Read once per process; rewritten at exit only by a run that compiled something new. Each
    entry remembers the last such run that used it, and entries unused for RUNS_KEPT of them
    are dropped, so the file holds about that many template releases, never more.
    """

    RUNS_KEPT = 8

    def __init__(self, folder: Path) -> None:
        self.path = folder / "compiled.marshal"
        self.run = 0
        self.entries: dict[str, tuple[int, Any]] | None = None
        self.used: set[str] = set()
        self.dirty = False

    def _load(self) -> dict[str, tuple[int, Any]]:
        if self.entries is None:
            try:
                data = marshal.loads(self.path.read_bytes())
                self.run, self.entries = int(data["run"]), dict(data["entries"])
            except (OSError, ValueError, EOFError, TypeError, KeyError):
                self.run, self.entries = 0, {}
        return self.entries

    def get(self, digest: str) -> Any:
        entry = self._load().get(digest)
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], CodeType)):
            return None
        self.used.add(digest)
        return entry[1]

    def put(self, digest: str, code: Any) -> None:
        self._load()[digest] = (self.run, code)
        self.used.add(digest)
        if not self.dirty:
            self.dirty = True
            atexit.register(self.save)

    def save(self) -> None:
        run = self.run + 1
        kept = run - self.RUNS_KEPT
        entries = {digest: (run if digest in self.used else last, code)
                   for digest, (last, code) in self._load().items() if digest in self.used or last > kept}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(marshal.dumps({"run": run, "entries": entries}))
            partial.replace(self.path)
        except (OSError, ValueError):
            return
        for old in self.path.parent.iterdir():  # the layout before v0.9.1, a folder per first two hex digits: unread now
            if old.is_dir() and re.fullmatch(r"[0-9a-f]{2}", old.name):
                shutil.rmtree(old, ignore_errors=True)


def _with_filename(code: CodeType, filename: str) -> CodeType:
    """`code`, and the functions compiled in it, as if compiled from `filename`."""
    consts = tuple(_with_filename(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


_PACKS: dict[Path, _CompiledPack] = {}  # one per cache folder and process, shared by every environment


def _cache_compiles(environment: Environment) -> None:
    """Compile each distinct Jinja source once, and keep the result between runs.

    copier renders every path part, help, default, `when` and validator with `from_string`,
    which compiles anew each time, and compiles every file template on every copy: most of
    a copy's time. A compiled template is a pure function of its source, the environment's
    syntax settings and the Jinja and Python versions, which key the cache (as Jinja's own
    bytecode cache does for loaded templates); a cache that cannot be read or written is
    skipped, never an error.
    """
    compile_source = environment.compile
    memory: dict[tuple[Any, ...], Any] = {}
    folder = _cache_dir()
    pack = None
    if folder is not None:
        pack = _PACKS.get(folder) or _PACKS.setdefault(folder, _CompiledPack(folder))

    known: list[str] = []

    def settings() -> str:  # read at the first compile: the extensions are loaded by then
        if known:
            return known[0]
        e = environment
        known.append(repr((jinja2.__version__, sys.version_info[:2], sorted(e.extensions), e.block_start_string,
                     e.block_end_string, e.variable_start_string, e.variable_end_string, e.comment_start_string,
                     e.comment_end_string, e.line_statement_prefix, e.line_comment_prefix, e.trim_blocks,
                     e.lstrip_blocks, e.newline_sequence, e.keep_trailing_newline, e.optimized)))
        return known[0]

    def compile_cached(source: Any, name: str | None = None, filename: str | None = None,
                       raw: bool = False, defer_init: bool = False) -> Any:
        if not isinstance(source, str) or raw:  # a parsed template, or Python source wanted
            return compile_source(source, name, filename, raw, defer_init)
        key = (source, name, filename, defer_init)
        if key in memory:
            return memory[key]
        # Not keyed by the file's path: copier renders a git template from a new temporary clone
        # each run. The code takes this run's path instead, for tracebacks.
        digest = hashlib.sha256(repr((settings(), source, name, defer_init)).encode()).hexdigest() if pack else ""
        code = pack.get(digest) if pack else None
        if code is None:
            code = compile_source(source, name, filename, raw, defer_init)
            if pack:
                pack.put(digest, code)
        elif code.co_filename != (filename or "<template>"):
            code = _with_filename(code, filename or "<template>")
        memory[key] = code
        return code

    environment.compile = compile_cached  # type: ignore[method-assign]


def _git_file_mode(folder: Path) -> str:
    """`core.fileMode` as git reads it in `folder`: "true", "false", or "" when unset or unreadable."""
    try:
        result = subprocess.run(["git", "config", "--type=bool", "--get", "core.fileMode"], cwd=folder,
                                capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return result.stdout.strip()


def _ask_git_file_mode_once() -> None:
    """Read git's `core.fileMode` once per destination, not once per rendered file.

    After writing each file, copier (9.17 and later) runs `git config core.fileMode` in the
    destination, and copies the template's executable bit into the git index only when that
    setting is "false" (Windows, or a deliberate opt-out). A git process per file was a third
    of the time of a copy of this template. The setting cannot change while copier renders,
    so each Worker now reads it once per destination folder and calls copier's own method,
    unchanged, whenever it is "false". A copier without that method is left as it is.
    """
    try:
        from copier._main import Worker
    except ImportError:
        return
    sync = getattr(Worker, "_sync_git_index_executable_bit", None)
    if sync is None or getattr(sync, "lambda_rules", False):
        return

    @wraps(sync)
    def sync_when_file_mode_is_false(self: Any, *args: Any, **kwargs: Any) -> Any:
        known = self.__dict__.setdefault("_lambda_rules_file_mode", {})  # as cached_property does
        folder = Path(self.subproject.local_abspath)
        if folder not in known:
            known[folder] = _git_file_mode(folder)
        if known[folder] != "false":
            return None
        return sync(self, *args, **kwargs)

    sync_when_file_mode_is_false.lambda_rules = True  # type: ignore[attr-defined]
    Worker._sync_git_index_executable_bit = sync_when_file_mode_is_false
