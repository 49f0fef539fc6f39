"""Unit tests of the handler: no AWS account needed."""

from __future__ import annotations

import json

import app


def test_greets_the_name_from_the_query_string(api_event, lambda_context):
    response = app.lambda_handler(api_event, lambda_context)

    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json"
    assert json.loads(response["body"])["message"] == "Hello, Ada!"


def test_greets_the_world_without_a_query_string(api_event, lambda_context):
    api_event["queryStringParameters"] = None

    response = app.lambda_handler(api_event, lambda_context)

    assert json.loads(response["body"])["message"] == "Hello, world!"


def test_reports_the_environment_it_runs_in(api_event, lambda_context, monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "staging")

    response = app.lambda_handler(api_event, lambda_context)

    assert json.loads(response["body"])["environment"] == "staging"


def test_logs_one_structured_line_with_the_request_id(api_event, lambda_context, log_lines):
    app.lambda_handler(api_event, lambda_context)

    greeting = [line for line in log_lines() if line["message"] == "Greeting"]
    assert len(greeting) == 1
    assert greeting[0]["function_request_id"] == lambda_context.aws_request_id
    assert greeting[0]["greeted"] == "Ada"
