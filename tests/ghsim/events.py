"""Issue events: who labelled or unlabelled a pull request, recorded and served as GitHub does."""

from __future__ import annotations

from tests.ghsim import shape_accounts as accounts
from tests.ghsim.calls import Call, Reply, route
from tests.ghsim.reads import ISSUE
from tests.ghsim.shape_accounts import Json, node_id
from tests.ghsim.state import IssueEvent, Pull, Repo, Store


def record_label_event(store: Store, pull: Pull, event: str, label: str, actor: str) -> None:
    """Append a ``labeled`` or ``unlabeled`` event; the app's bot login marks it as the app's."""
    via_app = actor == store.app.bot_login
    store.user(actor)
    pull.events.append(IssueEvent(store.next_id(), event, label, actor, via_app))


def relabel(store: Store, repo: Repo, pull: Pull, names: list[str], actor: str) -> None:
    """Replace the labels of ``pull`` with ``names``, recording one event per change."""
    wanted = [repo.label(n, store.next_id()).name for n in names]
    before = {n.lower() for n in pull.labels}
    after = {n.lower() for n in wanted}
    for name in pull.labels:
        if name.lower() not in after:
            record_label_event(store, pull, "unlabeled", name, actor)
    for name in wanted:
        if name.lower() not in before:
            record_label_event(store, pull, "labeled", name, actor)
    pull.labels = wanted


def issue_event(base: str, store: Store, repo: Repo, item: IssueEvent) -> Json:
    """A ``labeled-issue-event`` or ``unlabeled-issue-event`` object."""
    color = repo.label(item.label, store.next_id()).color
    return {
        "id": item.id,
        "node_id": node_id("LabeledEvent", item.id),
        "url": f"{base}/repos/{repo.full_name}/issues/events/{item.id}",
        "actor": accounts.user(base, store, item.actor),
        "event": item.event,
        "commit_id": None,
        "commit_url": None,
        "created_at": item.created_at,
        "performed_via_github_app": accounts.app(base, store, store.app) if item.via_app else None,
        "label": {"name": item.label, "color": color},
    }


@route("GET", f"{ISSUE}/events")
def list_events(call: Call) -> Reply:
    repo, pull = call.pull()
    items = [issue_event(call.base, call.store, repo, e) for e in pull.events]
    return Reply(200, items, paginate=True)
