"""Shared helpers for the Asana tests: the OpenAPI spec (loaded once per process), its known
deviations from the real service, the operations the emulator serves, and SDK clients."""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from typing import Any

import yaml
from openapi_schema_validator import OAS30ReadValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from specs import spec_file

SPEC_URI = "urn:asana-oas"


@dataclass(frozen=True)
class Deviation:
    """Where the emulator and the spec knowingly disagree; `patch` is merged into the spec node first."""

    #: keys (and list indexes) from the spec's root to the node to patch; or ("checks", name) for a
    #: schemathesis check not run; or ("emulator", topic) for behaviour the spec cannot express
    where: tuple[str | int, ...]
    reason: str
    patch: dict[str, Any] | None = None  # a None value removes that key


#: The one place the Asana tests record known deviations; docs/emulators-asana.md explains them.
KNOWN_DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        ("components", "schemas", "StoryBase", "properties", "sticker_name"),
        "spec bug: documented as '`null` if there is no sticker' but not marked nullable; "
        "Asana (and the emulator) answer null",
        {"nullable": True},
    ),
    Deviation(
        ("components", "schemas", "WorkspaceResponse", "allOf", 1, "properties", "email_domains", "items"),
        "spec bug: items declared `format: uri` while the spec's own example is `asana.com`, a bare "
        "domain, as Asana answers",
        {"format": None},
    ),
    Deviation(
        ("components", "schemas", "StatusUpdateBase", "allOf", 1),
        "spec conflict: text and status_type are marked required in the response, but opt_fields "
        "(documented for this operation) returns only the asked fields, as Asana does",
        {"required": None},
    ),
    Deviation(
        ("checks", "negative_data_rejection"),
        "not run: the emulator validates the inputs it acts on (ids, dates, enums, limit, the booleans it "
        "stores) but not the type of every documented query parameter (opt_pretty=60.0 reads as false); "
        "Asana does not document its answer to such input. It would also misjudge every case whose generated "
        "Authorization header the test replaces with the emulator's token",
    ),
    Deviation(
        ("emulator", "opt_fields"),
        "an opt_fields entry the spec documents but the emulator does not model (for example "
        "minimum_access_level_for_customization on a project) is a 400 'Unknown field' where Asana "
        "returns the value; every field collabsync and the SDK calls read is modelled",
    ),
    Deviation(
        ("emulator", "search and goals"),
        "not emulated: search, goals, portfolios, tags, attachments, webhooks, events; status "
        "updates take a project parent only",
    ),
)


def skipped_checks() -> set[str]:
    """Names of the schemathesis checks the known deviations turn off."""
    return {d.where[1] for d in KNOWN_DEVIATIONS if d.where[0] == "checks"}


def _apply_deviations(spec: dict[str, Any]) -> None:
    for deviation in KNOWN_DEVIATIONS:
        if deviation.where[0] in ("checks", "emulator"):
            continue
        node = spec
        for key in deviation.where:
            node = node[key]
        for key, value in (deviation.patch or {}).items():
            if value is None:
                node.pop(key, None)
            else:
                node[key] = value
        if node.get("nullable") and "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]  # OAS 3.0.3: a nullable enum must list null


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
    _apply_deviations(spec)
    spec = _nullable_allof(spec)
    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT4))
    return spec, registry


_SHARED = {
    400: "BadRequest",
    401: "Unauthorized",
    402: "PaymentRequired",
    403: "Forbidden",
    404: "NotFound",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


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
    response["content"]["application/json"]["schema"]  # raises KeyError when absent
    return f"/paths/{_escape(template)}/{method.lower()}/responses/{status}/content/application~1json/schema"


def validate_response(method: str, template: str, status: int, body: Any) -> None:
    """Validate a response body against the spec's schema for that operation and status."""
    _, registry = asana_spec()
    pointer = response_schema_pointer(method, template, status)
    validator = OAS30ReadValidator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry)
    validator.validate(body)


def served_operations() -> list[tuple[str, str]]:
    """(method, spec path template) of every route the emulator serves, from its routing table."""
    from collabsync.testing.asana import AsanaEmulator
    from collabsync.testing.asana_http import PREFIX

    out = []
    for rule in AsanaEmulator.rules:
        template = re.sub(r"<([a-z_]+)>", r"{\1}", rule.rule.removeprefix(PREFIX))
        out += [(m.lower(), template) for m in sorted(rule.methods or ()) if m not in ("HEAD", "OPTIONS")]
    return out


def served_spec() -> dict[str, Any]:
    """The spec cut down to the served operations (KeyError when the emulator serves one it lacks)."""
    spec, _ = asana_spec()
    paths: dict[str, Any] = {}
    for method, template in served_operations():
        item = spec["paths"][template]
        paths.setdefault(template, {k: v for k, v in item.items() if k == "parameters"})[method] = item[method]
    return {**{k: v for k, v in spec.items() if k != "paths"}, "paths": copy.deepcopy(paths)}


def sdk_client(base_url: str, token: str) -> Any:
    """An asana 5.x ApiClient pointed at an emulator, as a user would configure it."""
    import asana

    cfg = asana.Configuration()
    cfg.host = base_url
    cfg.access_token = token
    cfg.retry_strategy = None
    return asana.ApiClient(cfg)
