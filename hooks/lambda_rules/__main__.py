"""python -m lambda_rules: check template.yml and samconfig.toml against Lambda's limits, and
pipeline/pipeline.yml's deploy roles against the resource types template.yml deploys.

Every problem is printed at once with its place; the exit code is 1 when any is an error.
With AWS credentials, dynamic references are resolved and external layers measured;
--offline never asks AWS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .repo_check import INFO, Settings, check_repo
from .rules import ERROR, WARNING


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lambda_rules", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--template", type=Path, default=Settings.template)
    parser.add_argument("--samconfig", type=Path, default=Settings.samconfig)
    parser.add_argument("--build-dir", type=Path, default=Settings.build_dir,
                        help="output of `sam build` (default: %(default)s)")
    parser.add_argument("--layer-cache", type=Path, default=Settings.layer_cache,
                        help="unzipped sizes of external layers by ARN (default: %(default)s)")
    parser.add_argument("--pipeline", type=Path, default=Settings.pipeline,
                        help="the pipeline stack, whose deploy roles are checked (default: %(default)s)")
    parser.add_argument("--offline", action="store_true", help="never call AWS")
    parser.add_argument("--actions", metavar="TYPE", help="list the actions CloudFormation's handlers use for a "
                        "resource type (for a deploy role statement), and check nothing")
    parser.add_argument("--region", default="us-east-1", help="region of --actions (default: %(default)s)")
    parser.add_argument("--today", type=dt.date.fromisoformat, help=argparse.SUPPRESS)  # tests: runtime dates
    args = parser.parse_args(argv)
    if args.actions:
        from .deploy_role import describe_actions

        try:
            print(describe_actions(args.actions, args.region))
        except LookupError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0
    problems = check_repo(Settings(args.template, args.samconfig, args.build_dir, args.layer_cache,
                                   use_aws=not args.offline, pipeline=args.pipeline, today=args.today))
    for problem in problems:
        print(f"{problem.severity}: {problem}", file=sys.stderr if problem.severity == ERROR else sys.stdout)
    count = {level: sum(p.severity == level for p in problems) for level in (ERROR, WARNING, INFO)}
    print(f"Lambda limits: {count[ERROR]} error(s), {count[WARNING]} warning(s).")
    return 1 if count[ERROR] else 0


if __name__ == "__main__":
    sys.exit(main())
