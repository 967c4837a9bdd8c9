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
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltResponse
from slack_bolt.context import BoltContext
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack import ids
from bot.slack.modal import read_form
from bot.slack.services import services_of

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


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def early_ack_middleware(
    body: dict[str, Any], ack: Ack, context: BoltContext, next: Callable[[], None]
) -> Any:
    """Acknowledge in the request thread: commands and clicks empty, a form with its inline errors."""
    kind = body.get("type")
    if ("command" in body and isinstance(body.get("command"), str)) or kind in ACKED_EARLY:
        ack()
    elif kind == "view_submission":
        view = _mapping(body.get("view"))
        if view.get("callback_id") == ids.CHECK_MODAL:
            values = _mapping(_mapping(view.get("state")).get("values"))
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
