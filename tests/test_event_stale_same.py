"""Issue 9: a stale event-setup save whose values are already what is stored (the
other phone made the same edit) is treated as saved, with a message: there is nothing
to choose between, and a bare 409 left the racer with no idea what happened."""

from __future__ import annotations

from tests.conftest import add_car, hx, racer, store_of
from tests.test_event import setup_form, start


def test_a_stale_save_equal_to_what_is_stored_is_already_saved(alice, app) -> None:
    add_car(app)
    event = start(alice, app)
    phone_a = setup_form(app, event, DF="6000")
    phone_b = dict(phone_a)  # the same edit, typed on a second phone from the same version
    assert alice.post(f"/event/{event.id}/setup", data=phone_a).status_code == 303
    stored = store_of(app).get_event_setup(racer(app), event.id)

    response = alice.post(f"/event/{event.id}/setup", data=phone_b, headers=hx("event-setup"))
    assert response.status_code == 200
    assert "Already saved" in response.text and "Changed on another phone" not in response.text
    assert f'name="version" value="{stored.version}"' in response.text  # next save is current
    assert store_of(app).get_event_setup(racer(app), event.id).version == stored.version
    assert len(store_of(app).list_changes(racer(app), event.id)) == 1  # nothing recorded twice

    plain = alice.post(f"/event/{event.id}/setup", data=phone_b)
    assert plain.status_code == 303
    assert "Already saved" in alice.get(plain.headers["Location"]).text
