"""The simulator's WSGI pipeline: validation, faults, authentication, rate limit, ETags, paging."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from tests.ghsim import events, graphql_api, merge_groups, reads, recovery, repos, writes
from tests.ghsim.auth import AuthError, IssuedToken
from tests.ghsim.calls import ROUTES, Call, HttpError, Reply, error_body
from tests.ghsim.openapi import Operation, check_body, check_parameters, check_response
from tests.ghsim.state import NotFoundError
from tests.ghsim.traffic import Fault, RequestRecord

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from tests.ghsim.simulator import GitHubSimulator

# Importing the endpoint modules registers their routes.
ENDPOINT_MODULES = (reads, writes, events, recovery, merge_groups, repos)
# Endpoints outside /app that GitHub also answers only for the App's JWT.
JWT_TEMPLATES = frozenset({"/repos/{owner}/{repo}/installation"})
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


def make_wsgi_app(sim: GitHubSimulator) -> Any:
    """Return a WSGI callable serving ``sim``."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return respond(sim, Request(environ))(environ, start_response)

    return app


def respond(sim: GitHubSimulator, request: Request) -> Response:
    record = RequestRecord(
        method=request.method,
        path=request.path,
        query=request.args.to_dict(),
        json=None,
        headers=dict(request.headers),
    )
    with sim.lock:
        sim.requests.append(record)
    response = answer(sim, request, record)
    record.status = response.status_code
    return response


def answer(sim: GitHubSimulator, request: Request, record: RequestRecord) -> Response:
    op: Operation | None = None
    try:
        body, present = parse_body(sim, request, record)
        # GraphQL queries are checked against GitHub's GraphQL schema, not the REST description.
        graphql = (record.method, record.path) == ("POST", graphql_api.PATH)
        if graphql:
            record.template = graphql_api.PATH
        else:
            op, params = validate(sim, record, body, present)
        fault = take_fault(sim, record)
        if fault is not None:
            time.sleep(fault.delay)
            if fault.status is not None:
                return fault_response(sim, fault)
        if op is None:
            reply = query(sim, request, record, body)
        else:
            reply = dispatch(sim, request, op, params, body)
    except HttpError as err:
        reply = Reply(err.status, error_body(err.status, err.message, err.errors))
    except NotFoundError as err:
        reply = Reply(404, error_body(404, err.message))
    return finish(sim, request, op, reply)


def parse_body(sim: GitHubSimulator, request: Request, record: RequestRecord) -> tuple[Any, bool]:
    """The JSON body and whether there was one; GitHub refuses requests without a User-Agent."""
    if not request.headers.get("User-Agent"):
        sim.note_invalid(record, ["no User-Agent header"])
        raise HttpError(
            403,
            "Request forbidden by administrative rules. "
            "Please make sure your request has a User-Agent header",
        )
    raw = request.get_data()
    if not raw:
        return None, False
    try:
        record.json = json.loads(raw)
    except ValueError:
        sim.note_invalid(record, ["request body is not JSON"])
        raise HttpError(400, "Problems parsing JSON") from None
    return record.json, True


def validate(
    sim: GitHubSimulator, record: RequestRecord, body: Any, present: bool
) -> tuple[Operation, dict[str, str]]:
    """Match the request to the REST description; anything off is recorded and refused."""
    found = sim.description.match(record.path)
    op = None if found is None else sim.description.operations.get((record.method, found[0]))
    if found is None or op is None:
        problem = f"no operation {record.method} {record.path} in the REST description"
        sim.note_invalid(record, [problem])
        raise HttpError(404, "Not Found")
    record.template = op.template
    params = found[1]
    problems = check_parameters(sim.description, op, params, record.query)
    problems += check_body(sim.description, op, body, present)
    if problems:
        sim.note_invalid(record, problems)
        raise HttpError(422, "Validation Failed", [{"message": p} for p in problems])
    return op, params


def take_fault(sim: GitHubSimulator, record: RequestRecord) -> Fault | None:
    with sim.lock:
        for fault in sim.faults:
            if fault.matches(record.method, record.path):
                fault.times -= 1
                return fault
    return None


def fault_response(sim: GitHubSimulator, fault: Fault) -> Response:
    body = fault.body if fault.body is not None else error_body(fault.status or 500, "Server Error")
    headers = {**sim.rate.headers(), **fault.headers}
    payload = body if isinstance(body, str | bytes) else json.dumps(body)
    return Response(payload, status=fault.status, headers=headers, content_type=JSON_TYPE)


def authenticate(sim: GitHubSimulator, op: Operation, request: Request) -> IssuedToken | None:
    """App endpoints take the app's JWT; everything else an installation token."""
    header = request.headers.get("Authorization")
    try:
        if op.template.startswith("/app") or op.template in JWT_TEMPLATES:
            sim.authority.check_jwt(header)
            return None
        return sim.authority.check_token(header)
    except AuthError as err:
        raise HttpError(401, err.message) from err


def dispatch(
    sim: GitHubSimulator, request: Request, op: Operation, params: dict[str, str], body: Any
) -> Reply:
    with sim.lock:
        token = authenticate(sim, op, request)
        if not sim.rate.spend():
            raise HttpError(403, "API rate limit exceeded for installation ID 1.")
        call = Call(
            store=sim.store,
            authority=sim.authority,
            base=request.host_url.rstrip("/"),
            params=params,
            query=request.args.to_dict(),
            body=body,
            token=token,
        )
        return ROUTES[(op.method, op.template)](call)


def query(sim: GitHubSimulator, request: Request, record: RequestRecord, body: Any) -> Reply:
    """A GraphQL query, run as the installation its token belongs to; one the schema refuses
    is recorded as an invalid request."""
    with sim.lock:
        try:
            token = sim.authority.check_token(request.headers.get("Authorization"))
        except AuthError as err:
            raise HttpError(401, err.message) from err
        call = Call(sim.store, sim.authority, request.host_url.rstrip("/"), {}, {}, body, token)
        reply = graphql_api.run(call)
        sim.graphql_rate.spend()  # a query of a few nodes costs one point
    if "data" not in reply.body:
        sim.note_invalid(record, [str(e.get("message")) for e in reply.body["errors"]])
    return reply


JSON_TYPE = "application/json; charset=utf-8"


def paginate(request: Request, reply: Reply) -> tuple[Any, str | None]:
    """Cut one page out of a list reply and build GitHub's ``Link`` header for it."""
    items = reply.body[reply.page_key] if reply.page_key else reply.body
    try:
        per_page = min(max(int(request.args.get("per_page", DEFAULT_PER_PAGE)), 1), MAX_PER_PAGE)
        page = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        per_page, page = DEFAULT_PER_PAGE, 1
    chunk = items[(page - 1) * per_page : page * per_page]
    body = {**reply.body, reply.page_key: chunk} if reply.page_key else chunk
    last = max((len(items) + per_page - 1) // per_page, 1)
    links = []
    for rel, number in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
        if (rel in ("prev", "first") and page > 1) or (rel in ("next", "last") and page < last):
            query = {**request.args.to_dict(), "per_page": str(per_page), "page": str(number)}
            links.append(f'<{request.base_url}?{urlencode(query)}>; rel="{rel}"')
    return body, ", ".join(links) or None


def finish(sim: GitHubSimulator, request: Request, op: Operation | None, reply: Reply) -> Response:
    body, link = reply.body, None
    if reply.status < 300 and (reply.paginate or reply.page_key):
        body, link = paginate(request, reply)
    if op is not None and sim.validate_responses:
        problems = check_response(sim.description, op, reply.status, body)
        if problems:
            sim.note_invalid_response(request.method, request.path, problems)
    headers = {"x-github-request-id": uuid.uuid4().hex[:16].upper(), **reply.headers}
    headers["x-github-api-version-selected"] = "2022-11-28"
    if link:
        headers["Link"] = link
    payload = b"" if reply.status == 204 else json.dumps(body).encode()
    if request.method == "GET" and reply.status == 200:
        etag = f'W/"{hashlib.sha256(payload).hexdigest()[:32]}"'
        headers["ETag"] = etag
        if etag in request.headers.get("If-None-Match", ""):
            # A 304 answer to a conditional request does not count against the rate limit.
            with sim.lock:
                sim.rate.remaining = min(sim.rate.remaining + 1, sim.rate.limit)
            return Response(status=304, headers={**sim.rate.headers(), **headers})
    with sim.lock:
        rate = sim.graphql_rate if request.path == graphql_api.PATH else sim.rate
        headers.update(rate.headers())
    if reply.status == 204:
        return Response(status=204, headers=headers)
    return Response(payload, status=reply.status, headers=headers, content_type=JSON_TYPE)
