"""The App reads the policy with the spec files it extends through a SpecLoader."""

from __future__ import annotations

from bot.evaluation.ports import SpecRead
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


def test_a_spec_the_installation_cannot_read_fails_the_check_naming_it() -> None:
    port = make_port([entry("src/app.py", 3)], config=EXTENDS)
    record = run(port)
    assert record.outcome == "invalid config"
    output = port.checks["h1"]["review-tiers"].output
    assert output.conclusion == "failure"
    assert "`extends` line 2" in output.summary
    assert "acme/spec: the review-tiers App is not installed on this repository" in output.summary


def test_a_spec_invariant_read_through_the_port_makes_the_pull_request_l3() -> None:
    port = make_port([entry("src/money/ledger.py", 3)], config=EXTENDS)
    spec = (
        "version: 1\ninvariants:\n  - id: money\n    statement: Money is decimal.\n"
        "    paths: ['src/money/**']\n"
    )
    port.spec_files[("acme/spec", "review-tiers.yml", "v3")] = SpecRead("c0ffee" * 6 + "c0fe", spec)
    record = run(port)
    output = port.checks["h1"]["review-tiers"].output
    assert "L3" in output.title, output.title
    assert f"acme/spec@{'c0ffee' * 6}c0fe:review-tiers.yml" in output.summary
    assert record.specs == [
        {"repo": "acme/spec", "path": "review-tiers.yml", "sha": "c0ffee" * 6 + "c0fe"}
    ]


def test_an_invalid_spec_file_is_recorded_for_the_push_that_fixes_it() -> None:
    port = make_port([entry("src/app.py", 3)], config=EXTENDS)
    sha = "b" * 40
    port.spec_files[("acme/spec", "review-tiers.yml", "v3")] = SpecRead(
        sha, "version: 1\nsize: 3\n"
    )
    record = run(port)
    assert record.outcome == "invalid config"
    assert record.specs == [{"repo": "acme/spec", "path": "review-tiers.yml", "sha": sha}]
