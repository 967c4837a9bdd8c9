"""The Slack edge under faults: the ack comes at once whatever fails after it."""

from __future__ import annotations

import contextlib
import logging
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.feedback import records, summarise
from bot.slack import ids, outbox
from bot.slack.app import LISTENER_THREADS
from dialogs.context import Context
from tests.fake_slack import FakeSlack
from tests.slack.conftest import RunningServer, ServerFactory
from tests.slack.slack_requests import (
    CHANNEL,
    TEAM,
    USER,
    SlackSender,
    as_posted,
    button_action,
    find_element,
)
from tests.slack.test_http_actions import DialogDriver


def _refused_url() -> str:
    """A URL on localhost where nothing listens: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/response/gone"


def _home_click(sender: SlackSender) -> int:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001"},
        "user": {"id": "U0USER1", "team_id": "T0001"},
        "api_app_id": "A0APP",
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": "1.2.3",
        "actions": [
            {"type": "button", "action_id": "home_check", "block_id": "home-actions", "value": "check"}
        ],
    }
    return sender.interaction(payload).status


def _logged(caplog: pytest.LogCaptureFixture, text: str, count: int, timeout: float = 10.0) -> bool:
    """Whether `count` log records with `text` arrive (the listeners log from their threads)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(text in r.getMessage() for r in caplog.records) >= count:
            return True
        time.sleep(0.05)
    return False


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info]


def test_a_command_whose_response_url_is_unreachable_is_acked_and_logged_in_one_line(
    sender: SlackSender, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(3):
        assert sender.command("Miten toimintamalli nimetään?", _refused_url()).status == 200
    assert sender.command("Miten toimintamalli nimetään?", fake_slack.response_url_for("ok")).status == 200
    fake_slack.wait_for("response_url", 1)  # the server still answers after the failed deliveries
    # unreachable for now: kept to be sent again (a response_url stays valid for 30 minutes)
    assert _logged(caplog, "kept 1 message(s) for response_url", 3) and not _tracebacks(caplog)
    assert not any("/response/gone" in r.getMessage() for r in caplog.records)  # no response_url in the log


def test_a_click_whose_dm_cannot_be_opened_is_acked_and_logged_in_one_line(
    sender: SlackSender, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.fail("conversations.open", "account_inactive", times=2)
    assert _home_click(sender) == 200
    assert _home_click(sender) == 200
    fake_slack.wait_for("conversations.open", 2, include_failed=True)
    assert _home_click(sender) == 200  # and the third, with Slack answering again, gets its DM
    fake_slack.wait_for("chat.postMessage", 1)
    assert _logged(caplog, "account_inactive", 1) and not _tracebacks(caplog)


def test_acks_do_not_wait_for_workers_sleeping_through_rate_limits(
    server: RunningServer, fake_slack: FakeSlack
) -> None:
    """Every listener worker is busy retrying a 429 (Retry-After 2 s): commands and clicks still get 200."""
    fake_slack.rate_limit("chat.postMessage", retry_after=2, times=10_000)
    sender = server.sender
    for _ in range(LISTENER_THREADS + 8):
        assert sender.mention("Miten toimintamalli nimetään?")[0].status == 200
    fake_slack.wait_for("chat.postMessage", LISTENER_THREADS, include_failed=True)  # the workers are busy
    for _ in range(3):
        assert sender.command("Mikä on PDSA?", fake_slack.response_url_for("busy")).status == 200
    assert _home_click(sender) == 200
    # the form opens before its trigger expires (3 s), though no worker is free for seconds
    assert (
        sender.command(
            "lomake", fake_slack.response_url_for("form"), trigger_id=fake_slack.trigger_id()
        ).status
        == 200
    )
    opened = fake_slack.wait_for("views.open", 1, include_failed=True)
    assert all(c.ok for c in opened), [c.response for c in opened]
    fake_slack.reset()  # let the sleeping retries finish quickly


def test_a_channel_mention_does_not_continue_the_private_dialog(
    server: RunningServer, fake_slack: FakeSlack
) -> None:
    sender = server.sender
    sender.direct_message("check")
    sender.direct_message("P4I2")
    fake_slack.wait_for("chat.postMessage", 2)
    before = server.store.user_state("slack", TEAM, USER)["dialog"]
    assert before["step"] == "hyvinvointialue"
    sender.mention("Pirkanmaa")
    public = fake_slack.wait_for_match("chat.postMessage", lambda c: c.params["channel"] == CHANNEL)
    assert not any(b["block_id"].startswith("choices-") for b in public.blocks())
    assert "kahdenkeskisessä" in public.all_text() and "1/" not in public.all_text()
    after = server.store.user_state("slack", TEAM, USER)["dialog"]
    assert after["step"] == "hyvinvointialue" and "hyvinvointialue" not in after["answers"]
    sender.mention("yhteenveto")  # the draft's fields are not shown where others read
    shown = fake_slack.wait_for("chat.postMessage", 4)[-1]
    assert shown.params["channel"] == CHANNEL and "P4" not in shown.all_text()


def test_an_old_prompts_button_after_a_restart_changes_nothing(
    servers: ServerFactory, fake_slack: FakeSlack
) -> None:
    first = servers.start()
    dialog = DialogDriver(first.sender, fake_slack)
    dialog.type("check")
    dialog.type("P4I2")
    dialog.type("Etelä-Savon hyvinvointialue")
    name_prompt = dialog.type("Monialainen asiakas- ja palveluohjaus")  # buttons: ok …
    dialog.click(name_prompt, "ok")  # now at lyhyt_kuvaus
    servers.stop_all()
    second = servers.start()
    dialog.sender = second.sender
    stored = second.store.user_state("slack", TEAM, USER)["dialog"]
    assert stored["step"] == "lyhyt_kuvaus"
    message = as_posted(name_prompt)  # the same old prompt, its block as Slack still shows it
    block, ok = find_element(message["blocks"], "choice:")
    assert ids.step_of(block["block_id"]) == "nimi"
    assert second.sender.click(button_action(block, ok), message).status == 200
    note = dialog._next()
    assert "aiempaan kysymykseen" in note.all_text() and "lyhyt kuvaus" in note.all_text().lower()
    assert second.store.user_state("slack", TEAM, USER)["dialog"] == stored  # nothing stored, nothing moved


def test_a_clicked_value_the_step_did_not_offer_is_refused(
    server: RunningServer, fake_slack: FakeSlack
) -> None:
    dialog = DialogDriver(server.sender, fake_slack)
    first = as_posted(dialog.type("check"))
    block, checkboxes = find_element(first["blocks"], "choice_multi")
    _, done = find_element(first["blocks"], "choice_done")
    forged = [{"value": "P4I9", "text": {"type": "plain_text", "text": "P4I9"}}]
    state = {block["block_id"]: {checkboxes["action_id"]: {"selected_options": forged}}}
    assert server.sender.click(button_action(block, done), first, state=state).status == 200
    assert "aiempaan kysymykseen" in dialog._next().all_text()
    assert "investoinnit" not in server.store.user_state("slack", TEAM, USER)["dialog"]["answers"]


def test_a_reply_rate_limited_past_the_clients_retries_is_sent_later_once(
    server: RunningServer, fake_slack: FakeSlack
) -> None:
    fake_slack.rate_limit("chat.postMessage", retry_after=1, times=4)  # the client retries 3 times
    server.sender.mention("Miten toimintamalli nimetään?", ts="1700002000.000100")
    (sent,) = fake_slack.wait_for("chat.postMessage", 1, timeout=20)  # from the outbox
    assert sent.params["thread_ts"] == "1700002000.000100" and "RRP" in sent.all_text()
    assert len(fake_slack.calls("chat.postMessage")) == 5  # four refused, one taken
    time.sleep(2 * outbox.INTERVAL)
    assert server.store.items("outbox") == []
    assert len([c for c in fake_slack.calls("chat.postMessage") if c.ok]) == 1  # not sent twice


def test_a_check_whose_first_prompt_slack_refuses_is_not_saved(
    server: RunningServer, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "invalid_auth")
    server.sender.direct_message("check")
    fake_slack.wait_for("chat.postMessage", 1, include_failed=True)
    deadline = time.monotonic() + 5
    while "dialog" in server.store.user_state("slack", TEAM, USER) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "dialog" not in server.store.user_state(
        "slack", TEAM, USER
    )  # the user never saw the first question
    server.sender.direct_message("check")
    prompt = fake_slack.wait_for("chat.postMessage", 1)[-1]
    assert "investointi" in prompt.all_text().lower() and "kesken oleva" not in prompt.all_text()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB filesystem of its own (tmpfs), so that it can really fill up; skipped where mounting
    is not allowed."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small filesystem here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_turn_the_store_cannot_save_is_answered_so_and_changes_nothing(
    small_disk: Path, fake_slack: FakeSlack, slack_ctx: Context
) -> None:
    factory = ServerFactory(fake_slack, small_disk / "store.sqlite", slack_ctx)
    server = factory.start()
    try:
        filler = small_disk / "filler"
        with contextlib.suppress(OSError), filler.open("wb", buffering=0) as handle:  # the disk is full
            while True:
                handle.write(b"x" * 4096)
        server.sender.direct_message("check")
        (reply,) = fake_slack.wait_for("chat.postMessage", 1)
        assert "En saanut tallennettua" in reply.all_text() and "investointi" not in reply.all_text().lower()
        assert server.store.user_state("slack", TEAM, USER) == {}
        filler.unlink()  # room again
        server.sender.direct_message("check")
        assert "investointi" in fake_slack.wait_for("chat.postMessage", 2)[-1].all_text().lower()
        assert server.store.user_state("slack", TEAM, USER)["dialog"]["step"] == "investoinnit"
    finally:
        factory.stop_all()


def test_an_event_id_is_in_the_store_file_when_the_ack_comes(server: RunningServer) -> None:
    for _ in range(5):
        answer, event_id = server.sender.direct_message("Mikä on PDSA?")
        assert answer.status == 200
        with sqlite3.connect(server.store.path) as conn:  # another process would see it now
            keys = {row[0] for row in conn.execute("SELECT id FROM tm_events")}
        assert event_id in keys


def test_a_file_alone_gets_a_note_not_the_help_and_the_dialog_keeps_its_step(
    server: RunningServer, fake_slack: FakeSlack
) -> None:
    server.sender.direct_message("check")
    fake_slack.wait_for("chat.postMessage", 1)
    server.sender.direct_message("", subtype="file_share", files=[{"id": "F1", "name": "malli.pdf"}])
    note = fake_slack.wait_for("chat.postMessage", 2)[-1]
    assert "liitetiedostoja" in note.all_text() and "Komennot" not in note.all_text()
    assert server.store.user_state("slack", TEAM, USER)["dialog"]["step"] == "investoinnit"


def test_feedback_shows_its_question_counts_one_vote_and_thanks_once(
    server: RunningServer, fake_slack: FakeSlack
) -> None:
    server.sender.direct_message("Miten toimintamalli nimetään?")
    answer = fake_slack.wait_for("chat.postMessage", 1)[-1]
    message = as_posted(answer)
    assert "Oliko vastauksesta apua?" in answer.all_text()
    block, up = find_element(message["blocks"], "feedback:up")
    for _ in range(2):
        assert server.sender.click(button_action(block, up), message).status == 200
    (update,) = fake_slack.wait_for("chat.update", 1)
    time.sleep(0.5)
    assert len(fake_slack.calls("chat.update")) == 1  # the second click changed nothing
    assert "Kiitos palautteesta" in update.all_text() and "Oliko vastauksesta apua?" not in update.all_text()
    assert not any(b.get("type") == "actions" and b["block_id"] == block["block_id"] for b in update.blocks())
    assert summarise(records(server.store))["votes"]["up"] == 1  # one vote stored
