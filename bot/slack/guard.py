"""Slack gets its answer at once, whatever happens after it.

Two guards, both needed with slack_bolt 1.30's thread runner (process_before_response=False):

* `early_ack_middleware` acknowledges commands, clicks and form submissions in the request thread,
  before the listener is queued for the worker pool. Bolt would otherwise wait for the listener to
  call `ack()` inside the pool, so when every worker is busy (for example sleeping through a 429's
  Retry-After) the ack waits too and Slack shows its 3-second error. A form's inline errors are
  computed here as well (pure computation) and returned as the ack's body.
* `guarded` wraps every listener: an exception after the ack is logged and swallowed. Upstream, the
  thread runner resets `ack.response` to None when a listener raises after acknowledging
  (`listener/thread_runner.py`, `run_ack_function_asynchronously`); if that happens before the request
  thread has seen the ack, the request waits for the ack timeout and answers 404.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltResponse
from slack_bolt.context import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack import ids, texts
from bot.slack.deliver import ResponseUrlDestination, notify
from bot.slack.modal import as_dict, open_check_modal, read_form
from bot.slack.mrkdwn import from_slack
from bot.slack.services import services_of, slack_address
from knowledge.rules import default_rules
from knowledge.text import fold

log = logging.getLogger(__name__)

FORM_KEY = "toimintamalli_form"  # (answers, skipped) of a submitted check form, read in the middleware
ACKED_EARLY = frozenset({"block_actions", "shortcut", "message_action", "view_closed"})


def guarded(listener: Callable[..., None]) -> Callable[..., None]:
    """`listener` with its errors logged, never raised into Bolt's runner (see the module docstring)."""

    @functools.wraps(listener)
    def run(**kwargs: Any) -> None:
        try:
            listener(**kwargs)
        except SlackApiError as exc:  # Slack refused a call the listener needed (a DM, a view)
            log.error("%s: Slack answered %s", listener.__name__, exc.response.get("error", "an error"))
        except (SlackClientError, OSError) as exc:  # Slack could not be reached
            log.error("%s: Slack could not be reached (%s)", listener.__name__, type(exc).__name__)
        except Exception:
            log.exception("listener %s failed after the ack", listener.__name__)

    return run


def _open_form_now(
    body: dict[str, Any], context: BoltContext, client: WebClient, user: str, response_url: str
) -> None:
    """Open the check form from a thread of its own at once: the trigger_id expires 3 s after the
    command or click, which a busy worker pool could outlast. The listeners for it only acknowledge."""
    services = services_of(context)
    state = services.turns.state(slack_address(context.team_id or "", user))
    trigger = str(body.get("trigger_id") or "")

    @guarded
    def open_form() -> None:
        error = open_check_modal(client, trigger, state, services.ctx)
        if error is not None and response_url:
            notify(client, ResponseUrlDestination(response_url), texts.MODAL_FAILED.format(error=error))

    threading.Thread(target=open_form, name="slack-open-form", daemon=True).start()


def early_ack_middleware(
    body: dict[str, Any], ack: Ack, context: BoltContext, client: WebClient, next: Callable[[], None]
) -> Any:
    """Acknowledge in the request thread: commands and clicks empty, a form with its inline errors;
    a request for the check form also opens it at once (see `_open_form_now`)."""
    kind = body.get("type")
    if "command" in body and isinstance(body.get("command"), str):
        ack()
        if fold(from_slack(str(body.get("text") or ""))).strip(" .!") in default_rules().words_for("form"):
            user, response_url = str(body.get("user_id") or ""), str(body.get("response_url") or "")
            _open_form_now(body, context, client, user, response_url)
    elif kind in ACKED_EARLY:
        ack()
        actions = body["actions"] if isinstance(body.get("actions"), list) else []
        if any(isinstance(a, dict) and a.get("action_id") == ids.HOME_FORM for a in actions):
            _open_form_now(body, context, client, str(as_dict(body.get("user")).get("id") or ""), "")
    elif kind == "view_submission":
        view = as_dict(body.get("view"))
        if view.get("callback_id") == ids.CHECK_MODAL:
            values = as_dict(as_dict(view.get("state")).get("values"))
            answers, skipped, errors = read_form(values, services_of(context).ctx)
            if errors:
                payload = {"response_action": "errors", "errors": errors}
                return BoltResponse(
                    status=200, body=json.dumps(payload), headers={"content-type": "application/json"}
                )
            context[FORM_KEY] = (answers, skipped)
        ack()
    next()
    return None
