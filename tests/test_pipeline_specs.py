"""The App reads the policy with the spec files it extends through a SpecLoader."""

from __future__ import annotations

from bot.evaluation.snapshot import fetch_policy
from tests.builders import file_entry as entry
from tests.fakes import FakeSpecs
from tests.test_pipeline import REPO, make_port, run

EXTENDS = "version: 1\nextends: acme/spec@v3\n"


def test_fetch_policy_merges_the_specs_its_loader_reads() -> None:
    port = make_port([entry("src/app.py", 3)], config=EXTENDS)
    specs = FakeSpecs()
    origin = specs.add("acme/spec", "version: 1\nai: {min_tier: L3}\n", ref="v3")
    result = fetch_policy(port, REPO, port.pulls[7], specs)
    assert result.policy is not None and result.policy.ai.min_tier.value == "L3"
    assert [s.origin for s in result.specs] == [origin]
    assert [str(r) for r in specs.reads] == ["acme/spec@v3"]


def test_a_chain_back_to_the_repository_is_a_cycle() -> None:
    port = make_port([entry("src/app.py", 3)], config=EXTENDS)
    specs = FakeSpecs()
    specs.add("acme/spec", "version: 1\nextends: acme/shop:.github/review-tiers.yml\n")
    result = fetch_policy(port, REPO, port.pulls[7], specs)
    assert result.policy is None and "cycle" in result.problems[0].message


def test_until_the_app_reads_spec_repositories_extends_fails_the_check() -> None:
    port = make_port([entry("src/app.py", 3)], config=EXTENDS)
    record = run(port)
    assert record.outcome == "invalid config"
    output = port.checks["h1"]["review-tiers"].output
    assert output.conclusion == "failure"
    assert "`extends` line 2" in output.summary
    assert "acme/spec@v3: spec repositories are not read by the App yet" in output.summary
