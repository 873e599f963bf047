"""Route requests by GitHub's published REST description and check them against it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    oas30_format_checker,
)
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_PATH = Path(__file__).resolve().parent.parent / "fixtures/openapi/github-subset.json"
SPEC_URI = "urn:github-rest-subset"
METHODS = ("get", "post", "put", "patch", "delete", "head")
# GitHub accepts a label name with an unencoded "/" in this route (and PyGithub sends it so),
# although the description does not mark the parameter multi-segment.
LENIENT_MULTI_SEGMENT = {("/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", "name")}


def escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Operation:
    """One method on one path template, with its parameters resolved."""

    method: str
    template: str
    pointer: str
    parameters: tuple[dict[str, Any], ...]
    body_schema: str | None
    body_required: bool


@dataclass(frozen=True)
class Route:
    """A compiled path template."""

    template: str
    pattern: re.Pattern[str]
    greedy: int
    literal: int


class Description:
    """The REST description subset, indexed for routing and validation."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        resource = Resource.from_contents(doc, default_specification=DRAFT4)
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self.operations = {
            (method.upper(), template): self._operation(method, template)
            for template, item in doc["paths"].items()
            for method in METHODS
            if method in item
        }
        routes = [self._route(template) for template in doc["paths"]]
        self.routes = sorted(routes, key=lambda r: (r.greedy, -r.literal))
        self._validators: dict[str, Any] = {}

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> Description:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def deref(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.registry.resolver(SPEC_URI).lookup(f"{SPEC_URI}{node['$ref']}").contents
        return node

    def _operation(self, method: str, template: str) -> Operation:
        item = self.doc["paths"][template]
        op = item[method]
        params = [self.deref(p) for p in item.get("parameters", []) + op.get("parameters", [])]
        pointer = f"#/paths/{escape_pointer(template)}/{method}"
        body = self.deref(op["requestBody"]) if "requestBody" in op else None
        has_json = body is not None and "application/json" in body.get("content", {})
        return Operation(
            method=method.upper(),
            template=template,
            pointer=pointer,
            parameters=tuple(params),
            body_schema=f"{pointer}/requestBody/content/application~1json/schema"
            if has_json
            else None,
            body_required=bool(body and body.get("required")),
        )

    def _route(self, template: str) -> Route:
        parts = re.split(r"(\{[^}]+\})", template)
        regex, greedy, literal = "", 0, 0
        for part in parts:
            if not part.startswith("{"):
                regex += re.escape(part)
                literal += len(part)
                continue
            name = part[1:-1]
            if self._multi_segment(template, name):
                regex += f"(?P<{name}>.+)"
                greedy += 1
            else:
                regex += f"(?P<{name}>[^/]+)"
        return Route(template, re.compile(f"^{regex}$"), greedy, literal)

    def _multi_segment(self, template: str, name: str) -> bool:
        if (template, name) in LENIENT_MULTI_SEGMENT:
            return True
        for method in METHODS:
            op = self.doc["paths"][template].get(method)
            for param in [] if op is None else op.get("parameters", []):
                param = self.deref(param)
                if param.get("name") == name and param.get("in") == "path":
                    return bool(param.get("x-multi-segment"))
        return False

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        """Return the template ``path`` belongs to and its path parameters."""
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                return route.template, found.groupdict()
        return None

    def validator(self, pointer: str, *, write: bool) -> Any:
        key = f"{'w' if write else 'r'}{pointer}"
        if key not in self._validators:
            cls = OAS30WriteValidator if write else OAS30ReadValidator
            schema = {"$ref": f"{SPEC_URI}{pointer}"}
            self._validators[key] = cls(
                schema, registry=self.registry, format_checker=oas30_format_checker
            )
        return self._validators[key]


def coerce(raw: str, schema: dict[str, Any]) -> Any:
    """Turn a query or path string into the type its schema names, or raise ValueError."""
    kind = schema.get("type")
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError(raw)
        return raw == "true"
    return raw


def check_parameters(
    spec: Description, op: Operation, path_params: dict[str, str], query: dict[str, str]
) -> list[str]:
    """Report missing required parameters and values that do not fit their schema."""
    problems: list[str] = []
    sources = {"path": path_params, "query": query}
    for param in op.parameters:
        where, name = param["in"], param["name"]
        if where not in sources:
            continue
        values = sources[where]
        if name not in values:
            if param.get("required"):
                problems.append(f"missing required {where} parameter {name!r}")
            continue
        schema = spec.deref(param.get("schema", {}))
        try:
            value = coerce(values[name], schema)
        except ValueError:
            problems.append(f"{where} parameter {name!r}={values[name]!r} is not {schema['type']}")
            continue
        validator = OAS30WriteValidator(schema, format_checker=oas30_format_checker)
        problems += [
            f"{where} parameter {name!r}: {e.message}" for e in validator.iter_errors(value)
        ]
    return problems


def check_body(spec: Description, op: Operation, body: Any, present: bool) -> list[str]:
    """Validate a JSON request body against the operation's ``requestBody`` schema."""
    if not present:
        return ["missing required request body"] if op.body_required else []
    if op.body_schema is None:
        return [f"{op.method} {op.template} takes no request body"]
    validator = spec.validator(op.body_schema, write=True)
    return [
        f"body{''.join(f'[{p!r}]' for p in e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(body)
    ]


def check_response(spec: Description, op: Operation, status: int, body: Any) -> list[str]:
    """Validate a JSON response against the schema documented for its status."""
    responses = spec.doc["paths"][op.template][op.method.lower()]["responses"]
    key = str(status) if str(status) in responses else "default"
    if key not in responses:
        # The description lists few of the error statuses GitHub really sends; only a
        # success status missing from it means the simulator answers unlike GitHub.
        return [] if status >= 400 else [f"status {status} not documented for {op.template}"]
    response = spec.deref(responses[key])
    if "application/json" not in response.get("content", {}) or body is None:
        return []
    pointer = f"{op.pointer}/responses/{key}"
    if "$ref" in responses[key]:
        pointer = responses[key]["$ref"]
    validator = spec.validator(f"{pointer}/content/application~1json/schema", write=False)
    return [
        f"response{''.join(f'[{p!r}]' for p in e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(body)
    ]
