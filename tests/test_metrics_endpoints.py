"""Request metrics label each GitHub URL by its template: no owner, branch, path or other name
the App reads ever becomes a label value."""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.ops.metrics import endpoint_label

SUBSET = Path(__file__).parent / "fixtures/openapi/github-subset.json"
PARAM = re.compile(r"\{([^}]+)\}")
MULTI_SEGMENT = {
    ("/repos/{owner}/{repo}/contents/{path}", "path"),
    ("/repos/{owner}/{repo}/git/ref/{ref}", "ref"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", "name"),
}


def word(rng: random.Random) -> str:
    return "Zq" + "".join(rng.choices(string.ascii_lowercase, k=8))


def templates() -> list[str]:
    return sorted(json.loads(SUBSET.read_text())["paths"])


@pytest.mark.parametrize("template", templates())
@pytest.mark.parametrize("seed", range(3))
def test_every_documented_read_is_labelled_by_its_template(template: str, seed: int) -> None:
    rng = random.Random(f"{template}{seed}")
    secrets: list[str] = []

    def fill(found: re.Match[str]) -> str:
        if found[1].endswith(("_id", "_number")):
            return str(rng.randrange(1, 10**9))
        if found[1] == "basehead":
            names = word(rng), word(rng)
            secrets.extend(names)
            return f"{quote(names[0], safe='')}...{quote(names[1], safe='')}"
        # Branch names, paths and labels may hold slashes: sent as they are where the
        # description takes several segments, quoted whole elsewhere.
        names = [word(rng), word(rng)]
        secrets.extend(names)
        raw = (template, found[1]) in MULTI_SEGMENT and seed == 0
        return "/".join(names) if raw else quote("/".join(names), safe="")

    url = PARAM.sub(fill, template)
    for shown in (url, f"https://ghe.example{'/api/v3'}{url}?page=2&ref={word(rng)}"):
        label = endpoint_label(shown)
        assert not [name for name in secrets if name in label], (shown, label)
        assert "Zq" not in label and not re.search(r"\d", label), label


def test_the_reads_of_this_release_have_their_own_templates() -> None:
    assert (
        endpoint_label("/repos/o/r/commits/release%2Fsecret-1")
        == "/repos/{owner}/{repo}/commits/{ref}"
    )
    assert endpoint_label("/repos/o/r/git/ref/heads/release/secret-1") == (
        "/repos/{owner}/{repo}/git/ref/{ref}"
    )
    assert endpoint_label("/repos/o/r/commits/" + "a" * 40 + "/check-runs") == (
        "/repos/{owner}/{repo}/commits/{ref}/check-runs"
    )
    assert endpoint_label("/repos/o/r/collaborators/bob/permission") == (
        "/repos/{owner}/{repo}/collaborators/{username}/permission"
    )
    assert endpoint_label("/graphql") == "/graphql"
