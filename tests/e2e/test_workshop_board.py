"""The workshop board in a real browser: posting a note with the keyboard alone and seeing it
arrive live in another tab, moving a note into a cluster through its menu, dot voting with
the live region saying what is left, axe on the board and the projector, and no sideways
scrolling on a phone.

The live test runs the whole ASGI application (HTTP and the websocket) in a uvicorn thread:
the usual live server speaks only HTTP."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    axe_check,
    focus_stops_without_visible_focus,
    no_horizontal_scroll,
    snap,
    visit,
)
from tests.e2e.conftest import TIMEOUT_MS, sign_in
from tests.workshops.factories import (
    ClusterFactory,
    NoteFactory,
    RegistrationFactory,
    board_workshop,
)
from workshops.models import BoardStage, Note

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workshop(riga):
    return board_workshop(organisation=riga, title="Riverside park", join_code="K7Q2MX")


@pytest.fixture
def facilitator(workshop):
    user = factories.UserFactory(email="facilitator@example.org")
    workshop.facilitators.add(user)
    return user


@pytest.fixture
def participant(workshop):
    return RegistrationFactory(workshop=workshop).user


def announced(page, text: str) -> None:
    region = page.locator("[data-board-announce]")
    page.wait_for_function(
        "([el, text]) => el.textContent.includes(text)", arg=[region.element_handle(), text]
    )


# --- the whole application, websockets included -----------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def asgi_url(settings) -> Iterator[str]:
    """The ASGI application (pages, static files and /ws/) served by uvicorn in a thread."""
    import uvicorn
    from channels.routing import ProtocolTypeRouter
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import application, django_asgi_app

    settings.KOPA_LIVE_MIN_INTERVAL_MS = 50
    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(django_asgi_app),
            "websocket": application.application_mapping["websocket"],
        }
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def asgi_page(browser, asgi_url, page_problems):
    contexts = []

    def open_(user=None, *, viewport=None):
        context = browser.new_context(base_url=asgi_url, viewport=viewport or DESKTOP, locale="en")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            sign_in(context, user, asgi_url)
        page = context.new_page()
        page_problems.watch(page)
        return page

    yield open_
    for context in contexts:
        context.close()


def test_a_note_posted_by_keyboard_appears_live_in_another_tab(asgi_page, workshop, participant):
    watcher = asgi_page()
    visit(watcher, f"/workshops/{workshop.pk}/board/", axe=False)
    watcher.wait_for_function(
        "() => document.querySelector('[data-live-status]').dataset.state === 'live'"
    )

    # A guest at the table joins with the code from the QR code and writes a note.
    guest = asgi_page(viewport=PHONE)
    visit(guest, "/join/K7Q2MX/", axe=False)
    assert guest.url.endswith(f"/workshops/{workshop.pk}/board/")
    guest.wait_for_function(
        "() => document.querySelector('[data-live-status]').dataset.state === 'live'"
    )
    guest.get_by_label("Your note").focus()
    guest.keyboard.type("Shade sails over the playground")
    guest.keyboard.press("Tab")  # the name (left empty: anonymous)
    guest.keyboard.press("Tab")  # the consent box shows only with a name: the button is next
    assert guest.evaluate("() => document.activeElement.textContent.trim()") == "Post the note"
    guest.keyboard.press("Enter")
    announced(guest, "Your note is on the board.")
    # The focus is back in the text box for the next note, which is empty.
    assert guest.evaluate("() => document.activeElement.name") == "text"
    assert guest.get_by_label("Your note").input_value() == ""

    # The other tab shows it without a reload, and the presence count includes both tabs.
    watcher.get_by_text("Shade sails over the playground").wait_for()
    assert Note.objects.filter(text="Shade sails over the playground").count() == 1
    no_horizontal_scroll(guest, PHONE["width"])


# --- without a live socket: actions answer in JSON and the page redraws -----------------------


def test_facilitator_moves_a_note_into_a_cluster_with_the_keyboard(
    open_page, workshop, facilitator
):
    workshop.board_stage = BoardStage.CLUSTERING
    workshop.save()
    prompt = workshop.prompts.first()
    cluster = ClusterFactory(workshop=workshop, prompt=prompt, title="Water")
    note = NoteFactory(workshop=workshop, prompt=prompt, text="A drinking fountain")
    page = open_page(facilitator)
    visit(page, f"/workshops/{workshop.pk}/board/")

    summary = page.locator(f"#note-{note.pk} summary")
    summary.focus()
    page.keyboard.press("Enter")  # opens the note's actions
    assert page.locator(f"#note-{note.pk} details").get_attribute("open") is not None
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == f"move-{note.pk}"
    page.keyboard.press("ArrowDown")  # "No cluster" -> "Water"
    assert page.locator(f"#move-{note.pk}").input_value() == str(cluster.pk)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Move"

    announced(page, "Note moved to “Water”.")
    page.locator(f"#cluster-{cluster.pk} #note-{note.pk}").wait_for()
    page.wait_for_function(f"() => document.activeElement.id === 'note-{note.pk}'")
    note.refresh_from_db()
    assert note.cluster == cluster
    visit(page, f"/workshops/{workshop.pk}/board/")  # axe on the facilitator's board


def test_dot_voting_says_how_many_dots_are_left(open_page, workshop, participant):
    workshop.board_stage = BoardStage.VOTING
    workshop.save()
    note = NoteFactory(workshop=workshop, text="Lights on the bridge")
    page = open_page(participant)
    visit(page, f"/workshops/{workshop.pk}/board/")
    assert page.locator("[data-board-dots-left]").inner_text() == "3 of 3 dots left"

    add = page.get_by_role("button", name="Add a dot to “Lights on the bridge”")
    add.focus()
    page.keyboard.press("Enter")
    announced(page, "Dot added. 2 of 3 dots left")
    page.get_by_role("button", name="Remove a dot from “Lights on the bridge”").wait_for()
    assert page.locator(f"#note-{note.pk} .board-dots").inner_text() == "1 dot"
    assert page.locator("[data-board-dots-left]").inner_text() == "2 of 3 dots left"
    # The focus stays on the button used, so a second dot is one more Enter.
    assert page.evaluate("() => document.activeElement.textContent").startswith("Add a dot")
    page.keyboard.press("Enter")
    announced(page, "Dot added. 1 of 3 dots left")
    page.get_by_role("button", name="Remove a dot from “Lights on the bridge”").click()
    announced(page, "Dot removed. 2 of 3 dots left")
    axe_board = f"/workshops/{workshop.pk}/board/"
    visit(page, axe_board)


def test_board_and_projector_are_accessible_and_fit_a_phone(open_page, workshop, facilitator):
    prompt = workshop.prompts.first()
    cluster = ClusterFactory(workshop=workshop, prompt=prompt, title="Shade and water by the river")
    NoteFactory(workshop=workshop, prompt=prompt, cluster=cluster, text="x" * 120)
    NoteFactory(workshop=workshop, prompt=prompt, text="Benches", display_name="Ilze")
    NoteFactory(workshop=workshop, prompt=prompt, text="Rude", hidden=True)

    anonymous = open_page(viewport=PHONE)
    visit(anonymous, f"/workshops/{workshop.pk}/board/")
    no_horizontal_scroll(anonymous, PHONE["width"])
    assert anonymous.get_by_text("Benches").is_visible()
    assert anonymous.get_by_text("Rude").count() == 0

    page = open_page(facilitator, viewport=PHONE)
    visit(page, f"/workshops/{workshop.pk}/board/")
    no_horizontal_scroll(page, PHONE["width"])
    page.set_viewport_size({"width": 320, "height": 640})
    no_horizontal_scroll(page, 320)
    snap(page, "workshop-board-facilitator")
    assert focus_stops_without_visible_focus(page) == []

    page.set_viewport_size(DESKTOP)
    visit(page, f"/workshops/{workshop.pk}/board/projector/")
    assert page.locator(".projector__code").inner_text() == "K7Q2MX"
    assert page.locator(".projector__qr svg[role=img]").count() == 1
    assert page.get_by_text("Shade and water by the river").is_visible()
    assert page.get_by_text("Rude").count() == 0
    snap(page, "workshop-board-projector")


def test_join_page_refuses_an_unknown_code_clearly(page, workshop):
    visit(page, "/join/")
    page.get_by_label("Join code").fill("NOPE99")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    assert re.search("does not open a board", summary.inner_text())
    assert summary.evaluate("element => element === document.activeElement")


def test_facilitator_switches_stage_and_starts_the_timer(open_page, workshop, facilitator):
    page = open_page(facilitator)
    visit(page, f"/workshops/{workshop.pk}/board/")
    assert page.get_by_role("heading", name="Add a note").is_visible()
    assert not page.get_by_label("New cluster", exact=True).is_visible()

    page.get_by_label("Stage", exact=True).select_option("clustering")
    page.get_by_role("button", name="Switch stage").click()
    announced(page, "Stage: Clustering.")
    # The page follows the stage without a reload: no more notes, clusters can be made.
    page.get_by_label("New cluster", exact=True).wait_for()
    page.get_by_role("heading", name="Add a note").wait_for(state="hidden")
    expect(page.locator("[data-board-stage]")).to_have_text("Clustering")

    page.get_by_label("Timer in minutes").fill("2")
    page.get_by_role("button", name="Start the timer").click()
    announced(page, "The timer is running.")
    countdown = page.locator("[data-board-countdown]")
    countdown.wait_for()
    page.wait_for_function(
        "el => /^[12]:[0-5][0-9] left$/.test(el.textContent)", arg=countdown.element_handle()
    )
    axe_check(page)


def test_a_note_lost_on_the_network_is_sent_again_with_the_same_id(
    open_page, workshop, participant
):
    page = open_page(participant)
    sent = []

    def flaky(route):
        sent.append(route.request.post_data_json["client_id"])
        if len(sent) == 1:
            route.abort("connectionreset")  # the first try never reaches the server
        else:
            route.continue_()

    page.route("**/board/notes/", flaky)
    visit(page, f"/workshops/{workshop.pk}/board/")
    page.get_by_label("Your note").fill("A bench in the shade")
    page.get_by_role("button", name="Post the note").click()
    # Shown at once, marked as on its way.
    assert page.locator(".board-note.is-sending").inner_text().startswith("A bench in the shade")
    announced(page, "Your note is on the board.")
    assert len(sent) == 2
    assert sent[0] == sent[1]
    # Without a live socket the page asks for the board and shows the note as posted.
    page.locator(".board-note:not(.is-sending)", has_text="A bench in the shade").wait_for()
    assert Note.objects.filter(text="A bench in the shade").count() == 1
    assert str(Note.objects.get().client_id) == sent[0]
