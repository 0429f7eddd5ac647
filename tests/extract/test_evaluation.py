"""The scorer: one-to-one matching by type, status and actor accuracy on matched pairs."""

from newsmon.streams.extract.evaluation import Example, LabelledEvent, score


def event(event_type: str, status: str, *actors: str) -> LabelledEvent:
    return LabelledEvent(event_type, status, frozenset(actors))


def test_matching_is_one_to_one_by_type():
    report = score(
        [
            Example(
                "en",
                "t",
                gold=(event("sanction", "announced", "EU"),),
                predicted=(
                    event("sanction", "proposed", "EU"),
                    event("sanction", "announced", "USA"),
                    event("commitment", "announced", "EU"),
                ),
            )
        ]
    )
    assert (
        report.overall.true_positives,
        report.overall.false_positives,
        report.overall.false_negatives,
    ) == (1, 2, 0)
    assert report.matched == 1


def test_status_and_actor_accuracy_on_matched_pairs():
    report = score(
        [
            Example(
                "ar",
                "a",
                gold=(event("commitment", "refused", "ITA"),),
                predicted=(event("commitment", "announced", "ITA"),),
            ),
            Example(
                "ar",
                "b",
                gold=(event("commitment", "called_for", "UKR"),),
                predicted=(event("commitment", "called_for", "RUS"),),
            ),
            Example("en", "c", gold=(), predicted=()),
        ]
    )
    assert report.status_accuracy == 0.5 and report.actor_accuracy == 0.5
    assert report.by_type["commitment"].f1 == 1.0
    assert report.by_status["refused"].recall == 0.0


def test_misses_and_false_alarms_are_listed():
    report = score(
        [
            Example("en", "x", gold=(event("sanction", "announced", "JPN"),), predicted=()),
            Example("en", "y", gold=(), predicted=(event("commitment", "announced", "FRA"),)),
        ]
    )
    assert [m["text"] for m in report.misses] == ["x"]
    assert [f["text"] for f in report.false_alarms] == ["y"]
