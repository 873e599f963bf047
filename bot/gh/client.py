"""The real GitHubPort over PyGithub, one per installation, and its factory."""

from __future__ import annotations

from redis import Redis

from bot.gh.checks import Checks
from bot.gh.groups import GroupReads
from bot.gh.reads import PullReads, RepoReads
from bot.gh.spec_files import SpecReads
from bot.gh.writes import Writes
from bot.ops.metrics import RequestObserver
from bot.ops.settings import AppSettings


class PyGithubPort(PullReads, RepoReads, SpecReads, Checks, GroupReads, Writes):
    """Every read and write of GitHubPort for one installation.

    Each method raises TransientGitHubError (worth retrying, with GitHub's requested wait) or
    PermanentGitHubError; ``rate_limit_remaining`` tells what is left of the hourly budget.
    """


def make_port(
    settings: AppSettings,
    redis: Redis,
    installation_id: int,
    observe: RequestObserver | None = None,
) -> PyGithubPort:
    """A port for ``installation_id``; the installation token comes from the shared cache.

    ``observe`` is told of every REST request (method, URL, status), for metrics.
    """
    return PyGithubPort(settings, redis, installation_id, observe=observe)
