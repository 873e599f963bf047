"""Rules from a spec file say where they came from: in reasons, the summary and the JSON."""

from __future__ import annotations

from bot.core.actions import CheckState
from bot.core.diff import parse_files_listing
from bot.core.evaluate import Evaluation, evaluate
from bot.core.models import PullMeta, RepoContext, Tier
from bot.core.outcome import check_for_decision, check_for_problems
from bot.core.policy import parse_policy
from bot.core.render import decision_json, render_text
from tests.builders import file_entry
from tests.fakes import FakeSpecs

SPEC = """\
version: 1
invariants:
  - id: money-is-decimal
    statement: Money is Decimal, never float.
    paths: ["billing/**"]
    owners: ["@acme/payments"]
interfaces:
  - id: public-api
    kind: generic
    paths: ["api/**"]
"""


def run(*paths: str) -> tuple[Evaluation, str]:
    specs = FakeSpecs()
    origin = specs.add("acme/spec", SPEC)
    result = parse_policy("version: 1\nextends: acme/spec\n", loader=specs)
    assert result.policy is not None
    changes = parse_files_listing([file_entry(p, 3) for p in paths])
    return evaluate(changes, RepoContext(), PullMeta(), result.policy), origin


def test_a_spec_invariant_gives_l3_and_its_reason_names_the_spec() -> None:
    evaluation, origin = run("billing/ledger.py")
    decision = evaluation.decision
    assert decision.tier is Tier.L3
    (reason,) = [r for r in decision.reasons if r.code == "invariant"]
    assert f'billing/ledger.py touches "money-is-decimal" from {origin}' in reason.message
    assert any("@acme/payments" in g.members for g in decision.groups)


def test_a_spec_interface_reason_names_the_spec() -> None:
    evaluation, origin = run("api/v1.txt")
    assert evaluation.decision.tier is Tier.L3
    messages = [r.message for r in evaluation.decision.reasons]
    assert any(m.startswith(f"public-api from {origin}: ") for m in messages)


def test_the_check_summary_lists_the_spec_files() -> None:
    evaluation, origin = run("billing/ledger.py")
    state: CheckState = check_for_decision(evaluation.facts, evaluation.decision, ())
    assert f"Policy spec files: `{origin}`" in state.summary
    assert "**money-is-decimal**: Money is Decimal" in state.summary
    assert f"from `{origin}`" in state.summary
    assert f"spec files: {origin}" in render_text(evaluation.facts, evaluation.decision)
    assert decision_json(evaluation.facts, evaluation.decision)["specs"] == [origin]


def test_a_repository_without_specs_shows_no_spec_line() -> None:
    changes = parse_files_listing([file_entry("src/a.py", 3)])
    policy = parse_policy("version: 1\n").policy
    assert policy is not None
    evaluation = evaluate(changes, RepoContext(), PullMeta(), policy)
    state = check_for_decision(evaluation.facts, evaluation.decision, ())
    assert "spec files" not in state.summary
    assert decision_json(evaluation.facts, evaluation.decision)["specs"] == []


def test_a_problem_in_a_spec_file_names_the_file_in_the_check() -> None:
    specs = FakeSpecs()
    origin = specs.add("acme/spec", "version: 1\nai: {min_tier: L7}\n")
    result = parse_policy("version: 1\nextends: acme/spec\n", loader=specs)
    state = check_for_problems(result)
    assert state.conclusion == "failure"
    assert f"- `ai.min_tier` line 2 of `{origin}`: " in state.summary
