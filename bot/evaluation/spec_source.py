"""Where the App reads the spec files a policy extends (`extends: owner/repo[:path][@ref]`)."""

from __future__ import annotations

from bot.core.specs import SpecLoader, SpecRef, SpecText, SpecUnavailable
from bot.evaluation.ports import GitHubPort, RepoRef


def spec_loader_for(port: GitHubPort, repo: RepoRef) -> SpecLoader:
    """The loader of spec files for evaluations of ``repo``.

    Spec repositories are not read yet: a policy with `extends` fails closed, as a config error
    on the `extends` key, rather than being evaluated without the rules it names.
    """

    def load(ref: SpecRef) -> SpecText:
        raise SpecUnavailable(f"{ref}: spec repositories are not read by the App yet")

    return load
