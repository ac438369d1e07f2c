"""Validate HTTP bodies against Allegro's OpenAPI 3.0 description.

Loads ``allegro-openapi.yaml`` once per process (through a JSON cache in the
build folder when one is configured), turns its OpenAPI 3.0 schemas into
JSON Schema (draft 4 semantics, the closest match to OpenAPI 3.0) and checks
a response (method, path, status, content type, body) or a request body
against the schema of the matching operation.

Only Debian's python3-yaml and python3-jsonschema are needed; both the
RefResolver-era jsonschema (Debian 12: 4.10) and the referencing-era one
(4.18+) work, because every ``$ref`` is rewritten into one local document
(with 4.10 a single shared RefResolver keeps validation fast).

OpenAPI 3.0 specifics handled:

* ``nullable: true`` becomes a JSON Schema type list (or ``anyOf`` with
  ``{"type": "null"}`` when the schema has no ``type``); enums gain ``None``.
* ``discriminator``, ``xml``, ``example``, ``externalDocs`` and the like are
  dropped; ``readOnly`` properties are not required.
* ``format`` is not checked strictly: only ``date-time``, ``date`` and
  ``uuid`` are checked, and only when ``check_formats`` is true. The file
  uses many made-up formats ("ISO 4217", "BCP-47 language code"...), which
  are ignored.
* Non-standard types in the file (``float``, ``dictionary``) are mapped to
  ``number`` and ``object``; anything else unknown is dropped.

Null policy. The official file marks very few fields ``nullable``, yet the
live API (and the reference document's own examples, e.g. ``companyName``,
``deposit``, ``carrierName``) sends ``null`` for absent optional fields. The
default policy ``nulls="optional"`` therefore accepts ``null`` for any
property that its object does not list in ``required``. ``nulls="strict"``
follows the file to the letter. Set ``NADAJNIK_OPENAPI_STRICT_NULLS=1`` to
make strict the default.

Undeclared properties. JSON Schema lets members that ``properties`` does not
declare through. By default a body with such a member fails too (it catches
``zipcode`` for ``zipCode``); every example in the reference document passes
this check. ``NADAJNIK_OPENAPI_ALLOW_UNDECLARED=1`` turns it off.

Errata. A few schemas of the file contradict the reference document; they
are corrected before use and listed in ``SPEC_ERRATA`` (e.g. CheckoutForms
``count``/``totalCount`` have ``minimum: 1``, which makes an empty page
invalid). ``NADAJNIK_OPENAPI_NO_ERRATA=1`` uses the file exactly as it is.

Error bodies. Many operations document an error status with no content
(e.g. ``GET /order/events`` 401/422). For those, the body is checked against
a fallback: ``AuthError`` for 401, ``ErrorsHolder`` (with ``errors``
required and each error's ``code`` and ``message`` required) for other
4xx/5xx, as the reference document (sections 1.7 and 7.1) describes.
Statuses any call may get (401, 403, 406, 415, 429, 5xx) are accepted for
every operation; other undocumented statuses fail. A 401 sent as plain
``application/json`` is accepted where the file lists the vendor type.

Environment:

* ``NADAJNIK_ALLEGRO_OPENAPI``: path to allegro-openapi.yaml (default: the
  ``shared/reference`` folder beside the repository).
* ``NADAJNIK_OPENAPI_CACHE_DIR``: where to keep the JSON cache (default: a
  ``conformance-cache`` folder next to ``NADAJNIK_SANDBOX_BINARY`` when that
  is set, otherwise no cache).
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import os
import re
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

import jsonschema

try:  # the C loader is ~3x faster; Debian's python3-yaml ships it
    import yaml

    _YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
except ImportError:  # pragma: no cover - reported when the spec is loaded
    yaml = None
    _YAML_LOADER = None

VENDOR_JSON = "application/vnd.allegro.public.v1+json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Statuses the reference document says any REST call can get whatever the
# operation lists: 401 (token), 403 (scope), 406 (Accept), 415 (Content-Type),
# 429 (rate limit) and server errors (sections 0, 1.7, 7.2, 7.3).
GENERIC_ERROR_STATUSES = frozenset({401, 403, 406, 415, 429, 500, 502, 503, 504})

_CACHE_FORMAT = 1  # bump when the cached content's shape changes


def _jsonschema_version() -> Tuple[int, int]:
    try:
        from importlib.metadata import version

        text = version("jsonschema")
    except Exception:  # noqa: BLE001 - any failure: assume a recent version
        return (99, 0)
    nums = [int(n) for n in re.findall(r"\d+", text)[:2]]
    return (nums + [0, 0])[0], (nums + [0, 0])[1]


_OLD_JSONSCHEMA = _jsonschema_version() < (4, 18)
_REF_PREFIX = "#/components/"
_MAX_VALUE_CHARS = 200
_MAX_REPORTED_ERRORS = 8

_TYPE_ALIASES = {"float": "number", "double": "number", "int": "integer", "dictionary": "object", "map": "object"}
_JSON_TYPES = {"string", "number", "integer", "boolean", "array", "object", "null"}
# OpenAPI keywords with no JSON Schema meaning, or whose values are not schemas.
_DROP_KEYS = {
    "discriminator",
    "xml",
    "externalDocs",
    "example",
    "examples",
    "deprecated",
    "nullable",
    "readOnly",
    "writeOnly",
    "title",
    "description",
}
_SCHEMA_MAP_KEYS = ("properties", "patternProperties", "definitions")
_SCHEMA_LIST_KEYS = ("allOf", "anyOf", "oneOf")
_SCHEMA_KEYS = ("items", "not", "additionalProperties", "additionalItems")


class OpenApiError(Exception):
    """The spec cannot be loaded, or an operation/status cannot be found in it."""


class SchemaValidationFailure(AssertionError):
    """A body does not match its schema. An AssertionError, so unittest reports a failure."""

    def __init__(self, message: str, errors: List[str]):
        super().__init__(message)
        self.errors = errors


@dataclass
class ValidationResult:
    """What was checked: the schema used and whether it was the operation's own."""

    operation: str
    status: int
    schema_ref: Optional[str]
    schema_source: str  # "operation", "fallback" or "none" (nothing to check)
    content_type: Optional[str]
    notes: List[str] = field(default_factory=list)


def _truncate(value: Any, limit: int = _MAX_VALUE_CHARS) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _json_pointer(parts: Iterable[Any]) -> str:
    out = []
    for p in parts:
        out.append(str(p).replace("~", "~0").replace("/", "~1"))
    return "/" + "/".join(out) if out else "(root)"


def _media_type(content_type: Optional[str]) -> Optional[str]:
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower()


def default_spec_path() -> str:
    env = os.environ.get("NADAJNIK_ALLEGRO_OPENAPI")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    candidates = [
        os.path.join(os.path.dirname(repo), "shared", "reference", "allegro-openapi.yaml"),
        os.path.join(repo, "shared", "reference", "allegro-openapi.yaml"),
        "/work/shared/reference/allegro-openapi.yaml",
    ]
    for c in candidates:
        if os.path.exists(c):
            return c
    return candidates[0]


def default_cache_dir() -> Optional[str]:
    env = os.environ.get("NADAJNIK_OPENAPI_CACHE_DIR")
    if env:
        return env
    binary = os.environ.get("NADAJNIK_SANDBOX_BINARY")
    if binary:
        return os.path.join(os.path.dirname(os.path.abspath(binary)), "conformance-cache")
    return None


# --------------------------------------------------------------------------- translation


class _Translator:
    """OpenAPI 3.0 schema objects -> draft-4 JSON Schema with local refs."""

    def __init__(self, nulls: str):
        if nulls not in ("optional", "strict"):
            raise ValueError("nulls must be 'optional' or 'strict'")
        self.nulls = nulls
        self.notes: List[str] = []

    @staticmethod
    def ref(ref: str) -> str:
        # "#/components/schemas/X" -> "#/definitions/schemas/X"; every component
        # kind (schemas, responses, requestBodies, parameters) gets its own map.
        if ref.startswith(_REF_PREFIX):
            return "#/definitions/" + ref[len(_REF_PREFIX) :]
        raise OpenApiError(f"unsupported $ref {ref!r} (only local #/components/... refs are handled)")

    @staticmethod
    def _nullable(schema: Dict[str, Any]) -> Dict[str, Any]:
        if "$ref" in schema or "type" not in schema:
            if schema.get("type") == "null":
                return schema
            return {"anyOf": [{"type": "null"}, schema]}
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if "null" not in types:
            schema["type"] = types + ["null"]
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = list(schema["enum"]) + [None]
        return schema

    def schema(self, node: Any, where: str) -> Any:
        if not isinstance(node, dict):
            return node
        if "$ref" in node:  # OpenAPI 3.0: siblings of $ref are ignored
            return {"$ref": self.ref(node["$ref"])}
        out: Dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROP_KEYS or key.startswith("x-"):
                continue
            if key == "type":
                value = self._type(value, where)
                if value is None:
                    continue
            elif key in _SCHEMA_MAP_KEYS and isinstance(value, dict):
                value = {k: self.schema(v, f"{where}/{key}/{k}") for k, v in value.items()}
            elif key in _SCHEMA_LIST_KEYS and isinstance(value, list):
                value = [self.schema(v, f"{where}/{key}/{i}") for i, v in enumerate(value)]
            elif key in _SCHEMA_KEYS and isinstance(value, dict):
                value = self.schema(value, f"{where}/{key}")
            elif key == "format":
                value = value if value in ("date-time", "date", "uuid") else None
                if value is None:
                    continue
            elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
                continue  # draft 4 wants booleans; none of the file's values are numbers
            out[key] = value
        props = node.get("properties") if isinstance(node.get("properties"), dict) else None
        if props:
            read_only = {k for k, v in props.items() if isinstance(v, dict) and v.get("readOnly")}
            if "required" in out and isinstance(out["required"], list):
                req = [r for r in out["required"] if r not in read_only]
                if req:
                    out["required"] = req
                else:
                    del out["required"]
            if self.nulls == "optional":
                required = set(out.get("required", ()))
                for name in list(out["properties"]):
                    if name not in required:
                        out["properties"][name] = self._nullable(out["properties"][name])
        if node.get("nullable") is True:
            out = self._nullable(out)
        return out

    def _type(self, value: Any, where: str) -> Any:
        if isinstance(value, list):
            mapped = [self._type(v, where) for v in value]
            mapped = [m for m in mapped if m]
            return mapped or None
        if not isinstance(value, str):
            return None
        if value in _JSON_TYPES:
            return value
        if value in _TYPE_ALIASES:
            self.notes.append(f"{where}: non-standard type {value!r} read as {_TYPE_ALIASES[value]!r}")
            return _TYPE_ALIASES[value]
        self.notes.append(f"{where}: unknown type {value!r} ignored")
        return None


# --------------------------------------------------------------------------- formats


_DATE_TIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def _dt(value: Any) -> bool:
        if not isinstance(value, str):
            return True
        if not _DATE_TIME_RE.match(value):
            raise ValueError("not an RFC 3339 date-time")
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00")[:19])
        return True

    @checker.checks("date", raises=ValueError)
    def _date(value: Any) -> bool:
        if not isinstance(value, str):
            return True
        datetime.date.fromisoformat(value)
        return True

    @checker.checks("uuid", raises=ValueError)
    def _uuid(value: Any) -> bool:
        if not isinstance(value, str):
            return True
        uuid.UUID(value)
        return True

    return checker


# --------------------------------------------------------------------------- spec


# Shapes the OpenAPI file does not describe: the OAuth host (reference
# document sections 1.3, 1.4 and 1.6).
OAUTH_SCHEMAS: Dict[str, Dict[str, Any]] = {
    "TokenResponse": {
        "type": "object",
        "required": ["access_token", "token_type", "expires_in"],
        "properties": {
            "access_token": {"type": "string", "minLength": 1},
            "token_type": {"type": "string", "enum": ["bearer", "Bearer"]},
            "refresh_token": {"type": "string", "minLength": 1},
            "expires_in": {"type": "integer", "minimum": 1},
            "scope": {"type": "string"},
            "allegro_api": {"type": "boolean"},
            "jti": {"type": "string"},
        },
    },
    "DeviceCodeResponse": {
        "type": "object",
        "required": ["device_code", "user_code", "verification_uri", "expires_in", "interval"],
        "properties": {
            "device_code": {"type": "string", "minLength": 1},
            "user_code": {"type": "string", "minLength": 1},
            "verification_uri": {"type": "string"},
            "verification_uri_complete": {"type": "string"},
            "expires_in": {"type": "integer", "minimum": 1},
            "interval": {"type": "integer", "minimum": 0},
        },
    },
    "OAuthError": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "minLength": 1},
            "error_description": {"type": "string"},
            "scope": {"type": "string"},
        },
    },
}

# Fallback for error statuses the file lists without content: the documented
# REST error shape (reference document section 7.1), a little stricter than
# the file's ErrorsHolder (which requires nothing).
_FALLBACK_ERRORS_HOLDER = {
    "allOf": [
        {"$ref": "#/definitions/schemas/ErrorsHolder"},
        {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "object", "required": ["code", "message"]},
                }
            },
        },
    ]
}


# Known mistakes of the official file, corrected before translation. Each
# entry: (schema name, property, keyword, corrected value or _DELETE, why).
# NADAJNIK_OPENAPI_NO_ERRATA=1 validates against the file exactly as it is.
_DELETE = object()
SPEC_ERRATA: List[Tuple[str, str, str, Any, str]] = [
    (
        "CheckoutForms",
        "count",
        "minimum",
        0,
        "the file says minimum 1, so an empty page (a filter matching nothing, an offset past the end) "
        "could never be valid; the reference document (3.1) pages with offset and filters",
    ),
    (
        "CheckoutForms",
        "totalCount",
        "minimum",
        0,
        "as count: a filter that matches no order has totalCount 0",
    ),
]


def _apply_errata(schemas: Dict[str, Any]) -> Tuple[Dict[str, Any], List[str]]:
    """A copy of components/schemas with SPEC_ERRATA applied (only the touched schemas are copied)."""
    out = dict(schemas)
    applied: List[str] = []
    for name, prop, keyword, value, why in SPEC_ERRATA:
        schema = out.get(name)
        if not isinstance(schema, dict) or prop not in (schema.get("properties") or {}):
            continue
        schema = copy.deepcopy(schema)
        target = schema["properties"][prop]
        if value is _DELETE:
            target.pop(keyword, None)
        else:
            target[keyword] = value
        out[name] = schema
        applied.append(f"{name}.{prop}: {keyword} -> {'(removed)' if value is _DELETE else value!r} ({why})")
    return out, applied


@dataclass
class Operation:
    method: str
    template: str
    op: Dict[str, Any]
    path_item: Dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.template}"

    @property
    def operation_id(self) -> str:
        return self.op.get("operationId", "")


class OpenApiSpec:
    """The parsed file plus translated schemas. Use ``OpenApiSpec.shared()``."""

    _shared: Dict[Tuple[str, str, bool, bool], "OpenApiSpec"] = {}
    _raw: Dict[str, Tuple[Dict[str, Any], float, bool]] = {}
    _lock = threading.Lock()

    def __init__(
        self,
        raw: Dict[str, Any],
        *,
        nulls: str = "optional",
        check_formats: bool = True,
        forbid_undeclared: bool = True,
        apply_errata: Optional[bool] = None,
        source: str = "",
        load_seconds: float = 0.0,
        from_cache: bool = False,
    ):
        self.raw = raw
        self.source = source
        self.nulls = nulls
        self.check_formats = check_formats
        self.forbid_undeclared = forbid_undeclared
        self.from_cache = from_cache
        t0 = time.perf_counter()
        if apply_errata is None:
            apply_errata = os.environ.get("NADAJNIK_OPENAPI_NO_ERRATA") != "1"
        self.errata_applied: List[str] = []
        translator = _Translator(nulls)
        components = raw.get("components", {})
        definitions: Dict[str, Any] = {}
        for kind in ("schemas", "responses", "parameters", "requestBodies", "headers"):
            section = components.get(kind) or {}
            if kind == "schemas" and apply_errata:
                section, self.errata_applied = _apply_errata(section)
            if kind == "schemas":
                definitions[kind] = {
                    name: translator.schema(s, f"#/components/schemas/{name}") for name, s in section.items()
                }
            else:
                # Non-schema components are only looked up through _deref; they
                # are kept raw here so refs into them stay resolvable.
                definitions[kind] = section
        definitions["oauth"] = {k: translator.schema(v, f"oauth/{k}") for k, v in OAUTH_SCHEMAS.items()}
        definitions["fallback"] = {"ErrorsHolder": _FALLBACK_ERRORS_HOLDER}
        self.definitions = definitions
        self.translation_notes = translator.notes
        self._translator = translator
        self.load_seconds = load_seconds
        self.translate_seconds = time.perf_counter() - t0
        self._format_checker = _format_checker() if check_formats else None
        self._validator_cls = jsonschema.Draft4Validator
        # jsonschema before 4.18 (Debian 12 has 4.10) walks the whole root schema
        # once per RefResolver; one shared resolver keeps that to once per process
        # (without it a suite runs ~8x slower). 4.18+ resolves local refs itself.
        self._resolver = None
        if _OLD_JSONSCHEMA:
            self._resolver = jsonschema.RefResolver.from_schema(
                {"definitions": self.definitions}, id_of=lambda _schema: ""
            )
        self._routes = self._build_routes()

    # ----------------------------------------------------------------- loading

    @classmethod
    def shared(
        cls,
        path: Optional[str] = None,
        *,
        nulls: Optional[str] = None,
        check_formats: bool = True,
        forbid_undeclared: Optional[bool] = None,
    ) -> "OpenApiSpec":
        """One instance per (file, policies) and process; the file itself is read once."""
        path = os.path.abspath(path or default_spec_path())
        if nulls is None:
            nulls = "strict" if os.environ.get("NADAJNIK_OPENAPI_STRICT_NULLS") == "1" else "optional"
        if forbid_undeclared is None:
            forbid_undeclared = os.environ.get("NADAJNIK_OPENAPI_ALLOW_UNDECLARED") != "1"
        key = (path, nulls, check_formats, forbid_undeclared)
        with cls._lock:
            spec = cls._shared.get(key)
            if spec is None:
                if path not in cls._raw:
                    cls._raw[path] = load_raw_spec(path, default_cache_dir())
                raw, seconds, from_cache = cls._raw[path]
                spec = cls(
                    raw,
                    nulls=nulls,
                    check_formats=check_formats,
                    forbid_undeclared=forbid_undeclared,
                    source=path,
                    load_seconds=seconds,
                    from_cache=from_cache,
                )
                cls._shared[key] = spec
            return spec

    def describe_load(self) -> str:
        how = "JSON cache" if self.from_cache else "YAML"
        return (
            f"{os.path.basename(self.source) or 'spec'}: {len(self.raw.get('paths', {}))} paths, "
            f"{len(self.definitions['schemas'])} schemas; read from {how} in {self.load_seconds:.3f}s, "
            f"translated in {self.translate_seconds:.3f}s "
            f"(nulls={self.nulls}, formats={'checked' if self.check_formats else 'off'}, "
            f"undeclared properties={'fail' if self.forbid_undeclared else 'allowed'}, "
            f"errata applied={len(self.errata_applied)})"
        )

    # ----------------------------------------------------------------- routes

    def _build_routes(self) -> List[Tuple[Tuple[str, ...], str]]:
        routes = []
        for template in self.raw.get("paths", {}):
            segs = tuple(template.strip("/").split("/")) if template.strip("/") else ()
            routes.append((segs, template))
        return routes

    def match_path(self, path: str) -> str:
        """A concrete path (query string allowed) -> its template. Literal segments beat parameters."""
        path = path.split("?", 1)[0]
        if path in self.raw.get("paths", {}):
            return path
        segs = tuple(path.strip("/").split("/")) if path.strip("/") else ()
        best: Optional[Tuple[int, str]] = None
        for tsegs, template in self._routes:
            if len(tsegs) != len(segs):
                continue
            literal = 0
            for t, s in zip(tsegs, segs):
                if t.startswith("{") and t.endswith("}"):
                    if not s:
                        break
                elif t == s:
                    literal += 1
                else:
                    break
            else:
                if best is None or literal > best[0]:
                    best = (literal, template)
        if best is None:
            raise OpenApiError(f"no path in the OpenAPI file matches {path!r}")
        return best[1]

    def operation(self, method: str, path: str) -> Operation:
        template = self.match_path(path)
        item = self._deref(self.raw["paths"][template])
        op = item.get(method.lower())
        if op is None:
            methods = sorted(m.upper() for m in item if m in HTTP_METHODS)
            raise OpenApiError(f"{method.upper()} {template} is not in the OpenAPI file (it has {', '.join(methods)})")
        return Operation(method.lower(), template, op, item)

    # ----------------------------------------------------------------- lookups

    def _deref(self, node: Any, seen: int = 0) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith(_REF_PREFIX):
                raise OpenApiError(f"unsupported $ref {ref!r}")
            cur: Any = self.raw
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(cur, dict) or part not in cur:
                    raise OpenApiError(f"dangling $ref {ref!r}")
                cur = cur[part]
            node = cur
            seen += 1
            if seen > 50:
                raise OpenApiError(f"$ref loop at {ref!r}")
        return node

    def parameters(self, method: str, path: str) -> List[Dict[str, Any]]:
        """Path-item and operation parameters, refs resolved (operation wins on name+in)."""
        op = self.operation(method, path)
        params: Dict[Tuple[str, str], Dict[str, Any]] = {}
        for p in list(op.path_item.get("parameters", [])) + list(op.op.get("parameters", [])):
            p = self._deref(p)
            params[(p.get("name"), p.get("in"))] = p
        return list(params.values())

    def documented_statuses(self, method: str, path: str) -> List[str]:
        return list(self.operation(method, path).op.get("responses", {}).keys())

    def response_content(self, method: str, path: str, status: int) -> Tuple[Operation, Optional[str], Dict[str, Any]]:
        """(operation, the response key that matched or None, that response's content map)."""
        op = self.operation(method, path)
        responses = op.op.get("responses", {})
        for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
            if key in responses:
                resp = self._deref(responses[key])
                return op, key, resp.get("content") or {}
        return op, None, {}

    def response_schema_ref(self, method: str, path: str, status: int, content_type: str = VENDOR_JSON) -> Optional[str]:
        """The ``$ref`` (OpenAPI form) of the documented response schema, or None."""
        _, _, content = self.response_content(method, path, status)
        media = content.get(_media_type(content_type)) or {}
        schema = media.get("schema") or {}
        return schema.get("$ref")

    # ----------------------------------------------------------------- validation

    def _validator(self, schema: Dict[str, Any]):
        if self._resolver is not None:
            return self._validator_cls(schema, resolver=self._resolver, format_checker=self._format_checker)
        root = {"definitions": self.definitions}
        root.update(schema)
        return self._validator_cls(root, format_checker=self._format_checker)

    def schema_for_ref(self, ref: str) -> Dict[str, Any]:
        return {"$ref": self._translator.ref(ref)}

    def _check(self, schema: Dict[str, Any], body: Any, what: str, schema_label: str) -> None:
        errors = list(self._validator(schema).iter_errors(body))
        lines = _describe_errors(errors) if errors else []
        if not lines and self.forbid_undeclared:
            lines = [
                f"at {p}: property not declared by the schema (misspelt or invented field?)"
                f" [value: {_truncate(_at_pointer(body, p))}]"
                for p in self.undeclared_properties(schema, body)
            ]
        if not lines:
            return
        shown = lines[:_MAX_REPORTED_ERRORS]
        more = len(lines) - len(shown)
        message = (
            f"{what}: body does not match {schema_label} ({len(lines)} problem{'s' if len(lines) != 1 else ''}):\n  "
            + "\n  ".join(shown)
            + (f"\n  ... and {more} more" if more > 0 else "")
            + f"\n  body: {_truncate(body, 400)}"
        )
        raise SchemaValidationFailure(message, lines)

    def validate_schema(self, ref_or_name: str, body: Any, what: str = "") -> None:
        """Validate against one named schema: 'CheckoutForm', '#/components/schemas/X' or 'oauth/TokenResponse'."""
        if ref_or_name.startswith("#/"):
            local = self._translator.ref(ref_or_name)
        elif "/" in ref_or_name:
            local = "#/definitions/" + ref_or_name
        else:
            local = "#/definitions/schemas/" + ref_or_name
        self._resolve_local(local)
        self._check({"$ref": local}, body, what or ref_or_name, ref_or_name)

    def _resolve_local(self, local: str) -> None:
        cur: Any = {"definitions": self.definitions}
        for part in local[2:].split("/"):
            if not isinstance(cur, dict) or part not in cur:
                raise OpenApiError(f"no schema {local!r}")
            cur = cur[part]

    def validate_response(
        self,
        method: str,
        path: str,
        status: int,
        body: Any,
        content_type: Optional[str] = VENDOR_JSON,
        *,
        allow_undocumented: Iterable[int] = (),
        empty: bool = False,
    ) -> ValidationResult:
        """Check one response. ``body`` is the decoded JSON (``empty=True`` for no body).

        Fails (SchemaValidationFailure) when: the status is not documented for the
        operation (statuses in GENERIC_ERROR_STATUSES and ``allow_undocumented``
        excepted); a documented body is missing; the content type is not one the
        operation lists for that status; or the body does not match the schema.
        """
        op, key, content = self.response_content(method, path, status)
        what = f"{op.name} ({op.operation_id}) -> {status}"
        notes: List[str] = []
        media = _media_type(content_type)
        if key is None:
            documented = ", ".join(op.op.get("responses", {}).keys())
            if status not in GENERIC_ERROR_STATUSES and status not in set(allow_undocumented):
                raise SchemaValidationFailure(
                    f"{what}: status {status} is not documented for this operation (documented: {documented})",
                    [f"undocumented status {status}"],
                )
            notes.append(f"status {status} not listed for the operation (documented: {documented}); generic error")
        if content:
            if empty:
                raise SchemaValidationFailure(
                    f"{what}: expected a body ({', '.join(content)}), got none", ["missing body"]
                )
            if media not in content and status == 401 and media == "application/json" and len(content) == 1:
                # The OAuth layer answers before content negotiation; the reference
                # document (1.7) gives the body, not its media type. Accept plain JSON.
                notes.append(f"401 sent as application/json; the file documents {', '.join(content)}")
                media = next(iter(content))
            if media not in content:
                raise SchemaValidationFailure(
                    f"{what}: Content-Type {content_type!r} is not documented; expected one of {', '.join(content)}",
                    [f"content type {content_type}"],
                )
            schema = (content[media] or {}).get("schema")
            if schema is None:
                return ValidationResult(op.name, status, None, "none", media, notes)
            if not _is_json_media(media):
                return ValidationResult(op.name, status, None, "none", media, notes + ["non-JSON body not checked"])
            ref = schema.get("$ref")
            label = ref or f"the inline schema of {op.name} {status}"
            translated = self._translator.schema(schema, f"{op.name} {status}")
            self._check(translated, body, what, label)
            return ValidationResult(op.name, status, ref, "operation", media, notes)
        # Nothing documented for this status (no content): check documented error shapes.
        if empty or status < 400:
            if not empty and status in (204, 304):
                raise SchemaValidationFailure(f"{what}: status {status} must not carry a body", ["body on 204"])
            return ValidationResult(op.name, status, None, "none", media, notes)
        if media is not None and not _is_json_media(media):
            raise SchemaValidationFailure(
                f"{what}: error body has Content-Type {content_type!r}; expected {VENDOR_JSON} or application/json",
                [f"content type {content_type}"],
            )
        if status == 401:
            ref, local = "#/components/schemas/AuthError", "#/definitions/schemas/AuthError"
        else:
            ref, local = "ErrorsHolder (errors[].code and .message required)", "#/definitions/fallback/ErrorsHolder"
        self._check({"$ref": local}, body, what, f"{ref} [fallback: the file lists no body for this status]")
        return ValidationResult(op.name, status, ref, "fallback", media, notes)

    def validate_request(
        self, method: str, path: str, body: Any, content_type: str = VENDOR_JSON
    ) -> ValidationResult:
        """Check a request body against the operation's requestBody schema."""
        op = self.operation(method, path)
        rb = op.op.get("requestBody")
        what = f"{op.name} ({op.operation_id}) request"
        if rb is None:
            raise SchemaValidationFailure(f"{what}: the operation takes no request body", ["no requestBody"])
        rb = self._deref(rb)
        content = rb.get("content") or {}
        media = _media_type(content_type)
        if media not in content:
            raise SchemaValidationFailure(
                f"{what}: Content-Type {content_type!r} not documented; expected one of {', '.join(content)}",
                [f"content type {content_type}"],
            )
        schema = (content[media] or {}).get("schema")
        if schema is None or not _is_json_media(media):
            return ValidationResult(op.name, 0, None, "none", media)
        ref = schema.get("$ref")
        self._check(self._translator.schema(schema, what), body, what, ref or "the inline request schema")
        return ValidationResult(op.name, 0, ref, "operation", media)


    # ----------------------------------------------------------------- undeclared properties

    def undeclared_properties(self, schema: Dict[str, Any], body: Any) -> List[str]:
        """JSON pointers of object members that no ``properties`` of the schema declares.

        JSON Schema (and so ``validate_*``) lets undeclared members through; this
        catches misspelt field names (``zipcode`` for ``zipCode``). Objects whose
        schema has ``additionalProperties`` or no ``properties`` at all are open.
        For anyOf/oneOf the first branch the value matches is followed.
        """
        out: List[str] = []
        self._undeclared(schema, body, [], out, 0)
        return out

    def undeclared_in_response(self, method: str, path: str, status: int, body: Any) -> List[str]:
        _, _, content = self.response_content(method, path, status)
        schema = (content.get(VENDOR_JSON) or next(iter(content.values()), {}) or {}).get("schema")
        if not schema:
            return []
        return self.undeclared_properties(self._translator.schema(schema, "undeclared"), body)

    def _local(self, ref: str) -> Dict[str, Any]:
        cur: Any = {"definitions": self.definitions}
        for part in ref[2:].split("/"):
            cur = cur[part]
        return cur

    def _undeclared(self, schema: Any, value: Any, where: List[Any], out: List[str], depth: int) -> None:
        self._undeclared_all([schema], value, where, out, depth)

    def _flatten(self, schemas: List[Any]) -> Tuple[List[Dict[str, Any]], bool]:
        """Resolve refs and allOf into one list of plain parts; True if a part is an anyOf/oneOf."""
        flat: List[Dict[str, Any]] = []
        pending = list(schemas)
        has_choice = False
        guard = 0
        while pending and guard < 500:
            guard += 1
            part = pending.pop(0)
            while isinstance(part, dict) and "$ref" in part:
                part = self._local(part["$ref"])
            if not isinstance(part, dict):
                continue
            flat.append(part)
            pending.extend(part.get("allOf", []) or [])
            if part.get("anyOf") or part.get("oneOf"):
                has_choice = True
        return flat, has_choice

    def _undeclared_all(self, schemas: List[Any], value: Any, where: List[Any], out: List[str], depth: int) -> None:
        if depth > 60:
            return
        flat, has_choice = self._flatten(schemas)
        if has_choice:
            # Follow the first non-null branch of each anyOf/oneOf that the value matches.
            chosen: List[Any] = [p for p in flat if not (p.get("anyOf") or p.get("oneOf"))]
            for p in flat:
                branches = p.get("anyOf") or p.get("oneOf")
                if not branches:
                    continue
                if value is None:
                    return
                for b in branches:
                    if isinstance(b, dict) and b.get("type") == "null":
                        continue
                    if self._validator(b).is_valid(value):
                        chosen.append(b)
                        break
                else:
                    return  # matches no branch: validation reports it
            flat, _ = self._flatten(chosen)
        if isinstance(value, list):
            items = [p["items"] for p in flat if isinstance(p.get("items"), dict)]
            if items:
                for i, v in enumerate(value):
                    self._undeclared_all(items, v, where + [i], out, depth + 1)
            return
        if not isinstance(value, dict):
            return
        props: Dict[str, List[Any]] = {}
        open_object = False
        for p in flat:
            if "additionalProperties" in p or "patternProperties" in p:
                open_object = True
            for name, s in (p.get("properties") or {}).items():
                props.setdefault(name, []).append(s)
        if not props:
            open_object = True
        for key, v in value.items():
            if key in props:
                self._undeclared_all(props[key], v, where + [key], out, depth + 1)
            elif not open_object:
                out.append(_json_pointer(where + [key]))


def _at_pointer(doc: Any, pointer: str) -> Any:
    cur = doc
    for part in pointer.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(cur, list):
            cur = cur[int(part)]
        elif isinstance(cur, dict):
            cur = cur.get(part)
    return cur


def _is_json_media(media: Optional[str]) -> bool:
    return bool(media) and (media.endswith("+json") or media == "application/json")


def _describe_errors(errors: List[jsonschema.ValidationError]) -> List[str]:
    """Flatten anyOf/oneOf contexts (skipping the 'null' branch added for nullable) into readable lines."""
    out: List[str] = []

    def leaves(err: jsonschema.ValidationError) -> List[jsonschema.ValidationError]:
        if err.validator in ("anyOf", "oneOf") and err.context:
            branches = [
                e
                for e in err.context
                if not (
                    e.validator == "type"
                    and e.validator_value == "null"
                )
            ]
            if branches:
                best = jsonschema.exceptions.best_match(branches)
                if best is not None:
                    return leaves(best)
        return [err]

    seen = set()
    for err in sorted(errors, key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        for leaf in leaves(err):
            pointer = _json_pointer(leaf.absolute_path)
            schema_path = "/".join(str(p) for p in leaf.absolute_schema_path)
            line = f"at {pointer}: {_short_message(leaf)} [value: {_truncate(leaf.instance)}] [schema: {schema_path}]"
            if line not in seen:
                seen.add(line)
                out.append(line)
    return out


def _short_message(err: jsonschema.ValidationError) -> str:
    msg = err.message
    if len(msg) > 300:
        msg = msg[:297] + "..."
    return msg


# --------------------------------------------------------------------------- raw loading + cache


def _file_digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_raw_spec(path: str, cache_dir: Optional[str] = None) -> Tuple[Dict[str, Any], float, bool]:
    """(parsed file, seconds spent, whether it came from the JSON cache)."""
    t0 = time.perf_counter()
    if not os.path.exists(path):
        raise OpenApiError(
            f"OpenAPI file not found: {path} (set NADAJNIK_ALLEGRO_OPENAPI to allegro-openapi.yaml)"
        )
    digest = _file_digest(path)
    cache_file = None
    if cache_dir:
        cache_file = os.path.join(cache_dir, f"allegro-openapi.{digest[:16]}.v{_CACHE_FORMAT}.json")
        try:
            with open(cache_file, "r", encoding="utf-8") as f:
                cached = json.load(f)
            if cached.get("sha256") == digest and cached.get("format") == _CACHE_FORMAT:
                return cached["spec"], time.perf_counter() - t0, True
        except (OSError, ValueError, KeyError):
            pass
    if yaml is None:
        raise OpenApiError("PyYAML is missing: apt-get install python3-yaml")
    with open(path, "r", encoding="utf-8") as f:
        raw = yaml.load(f, Loader=_YAML_LOADER)
    if not isinstance(raw, dict) or "paths" not in raw:
        raise OpenApiError(f"{path} does not look like an OpenAPI document")
    raw = json.loads(json.dumps(raw, default=str))  # plain JSON types only (dates, int keys)
    if cache_file:
        try:
            os.makedirs(cache_dir, exist_ok=True)
            tmp = f"{cache_file}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"sha256": digest, "format": _CACHE_FORMAT, "spec": raw}, f, separators=(",", ":"))
            os.replace(tmp, cache_file)  # atomic: parallel ctest runs may race here
        except OSError as e:
            warnings.warn(f"could not write the OpenAPI cache {cache_file}: {e}")
    return raw, time.perf_counter() - t0, False


def _all_refs(node: Any, out: set) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            out.add(node["$ref"])
        for v in node.values():
            _all_refs(v, out)
    elif isinstance(node, list):
        for v in node:
            _all_refs(v, out)


def main(argv: List[str]) -> int:
    """python3 openapi_validator.py [spec.yaml]: load, translate, check every ref resolves, report timings."""
    spec_path = argv[1] if len(argv) > 1 else default_spec_path()
    spec = OpenApiSpec.shared(spec_path)
    print(spec.describe_load())
    refs: set = set()
    _all_refs(spec.definitions["schemas"], refs)
    inline = 0
    for template, item in spec.raw["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            bodies = [r.get("content") or {} for r in op.get("responses", {}).values() if isinstance(r, dict)]
            if isinstance(op.get("requestBody"), dict):
                bodies.append(op["requestBody"].get("content") or {})
            for content in bodies:
                for media in content.values():
                    if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                        _all_refs(spec._translator.schema(media["schema"], f"{method.upper()} {template}"), refs)
                        inline += 1
    dangling = sorted(r for r in refs if not _resolves(spec, r))
    for item in spec.errata_applied:
        print("erratum:", item)
    for note in sorted(set(spec.translation_notes)):
        print("note:", note)
    print(f"{inline} request/response schemas translated, {len(refs)} distinct refs, {len(dangling)} dangling")
    for r in dangling:
        print("dangling:", r)
    return 1 if dangling else 0


def _resolves(spec: OpenApiSpec, ref: str) -> bool:
    try:
        spec._local(ref)
        return True
    except (KeyError, TypeError):
        return False


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv))
