"""Shared helpers for the Asana tests: the OpenAPI spec (loaded once per process) and SDK clients."""

from __future__ import annotations

import functools
from typing import Any

import yaml
from openapi_schema_validator import OAS30ReadValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from specs import spec_file

SPEC_URI = "urn:asana-oas"




def _stringify_codes(spec: dict[str, Any]) -> None:
    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "responses" in op:
                op["responses"] = {str(k): v for k, v in op["responses"].items()}


def _nullable_allof(node: Any) -> Any:
    """OAS 3.0 quirk: Asana marks nullable refs as ``allOf: [{$ref}, {nullable: true}]``, which strict
    validators ignore (``nullable`` needs a sibling ``type``); real responses carry null there."""
    if isinstance(node, list):
        return [_nullable_allof(v) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _nullable_allof(v) for k, v in node.items()}
    members = node.get("allOf")
    if isinstance(members, list) and any(isinstance(m, dict) and m.get("nullable") for m in members):
        rest = {k: v for k, v in node.items() if k != "allOf"}
        return {**rest, "anyOf": [{"allOf": members}, {"enum": [None]}]}
    return node


@functools.lru_cache(maxsize=1)
def asana_spec() -> tuple[dict[str, Any], Registry]:
    """The Asana OpenAPI document (CSafeLoader, response codes as strings) and a ref registry."""
    with open(spec_file("asana", "asana_oas.yaml"), "rb") as fh:
        spec = yaml.load(fh, Loader=yaml.CSafeLoader)
    _stringify_codes(spec)
    spec = _nullable_allof(spec)
    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT4))
    return spec, registry


_SHARED = {400: "BadRequest", 401: "Unauthorized", 402: "PaymentRequired", 403: "Forbidden", 404: "NotFound",
           429: "TooManyRequests", 500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable",
           504: "GatewayTimeout"}


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def response_schema_pointer(method: str, template: str, status: int) -> str:
    """The JSON pointer of an operation's response schema; KeyError when the spec lacks it."""
    spec, _ = asana_spec()
    op = spec["paths"][template][method.lower()]
    # statuses an operation does not list (429 on most) use the spec's shared error responses
    response = op["responses"].get(str(status)) or {"$ref": f"#/components/responses/{_SHARED[status]}"}
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[-1]
        return f"/components/responses/{_escape(name)}/content/application~1json/schema"
    response["content"]["application/json"]["schema"]  # noqa: B018 - raises KeyError when absent
    return (f"/paths/{_escape(template)}/{method.lower()}/responses/{status}"
            "/content/application~1json/schema")


def validate_response(method: str, template: str, status: int, body: Any) -> None:
    """Validate a response body against the spec's schema for that operation and status."""
    _, registry = asana_spec()
    pointer = response_schema_pointer(method, template, status)
    validator = OAS30ReadValidator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry)
    validator.validate(body)


def sdk_client(base_url: str, token: str) -> Any:
    """An asana 5.x ApiClient pointed at an emulator, as a user would configure it."""
    import asana

    cfg = asana.Configuration()
    cfg.host = base_url
    cfg.access_token = token
    cfg.retry_strategy = None
    return asana.ApiClient(cfg)
