"""REVIEW_TIERS_DOCS_URL: validated, then each reason code in the check run links to its entry."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from redis import Redis
from rq.timeouts import JobTimeoutException

from bot.core.outcome import check_for_gave_up, check_for_timeout
from bot.core.render import reason_code
from bot.evaluation.ports import PullInfo
from bot.ops.audit import AuditLog
from bot.ops.errors import SettingsError, TransientGitHubError
from bot.ops.settings import AppSettings
from bot.state.jobkinds import PullJob
from bot.state.keys import PullKey
from bot.state.queueing import Dispatcher
from bot.worker import jobs
from bot.worker.retries import MAX_ATTEMPTS
from bot.worker.runtime import Runtime, install
from tests.builders import file_entry
from tests.fakes import FakePort
from tests.readme_examples import render_examples
from tests.test_docs import documented

DOCS = "https://github.com/acme/review-tiers/blob/v1/docs/reasons.md"
LINK = re.compile(r"\[`([a-z-]+)`\]\(([^)#]*)#([a-z-]+)\)")
PULL = PullKey(1, "acme", "shop", 7)


@pytest.fixture(scope="module")
def env(keys: tuple[str, str]) -> dict[str, str]:
    return {"GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY": keys[0], "GITHUB_WEBHOOK_SECRET": "s"}


def test_the_docs_url_is_optional(env: dict[str, str]) -> None:
    assert AppSettings.from_env(env).docs_url == ""
    assert AppSettings.from_env({**env, "REVIEW_TIERS_DOCS_URL": "  "}).docs_url == ""
    given = AppSettings.from_env({**env, "REVIEW_TIERS_DOCS_URL": f" {DOCS} "})
    assert given.docs_url == DOCS
    plain = "http://docs.internal:8000/reasons/"
    assert AppSettings.from_env({**env, "REVIEW_TIERS_DOCS_URL": plain}).docs_url == plain


@pytest.mark.parametrize(
    "value",
    [
        "docs.example/reasons",  # no scheme
        "ftp://docs.example/reasons",
        "https://",
        "http://[::1",
        "https://docs.example/reasons#top",  # the App appends #<code> itself
        "https://docs.example/my reasons",  # would end the Markdown link
        "https://docs.example/reasons)x",
        "https://reader:hunter2@docs.example/reasons",  # every check run would show it
    ],
)
def test_an_invalid_docs_url_is_named_in_one_line(env: dict[str, str], value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        AppSettings.from_env({**env, "REVIEW_TIERS_DOCS_URL": value})
    message = str(raised.value)
    assert "REVIEW_TIERS_DOCS_URL" in message and "\n" not in message
    assert "hunter2" not in message


def test_a_code_links_to_its_entry_only_with_a_docs_url() -> None:
    assert reason_code("invariant") == "`invariant`"
    assert reason_code("invariant", DOCS) == f"[`invariant`]({DOCS}#invariant)"


def test_the_pipeline_links_every_reason_and_changes_nothing_else() -> None:
    plain, comment = render_examples()
    linked, same_comment = render_examples(DOCS)
    links = LINK.findall(linked)
    assert [code for code, _, _ in links] == ["invariant", "ai-trailer", "soft-limit"]
    assert all(url == DOCS and anchor == code for code, url, anchor in links)
    assert LINK.sub(r"`\1`", linked) == plain
    assert same_comment == comment  # the sticky comment is not the check run
    entries = {heading for heading, _ in documented()}
    assert {code for code, _, _ in links} <= entries


def test_failure_checks_link_their_reason() -> None:
    timeout = check_for_timeout(600, DOCS).summary
    assert f"- [`timeout`]({DOCS}#timeout) the evaluation" in timeout
    assert LINK.sub(r"`\1`", timeout) == check_for_timeout(600).summary
    gave_up = check_for_gave_up(8, "502", DOCS).summary
    assert f"- [`gave-up`]({DOCS}#gave-up) the evaluation" in gave_up
    assert LINK.sub(r"`\1`", gave_up) == check_for_gave_up(8, "502").summary


@pytest.fixture
def runtime(redis_client: Redis) -> Iterator[Runtime]:
    settings = AppSettings(app_id=1, private_key="", webhook_secret="", docs_url=DOCS)
    rt = Runtime(settings, redis_client, Dispatcher(redis_client, 0), AuditLog(redis_client))
    port = FakePort()
    port.pulls[7] = PullInfo(7, "open", False, "dev", "t", "", "h1", "main", "b1", (), (), ())
    port.files[7] = [file_entry("docs/a.md", 1, "A note.")]
    rt.port_for = lambda installation_id: port  # type: ignore[method-assign]
    install(rt)
    yield rt
    install(None)


def summary_of(runtime: Runtime) -> str:
    port = runtime.port_for(1)
    assert isinstance(port, FakePort)
    return port.checks["h1"]["review-tiers"].output.summary


def test_the_worker_passes_the_setting_to_the_check(runtime: Runtime) -> None:
    runtime.dispatcher.submit(PULL, "d-1")
    assert jobs.run_pull_job(**PullJob.of(PULL).fields()) == "done"
    assert f"- [`low-risk`]({DOCS}#low-risk) only" in summary_of(runtime)


@pytest.mark.parametrize(
    "error,code",
    [
        (TransientGitHubError("502 from GitHub"), "gave-up"),
        (JobTimeoutException("Task exceeded maximum timeout value"), "timeout"),
    ],
)
def test_a_failed_evaluation_links_its_reason(
    runtime: Runtime, error: Exception, code: str
) -> None:
    port = runtime.port_for(1)
    assert isinstance(port, FakePort)
    port.fail("fetch_files", error)
    runtime.dispatcher.submit(PULL, "d-1")
    runtime.dispatcher.set_attempt(PULL, MAX_ATTEMPTS)  # a transient error gives up
    assert jobs.run_pull_job(**PullJob.of(PULL).fields()) == "done"
    assert f"- [`{code}`]({DOCS}#{code}) the evaluation" in summary_of(runtime)
