"""A pull request cannot hide an invariant's pattern by making git show its file as binary: a
NUL byte in the file, or a ``-diff`` attribute in its own .gitattributes, leaves no lines to
check, and the file then touches the invariant (``truncated``) instead of passing."""

from __future__ import annotations

import pytest

from bot.local.offline import LocalRequest, run_local
from tests.builders import ScratchRepo
from tests.stream_repo import CONFIG

LEDGER = "billing/amounts.py"  # under the example policy's money invariant (pattern: float)


def evaluate(repo: ScratchRepo) -> tuple[str, list[str]]:
    request = LocalRequest(repo=repo.root, base="main", head="feature", config_file=CONFIG)
    _, evaluation = run_local(request)
    assert evaluation is not None
    decision = evaluation.decision
    return decision.tier.value, [r.code for r in decision.reasons]


@pytest.mark.parametrize(
    ("attributes", "ledger"),
    [
        (None, b"cents = 1\x00\namount = float(3)\n"),  # a NUL byte: git calls it binary
        (b"*.py -diff\n", b"cents = 1\namount = float(3)\n"),  # the branch's own attribute
    ],
    ids=["nul-byte", "minus-diff-attribute"],
)
def test_a_file_shown_as_binary_touches_the_invariant(
    scratch: ScratchRepo, attributes: bytes | None, ledger: bytes
) -> None:
    scratch.write(LEDGER, "cents = 1\n")
    scratch.write("README.md", "shop\n")
    scratch.commit("base")
    scratch.branch("feature")
    if attributes is not None:
        scratch.write(".gitattributes", attributes)
    scratch.write(LEDGER, ledger)
    scratch.commit("hide a float")
    tier, reasons = evaluate(scratch)  # the branch is checked out, as in CI
    assert tier == "L3" and "truncated" in reasons
