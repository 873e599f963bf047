"""Several files of one commit in one GraphQL query, where REST takes a request per file.

Only answers that are certain are returned: a path with no entry at the commit (absent), or a
text blob GitHub sent whole. Anything else (an error, a binary or truncated blob, a directory,
a reply of another shape) is left out, for the caller to read that file over REST.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.gh.rest import Rest

BLOB_FIELDS = "object { ... on Blob { text isBinary isTruncated byteSize } }"


def files_query(count: int) -> str:
    """A query for ``count`` paths of the commit ``$oid``, aliased ``f0``, ``f1``, …"""
    paths = "".join(f", $p{i}: String!" for i in range(count))
    entries = " ".join(f"f{i}: file(path: $p{i}) {{ {BLOB_FIELDS} }}" for i in range(count))
    return (
        f"query($owner: String!, $name: String!, $oid: GitObjectID!{paths}) "
        "{ repository(owner: $owner, name: $name) "
        f"{{ object(oid: $oid) {{ ... on Commit {{ {entries} }} }} }} }}"
    )


def read_commit_files(
    rest: Rest, owner: str, name: str, sha: str, paths: Sequence[str]
) -> dict[str, str | None]:
    """The texts (None: no such path) of those ``paths`` at ``sha`` that one query answered for
    certain; HTTP errors are raised as PyGithub's, as for REST."""
    variables: dict[str, Any] = {"owner": owner, "name": name, "oid": sha}
    variables.update({f"p{i}": path.strip("/") for i, path in enumerate(paths)})
    reply = rest.graphql(files_query(len(paths)), variables)
    commit = _commit(reply)
    if commit is None:
        return {}
    found: dict[str, str | None] = {}
    for i, path in enumerate(paths):
        key = f"f{i}"
        if key not in commit:
            continue
        entry = commit[key]
        if entry is None:
            found[path] = None  # the commit has nothing at this path
            continue
        text = blob_text(entry)
        if text is not None:
            found[path] = text
    return found


def _commit(reply: Any) -> dict[str, Any] | None:
    """The commit object of a reply without errors, else None (read everything over REST)."""
    if not isinstance(reply, dict) or reply.get("errors"):
        return None
    data = reply.get("data")
    repository = data.get("repository") if isinstance(data, dict) else None
    commit = repository.get("object") if isinstance(repository, dict) else None
    return commit if isinstance(commit, dict) else None


def blob_text(entry: Any) -> str | None:
    """A text blob's content when GitHub sent all of it as UTF-8, else None (unsure)."""
    blob = entry.get("object") if isinstance(entry, dict) else None
    if not isinstance(blob, dict):
        return None
    text = blob.get("text")
    whole = blob.get("isBinary") is False and blob.get("isTruncated") is False
    if not whole or not isinstance(text, str) or "\x00" in text:
        return None
    # The size in bytes tells a blob GitHub re-encoded or cut short from one sent as it is.
    if len(text.encode("utf-8", "surrogatepass")) != blob.get("byteSize"):
        return None
    return text
