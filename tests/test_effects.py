"""Every kind of planned write has exactly one handler, and apply keeps the check primary."""

from __future__ import annotations

import ast
import inspect
from typing import Any, get_args

import pytest

from bot.core import actions
from bot.core.actions import Action, AddLabels, CreateCheck, RemoveLabel
from bot.evaluation import effects
from bot.evaluation.ports import PullInfo, RepoRef
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from tests.builders import CHECK
from tests.builders import sample_action as sample
from tests.fakes import WRITES

REPO = RepoRef(1, "acme", "shop")
PULL = PullInfo(7, "open", False, "dev", "t", "", "h1", "main", "b1", (), (), ())


class Recorder:
    """A port that records every method called on it, and can fail one write."""

    def __init__(self, fail: dict[str, Exception] | None = None) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.fail = fail or {}

    def __getattr__(self, name: str) -> Any:
        def call(*args: object) -> None:
            self.calls.append((name, args))
            if name in self.fail:
                raise self.fail[name]

        return call


KINDS = get_args(Action)


def test_every_write_class_is_in_the_union() -> None:
    assert set(actions._Write.__subclasses__()) == set(KINDS)
    assert len({kind.kind for kind in KINDS}) == len(KINDS)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_action_has_a_handler_making_one_write(kind: type) -> None:
    port = Recorder()
    action = sample(kind)
    effects.run(port, REPO, PULL, action)  # type: ignore[arg-type]
    [(method, _)] = port.calls
    assert method in WRITES
    assert action.describe().startswith(action.kind)


def test_the_handlers_end_in_an_exhaustiveness_check() -> None:
    """mypy reports a union member without a branch only while the match ends this way."""
    tree = ast.parse(inspect.getsource(effects.run))
    [match] = [node for node in ast.walk(tree) if isinstance(node, ast.Match)]
    last = match.cases[-1]
    assert isinstance(last.pattern, ast.MatchAs) and last.pattern.pattern is None
    assert ast.unparse(last.body[0]) == "assert_never(action)"


def test_the_check_is_primary_and_the_rest_best_effort() -> None:
    port = Recorder(fail={"add_labels": TransientGitHubError("502", retry_after=9)})
    actions = [CreateCheck(CHECK), AddLabels(("tier/L1",)), RemoveLabel("tier/L2")]
    outcome = effects.apply(port, REPO, PULL, actions)  # type: ignore[arg-type]
    assert outcome.done == ["create_check(completed/success)", "remove_label(tier/L2)"]
    assert outcome.failed == ["add_labels(tier/L1): 502"]
    assert (outcome.retry, outcome.retry_after) == (True, 9)
    failing = Recorder(fail={"create_check_run": PermanentGitHubError("403")})
    with pytest.raises(PermanentGitHubError):
        effects.apply(failing, REPO, PULL, actions)  # type: ignore[arg-type]
    assert [name for name, _ in failing.calls] == ["create_check_run"]
