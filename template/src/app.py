"""The function's entry point: an API Gateway (REST, proxy) handler.

Replace the body of `lambda_handler` with your logic; keep the signature, which
template.yml names as `app.lambda_handler`.
"""

from __future__ import annotations

import json
import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

# Created once per execution environment, reused by every invocation.
# The service name comes from POWERTOOLS_SERVICE_NAME, set in template.yml.
logger = Logger()


def build_response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    """An API Gateway proxy response with a JSON body."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Greet the caller named in the `name` query parameter."""
    params = event.get("queryStringParameters") or {}
    name = params.get("name") or "world"
    logger.info("Greeting", extra={"path": event.get("path"), "greeted": name})
    return build_response(
        200,
        {"message": f"Hello, {name}!", "environment": os.environ.get("ENVIRONMENT", "local")},
    )
