from datetime import timedelta

import pytest
from newsmon.streams.alerts.logic import CORROBORATION_INTERVAL, expire, flush, track
from newsmon.streams.alerts.summary import is_filler, quantity_phrase, summarize

from newsmon.records import MessageOrigin, Party, Quantity
from newsmon.settings.alerts import AlertSettings, WatchRule
from tests.factories import NOW
from tests.factories import make_event as sighting

SETTINGS = AlertSettings(debounce_seconds=0)
DEBOUNCED = AlertSettings(debounce_seconds=30)


def origin(offset):
    return MessageOrigin(topic="events", partition=0, offset=offset)


def feed(settings, *sightings, start=NOW, step=timedelta(seconds=1)):
    """Track the sightings in order; the last decision and every alert emitted on the way."""
    state, alerts, decision = None, [], None
    for index, event in enumerate(sightings):
        decision = track(state, event, origin(index), start + index * step, settings)
        state, alerts = decision.state, alerts + decision.alerts
    return decision, alerts


def test_first_sighting_alerts_new_and_a_second_outlet_is_a_corroboration_update_at_once():
    first = track(None, sighting("north"), origin(1), NOW, SETTINGS)
    assert [alert.kind for alert in first.alerts] == ["new"]
    assert first.alerts[0].corroboration == 1
    second = track(first.state, sighting("harbor"), origin(2), NOW + timedelta(seconds=5), DEBOUNCED)
    [update] = second.alerts
    assert (update.kind, update.corroboration) == ("update", 2)
    assert update.summary.endswith("— changed: corroborated by 2 outlets")
    assert [source.outlet for source in update.sources] == ["north", "harbor"]
    assert update.alert_id != first.alerts[0].alert_id


def test_a_syndicated_burst_gives_one_corroboration_update_then_one_per_interval():
    outlets = [sighting(f"outlet{index}") for index in range(12)]
    decision, alerts = feed(DEBOUNCED, *outlets, step=timedelta(seconds=2))
    assert [(alert.kind, alert.corroboration) for alert in alerts] == [("new", 1), ("update", 2)]
    interval_end = NOW + timedelta(seconds=2) + CORROBORATION_INTERVAL
    assert decision.due_at == interval_end
    assert flush(decision.state, interval_end - timedelta(seconds=1), DEBOUNCED).alerts == []
    flushed = flush(decision.state, interval_end, DEBOUNCED)
    assert [alert.summary.split("— changed: ")[1] for alert in flushed.alerts] == [
        "corroborated by 12 outlets"
    ]
    assert flushed.due_at is None
    # 13 outlets are still the step of 10: nothing to say until 20.
    later = track(
        flushed.state, sighting("outlet12"), origin(99), interval_end + CORROBORATION_INTERVAL, SETTINGS
    )
    assert later.alerts == [] and later.due_at is None


def test_corroboration_updates_come_at_2_3_5_and_10_outlets():
    outlets = [sighting(f"outlet{index}") for index in range(10)]
    _, alerts = feed(SETTINGS, *outlets, step=CORROBORATION_INTERVAL)
    assert [alert.corroboration for alert in alerts] == [1, 2, 3, 5, 10]
    assert len({alert.alert_id for alert in alerts}) == 5


def test_requests_and_refusals_do_not_corroborate():
    _, alerts = feed(
        SETTINGS, sighting("north"), sighting("harbor", "refused"), sighting("east", "called_for")
    )
    assert [(alert.kind, alert.corroboration) for alert in alerts] == [("new", 1)]


def test_status_moving_forward_gives_one_update_saying_what_changed():
    decision, alerts = feed(
        SETTINGS,
        sighting("north", "proposed"),
        sighting("harbor", "announced"),
        sighting("third", "announced"),
        sighting("fourth", "proposed"),
    )
    assert [alert.kind for alert in alerts] == ["new", "update"]
    update = alerts[1]
    assert update.alert_id != alerts[0].alert_id
    assert update.corroboration == 2
    assert update.summary.endswith("— changed: status proposed → announced; corroborated by 2 outlets")


@pytest.mark.parametrize("status", ["refused", "called_for"])
def test_refusals_and_requests_never_alert(status):
    assert track(None, sighting("north", status), origin(1), NOW, SETTINGS).alerts == []


def test_request_then_announcement_alerts_new_once_and_the_request_does_not_corroborate():
    _, alerts = feed(SETTINGS, sighting("north", "called_for"), sighting("harbor"))
    assert [(alert.kind, alert.corroboration) for alert in alerts] == [("new", 1)]


def test_redelivered_message_republishes_the_identical_alerts():
    first = track(None, sighting("north"), origin(1), NOW, SETTINGS)
    redelivered = track(first.state, sighting("north"), origin(1), NOW + timedelta(minutes=1), SETTINGS)
    assert redelivered.alerts == first.alerts


def test_two_alerts_of_one_key_in_one_commit_window_are_both_republished():
    proposed = track(None, sighting("north", "proposed"), origin(1), NOW, SETTINGS)
    adopted = track(proposed.state, sighting("harbor", "announced"), origin(2), NOW, SETTINGS)
    assert (
        track(adopted.state, sighting("north", "proposed"), origin(1), NOW, SETTINGS).alerts
        == proposed.alerts
    )
    assert track(adopted.state, sighting("harbor"), origin(2), NOW, SETTINGS).alerts == adopted.alerts


def busy_key(count):
    """`count` countries pledging under one coarse key, one message each: every message causes an alert."""
    codes = [f"C{index:02d}" for index in range(count)]
    return [sighting("north", actors=[Party(name=code, code=code)]) for code in codes]


def test_a_busy_key_republishes_every_message_the_broker_may_deliver_again():
    # 30 alerting messages of one key between two commits (a worker catching up): a crash before the commit
    # redelivers all of them, and each must give its alert back, not only the last few.
    state, caused = None, []
    for offset, event in enumerate(busy_key(30)):
        decision = track(state, event, origin(offset), NOW, SETTINGS, committed=None)
        state, caused = decision.state, caused + [decision.alerts]
    for offset, event in enumerate(busy_key(30)):
        again = track(state, event, origin(offset), NOW, SETTINGS, committed=0)
        assert again.replayed and again.alerts == caused[offset]


def test_messages_below_the_committed_offset_are_forgotten():
    state = None
    for offset, event in enumerate(busy_key(30)):
        state = track(state, event, origin(offset), NOW, SETTINGS, committed=max(0, offset - 2)).state
    assert [entry.origin for entry in state.recent] == [origin(27), origin(28), origin(29)]


def test_same_sighting_from_upstream_redelivery_changes_nothing():
    first = track(None, sighting("north"), origin(1), NOW, SETTINGS)
    duplicate = track(first.state, sighting("north"), origin(7), NOW, SETTINGS)
    assert duplicate.alerts == []
    assert duplicate.state == first.state


def test_alert_id_is_deterministic_across_processes():
    one = track(None, sighting("north"), origin(1), NOW, SETTINGS).alerts[0]
    two = track(
        None,
        sighting("harbor"),
        MessageOrigin(topic="events", partition=3, offset=9),
        NOW + timedelta(hours=1),
        SETTINGS,
    ).alerts[0]
    assert one.alert_id == two.alert_id


# --- identity tolerance -----------------------------------------------------------------------------------

EU, DEU, FRA = (
    Party(name="EU", code="EU"),
    Party(name="Germany", code="DEU"),
    Party(name="France", code="FRA"),
)


GERMAN_AID_TO_UKRAINE = dict(
    type="commitment", category="financial_aid", actors=[DEU], targets=[Party(name="UA", code="UKR")]
)


def dollars(value: float) -> Quantity:
    return Quantity(value=value, unit="USD", text=f"${value}")


def euros(value: float) -> Quantity:
    return Quantity(value=value, unit="EUR", text=f"{value} euros")


def test_one_actor_more_a_missing_quantity_or_another_language_is_the_same_event():
    base = sighting("north", quantity=Quantity(value=20, unit="package", text="20th package"))
    more_actors = sighting(
        "harbor", actors=[EU, DEU], quantity=None, lang="ar", sentence="…", object="حزمة العقوبات"
    )
    decision, alerts = feed(SETTINGS, base, more_actors)
    assert len(decision.state.tracked) == 1
    assert [alert.kind for alert in alerts] == ["new", "update"]
    assert alerts[1].summary.endswith("— changed: joined: Germany; corroborated by 2 outlets")
    assert [actor.code for actor in alerts[1].event.actors] == ["EU", "DEU"]


def test_other_actors_or_another_object_in_the_same_language_is_another_event():
    troops = dict(type="commitment", category="weapons", targets=[Party(name="Ukraine", code="UKR")])
    decision, alerts = feed(
        SETTINGS,
        sighting("north", actors=[DEU], object="Leopard tanks", **troops),
        sighting("harbor", actors=[FRA], object="Leopard tanks", **troops),
        sighting("third", actors=[DEU], object="artillery shells", **troops),
        sighting("fourth", actors=[DEU], object="tanks", **troops),
    )
    assert len(decision.state.tracked) == 3
    # The fourth sighting corroborates the first event, not another.
    assert [(alert.kind, alert.corroboration) for alert in alerts] == [("new", 1)] * 3 + [("update", 2)]
    assert len({alert.alert_id for alert in alerts}) == 4
    assert [source.outlet for source in decision.state.tracked[0].sources] == ["north", "fourth"]


def test_an_object_that_only_restates_the_category_does_not_make_another_event():
    decision, alerts = feed(
        SETTINGS,
        sighting("north", object="grant", quantity=dollars(500e6), **GERMAN_AID_TO_UKRAINE),
        sighting(
            "north",
            object="financial aid",
            quantity=dollars(700e6),
            event_id="raised",
            **GERMAN_AID_TO_UKRAINE,
        ),
        sighting("harbor", object="loan guarantees", **GERMAN_AID_TO_UKRAINE),
    )
    assert len(decision.state.tracked) == 2  # the raise joins the grant; a loan guarantee is another pledge
    assert [alert.kind for alert in alerts] == ["new", "update", "new"]


def test_a_changed_quantity_updates_but_a_rounding_difference_does_not():
    _, alerts = feed(
        SETTINGS,
        sighting("a", **GERMAN_AID_TO_UKRAINE),
        sighting("b", quantity=euros(500e6), **GERMAN_AID_TO_UKRAINE),
        sighting("c", quantity=euros(510e6), **GERMAN_AID_TO_UKRAINE),
        sighting("d", quantity=euros(700e6), **GERMAN_AID_TO_UKRAINE),
    )
    # The third outlet alone waits for the corroboration interval; the quantity change carries it.
    assert [alert.summary.split("— changed: ")[-1] for alert in alerts[1:]] == [
        "quantity none → 500 million EUR; corroborated by 2 outlets",
        "quantity 500 million EUR → 700 million EUR; corroborated by 4 outlets",
    ]


def test_an_amount_back_at_a_value_alerted_before_is_a_new_update_not_a_repeat():
    _, alerts = feed(
        SETTINGS,
        *(
            sighting("a", quantity=euros(value), event_id=f"report-{index}", **GERMAN_AID_TO_UKRAINE)
            for index, value in enumerate((392e6, 901e6, 660e6, 901e6))
        ),
    )
    assert [alert.kind for alert in alerts] == ["new", "update", "update", "update"]
    # Both updates to 901 million say where they came from; a sink's sent-ledger must not drop the second.
    assert len({alert.alert_id for alert in alerts}) == 4


def test_an_amount_flipping_between_two_figures_gives_a_new_alert_id_each_time():
    """Two outlets' figures alternating (seen in a soak: 319 → 545 → 319 → 545 listings) make the same change
    twice; each is an alert of its own, or the read-back of a later one finds the earlier and drops it."""
    _, alerts = feed(
        SETTINGS,
        *(
            sighting("a", quantity=euros(value), event_id=f"report-{index}", **GERMAN_AID_TO_UKRAINE)
            for index, value in enumerate((319e6, 545e6, 319e6, 545e6, 319e6))
        ),
    )
    assert [alert.kind for alert in alerts] == ["new", "update", "update", "update", "update"]
    assert len({alert.alert_id for alert in alerts}) == 5


def test_an_older_report_of_the_amount_arriving_late_is_not_a_change():
    published = lambda outlet, when: sighting(outlet).article.model_copy(update={"published_at": when})  # noqa: E731
    raised = sighting("a", quantity=dollars(700e6), article=published("a", NOW), **GERMAN_AID_TO_UKRAINE)
    pledged = sighting(
        "b", quantity=dollars(500e6), article=published("b", NOW - timedelta(days=3)), **GERMAN_AID_TO_UKRAINE
    )
    decision, alerts = feed(SETTINGS, raised, pledged)
    assert [alert.summary.split("— changed: ")[-1] for alert in alerts[1:]] == ["corroborated by 2 outlets"]
    assert decision.state.tracked[0].quantity == dollars(700e6)


# --- debounce, hold until corroborated, rules, retention --------------------------------------------------


def test_debounce_merges_a_burst_into_one_update_flushed_when_due():
    first = track(None, sighting("a", "proposed"), origin(1), NOW, DEBOUNCED)
    adopted = track(
        first.state,
        sighting("b", "announced", actors=[EU, DEU]),
        origin(2),
        NOW + timedelta(seconds=5),
        DEBOUNCED,
    )
    joined = track(
        adopted.state,
        sighting("c", "announced", actors=[EU, DEU, FRA]),
        origin(3),
        NOW + timedelta(seconds=9),
        DEBOUNCED,
    )
    assert adopted.alerts == joined.alerts == []
    assert joined.due_at == NOW + timedelta(seconds=30)
    assert flush(joined.state, NOW + timedelta(seconds=29), DEBOUNCED).alerts == []
    flushed = flush(joined.state, NOW + timedelta(seconds=30), DEBOUNCED)
    # The new outlets do not shorten the debounce; they are told with the merged changes.
    assert [alert.summary.split("— changed: ")[1] for alert in flushed.alerts] == [
        "status proposed → announced; joined: Germany, France; corroborated by 3 outlets"
    ]
    assert flushed.due_at is None
    assert flush(flushed.state, NOW + timedelta(minutes=5), DEBOUNCED).alerts == []


def test_single_source_event_is_held_until_corroborated_per_rule():
    settings = AlertSettings(
        debounce_seconds=0,
        rules=[
            WatchRule(name="eu-corroborated", actors=["EU"], min_sources=2),
            WatchRule(name="arabic", languages=["ar"]),
        ],
    )
    decision, alerts = feed(
        settings, sighting("north"), sighting("north", event_id="again"), sighting("harbor", lang="ar")
    )
    assert [(alert.kind, alert.rules, alert.corroboration) for alert in alerts] == [
        ("new", ["default"], 1),
        ("update", ["default"], 2),
        ("new", ["arabic", "eu-corroborated"], 2),
    ]
    held = AlertSettings(debounce_seconds=0, min_sources=2)
    assert feed(held, sighting("north"))[1] == []


def test_keyword_and_status_rules():
    settings = AlertSettings(
        debounce_seconds=0,
        rules=[
            WatchRule(name="package", keywords=["PACKAGE"]),
            WatchRule(name="adopted", statuses=["announced"]),
        ],
    )
    _, alerts = feed(
        settings,
        sighting("north", "proposed", sentence="The EU proposed new measures."),
        sighting("harbor", "announced"),
    )
    assert [(alert.kind, alert.rules) for alert in alerts] == [
        ("new", ["default"]),
        ("update", ["default"]),
        ("new", ["adopted", "package"]),
    ]


def test_retention_forgets_events_not_seen_for_the_window():
    first = track(None, sighting("north"), origin(1), NOW, SETTINGS)
    later = NOW + timedelta(days=SETTINGS.retention_days, seconds=1)
    assert expire(first.state, later - timedelta(seconds=2), SETTINGS) == first.state
    assert expire(first.state, later, SETTINGS) is None
    assert flush(first.state, later, SETTINGS).state is None
    again = track(first.state, sighting("harbor"), origin(2), later, SETTINGS)
    assert [alert.kind for alert in again.alerts] == ["new"]


def test_summary_reads_as_a_notification():
    assert summarize(sighting("north")) == "The EU imposes a sanctions package on Russia — announced"
    troops = sighting(
        "north",
        type="commitment",
        category="troops",
        object="reassurance force",
        actors=[Party(name="ماكرون", code="FRA")],
        targets=[Party(name="أوكرانيا", code="UKR")],
        quantity={"value": 26, "unit": "countries", "text": "26 دولة"},
    )
    assert (
        summarize(troops)
        == "France and 25 countries pledge troops (reassurance force) to Ukraine — announced"
    )


UKR, JPN, GBR = (
    Party(name="Ukraine", code="UKR"),
    Party(name="Japan", code="JPN"),
    Party(name="UK", code="GBR"),
)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            dict(object="sanctions", quantity=Quantity(value=20, unit="package", text="20th package")),
            "The EU imposes the 20th sanctions package on Russia — announced",
        ),
        (
            dict(object="العقوبات", quantity=Quantity(value=21, unit="package", text="الحزمة 21")),
            "The EU imposes the 21st sanctions package on Russia — announced",
        ),
        (
            dict(
                type="commitment",
                category="financial_aid",
                actors=[JPN],
                targets=[UKR],
                object="منحة",
                quantity=Quantity(value=500e6, unit="USD", text="500 مليون دولار"),
            ),
            "Japan pledges financial aid (منحة) worth 500 million USD to Ukraine — announced",
        ),
        (
            dict(
                type="commitment",
                category="financial_aid",
                actors=[JPN],
                targets=[UKR],
                object="مليون",
                quantity=Quantity(value=1.5e9, unit="EUR", text="1.5 billion euros"),
            ),
            "Japan pledges financial aid worth 1.5 billion EUR to Ukraine — announced",
        ),
        (
            dict(
                type="commitment",
                category="troops",
                actors=[GBR],
                targets=[Party(name="Estonia", code="EST")],
                object="soldiers",
                quantity=Quantity(value=500, unit="troops", text="500 soldiers"),
            ),
            "The United Kingdom pledges 500 troops to Estonia — announced",
        ),
        (
            dict(
                type="commitment",
                category="air_defence",
                actors=[Party(name="Germany", code="DEU")],
                targets=[UKR],
                object="IRIS-T",
                quantity=Quantity(value=4, unit="systems", text="four systems"),
            ),
            "Germany pledges air defence (IRIS-T, 4 systems) to Ukraine — announced",
        ),
        (
            dict(category="asset_freeze", actors=[GBR], object="جمّدت"),
            "The United Kingdom imposes an asset freeze on Russia — announced",
        ),
        (
            dict(category="trade_restriction", object="arms embargo"),
            "The EU imposes trade restrictions (arms embargo) on Russia — announced",
        ),
    ],
)
def test_summary_shows_the_package_number_and_amount_and_drops_filler_objects(fields, expected):
    assert summarize(sighting("north", **fields)) == expected


@pytest.mark.parametrize(
    ("text", "category", "filler"),
    [
        ("(sanctions)", "sanctions_package", True),
        ("ban", "travel_ban", True),
        ("مليون", "financial_aid", True),
        ("ملياري", "financial_aid", True),
        ("twenty", "weapons", True),
        ("500", "troops", True),
        (None, "troops", True),
        ("بالأسلحة", "weapons", True),
        ("حظر الأسلحة", "trade_restriction", False),  # "arms" says which trade is restricted
        ("Leopard tanks", "weapons", False),
        ("loan", "financial_aid", False),
    ],
)
def test_filler_objects(text, category, filler):
    assert is_filler(text, category) is filler


@pytest.mark.parametrize(
    ("value", "unit", "phrase"),
    [
        (7e8, "USD", "700 million USD"),
        (1.25e9, "EUR", "1.25 billion EUR"),
        (2500, "troops", "2,500 troops"),
        (4, "systems", "4 systems"),
        (12, "package", "12th package"),
        (22, "package", "22nd package"),
    ],
)
def test_quantities_read_as_a_person_writes_them(value, unit, phrase):
    assert quantity_phrase(value, unit) == phrase


def test_a_redelivered_message_is_flagged_as_a_replay():
    first = track(None, sighting("north"), origin(1), NOW, SETTINGS)
    assert not first.replayed
    again = track(first.state, sighting("north"), origin(1), NOW, SETTINGS)
    assert again.replayed and again.alerts == first.alerts
