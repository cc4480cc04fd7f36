"""The list table models and their filter proxy, tested on plain records without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from journal.domain.entities import Fasting, Meal, ResistanceSet, WalkKind, WorkoutKind
from journal.domain.indices import IndexKey
from journal.ui.models.tables import (
    ID_ROLE,
    SORT_ROLE,
    LabDrawTableModel,
    RecordFilterProxy,
    WalkTableModel,
    WorkoutTableModel,
    local_time,
)
from tests.factories import NOW, draw, result, walk, workout

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
DISPLAY = Qt.ItemDataRole.DisplayRole


def _draws():
    return [
        replace(draw(NOW - timedelta(days=300)), id=1),  # 100 mg/dL, the factory panel
        replace(
            draw(
                NOW - timedelta(days=200),
                results=(
                    result("glucose", 5.0, "mmol/L"),  # 90.08 mg/dL
                    result("triglycerides", 1.2, "mmol/L"),
                    result("hdl", 1.4, "mmol/L", flag="L"),
                ),
                lab_name="Lakeshore Medical",
                notes="Fasting draw before the trip. " * 4,
            ),
            id=2,
        ),
        replace(
            draw(
                NOW - timedelta(days=100),
                fasting=Fasting.UNKNOWN,
                results=(result("glucose", 95, "mg/dL"), result("insulin", 60, "pmol/L")),
            ),
            id=3,
        ),
        replace(draw(NOW - timedelta(days=10), results=(result("hba1c", 5.4, "%"),)), id=4),
    ]


def _workouts():
    return [
        replace(workout(NOW - timedelta(days=3), minutes=120, activity="Long ride"), id=1),
        replace(workout(NOW - timedelta(days=2), minutes=9, kind=WorkoutKind.HIIT, rpe=9), id=2),
        replace(
            workout(
                NOW - timedelta(days=1),
                minutes=45,
                kind=WorkoutKind.RESISTANCE,
                rpe=None,
                activity="Gym: strength",
                sets=(ResistanceSet("Squat", 3, 8, 60.0), ResistanceSet("Row", 4, 10, 40.0)),
                notes="Knee felt fine",
            ),
            id=3,
        ),
    ]


def _walks():
    return [
        replace(walk(NOW - timedelta(days=2), delay_min=12, minutes=20, pace_kmh=5.2), id=1),
        replace(
            walk(
                NOW - timedelta(days=1),
                delay_min=5,
                meal=Meal.LUNCH,
                kind=WalkKind.CALF_RAISES,
                notes="At my desk",
            ),
            id=2,
        ),
        replace(walk(NOW - timedelta(hours=5), delay_min=30, distance_km=1.2), id=3),
    ]


def _column(model, header: str) -> int:
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return headers.index(header)


def _texts(model, header: str) -> list[str]:
    column = _column(model, header)
    return [model.index(r, column).data(DISPLAY) for r in range(model.rowCount())]


def _ids(model) -> list[int]:
    return [model.index(r, 0).data(ID_ROLE) for r in range(model.rowCount())]


@pytest.mark.parametrize(
    ("model_class", "rows"),
    [(LabDrawTableModel, _draws), (WorkoutTableModel, _workouts), (WalkTableModel, _walks)],
)
def test_each_model_passes_the_model_tester_through_fills_sorts_and_changes(
    qtmodeltester, model_class, rows
):
    model = model_class()
    model.set_rows(rows())
    qtmodeltester.check(model)  # stays attached, so every change below is checked too
    for column in range(model.columnCount()):
        model.sort(column, ASC)
        model.sort(column, DESC)
    records = rows()
    model.upsert([replace(records[0], notes="changed"), replace(records[1], id=99)])
    model.remove_ids([records[2].id, 12345])
    model.set_rows([])
    assert model.rowCount() == 0


def test_proxy_passes_the_model_tester(qtmodeltester):
    model = WorkoutTableModel()
    proxy = RecordFilterProxy()
    proxy.setSourceModel(model)
    model.set_rows(_workouts())
    qtmodeltester.check(proxy)
    proxy.set_search_text("ride")
    proxy.sort(3, DESC)
    proxy.set_search_text("")


def test_lab_cells_show_values_with_units_and_indices():
    model = LabDrawTableModel()
    model.set_rows(_draws())
    model.sort(0, DESC)
    assert _ids(model) == [4, 3, 2, 1]
    assert _texts(model, "Drawn")[3] == local_time(NOW - timedelta(days=300))
    assert _texts(model, "Glucose") == ["", "95 mg/dL", "5.0 mmol/L", "100 mg/dL"]
    assert _texts(model, "HbA1c")[0] == "5.4%"
    assert _texts(model, "HDL")[2] == "1.4 mmol/L ↓"  # the lab's low flag
    assert _texts(model, "HOMA-IR")[3] == "2.47"  # 100 × 10 / 405
    assert _texts(model, "TG:HDL")[3] == "3.00"
    assert _texts(model, "TG:HDL")[2] == "0.86 (mmol/L)"  # the basis matters for cut-offs
    assert _texts(model, "Fasting")[1] == "Unknown"
    assert _texts(model, "Lab")[2] == "Lakeshore Medical"


def test_an_index_that_cannot_be_computed_shows_a_dash_and_says_why():
    model = LabDrawTableModel()
    model.set_rows(_draws())
    model.sort(0, DESC)
    homa = model.index(1, model.column_of(IndexKey.HOMA_IR))  # fasting unknown
    assert homa.data(DISPLAY) == "—"
    assert "Fasting state not recorded" in homa.data(Qt.ItemDataRole.ToolTipRole)
    assert homa.data(SORT_ROLE) is None


def test_lab_values_sort_by_their_conventional_value_across_units():
    # Sorted as mg/dL: 5.0 mmol/L is 90 mg/dL, so it comes before 95 and 100 mg/dL; a draw
    # without glucose goes last in both directions.
    model = LabDrawTableModel()
    model.set_rows(_draws())
    glucose = model.column_of("glucose")
    model.sort(glucose, ASC)
    assert _ids(model) == [2, 3, 1, 4]
    assert model.index(0, glucose).data(SORT_ROLE) == pytest.approx(90.08, abs=0.01)
    model.sort(glucose, DESC)
    assert _ids(model) == [1, 3, 2, 4]


def test_lab_value_tooltip_gives_the_other_unit_and_the_flag():
    model = LabDrawTableModel()
    model.set_rows(_draws())
    model.sort(0, ASC)
    tip = model.index(1, model.column_of("hdl")).data(Qt.ItemDataRole.ToolTipRole)
    assert "mg/dL" in tip and "low" in tip


def test_workout_cells_and_numeric_sorting():
    model = WorkoutTableModel()
    model.set_rows(_workouts())
    model.sort(0, DESC)
    assert _texts(model, "Kind") == ["Resistance", "HIIT", "Aerobic"]
    assert _texts(model, "Minutes") == ["45", "9", "120"]
    assert _texts(model, "Sets") == ["7", "", ""]
    assert _texts(model, "Load") == ["", "81", "600"]
    minutes = _column(model, "Minutes")
    model.sort(minutes, ASC)
    assert _texts(model, "Minutes") == ["9", "45", "120"]  # not "120", "45", "9"
    model.sort(_column(model, "RPE"), ASC)
    assert _texts(model, "RPE") == ["5", "9", ""]  # no RPE sorts last
    right = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
    assert model.index(0, minutes).data(Qt.ItemDataRole.TextAlignmentRole) == right


def test_walk_cells():
    model = WalkTableModel()
    model.set_rows(_walks())
    model.sort(0, DESC)
    assert _texts(model, "Kind") == ["Walk", "Seated calf raises", "Walk"]
    assert _texts(model, "Meal") == ["Dinner", "Lunch", "Dinner"]
    assert _texts(model, "After eating") == ["30 min", "5 min", "12 min"]
    assert _texts(model, "Pace") == ["≈ 4.8 km/h", "", "5.2 km/h"]  # 1.2 km in 15 minutes
    ended = (NOW - timedelta(days=2)).astimezone()
    assert _texts(model, "Meal ended")[2] == f"{ended:%H:%M}"
    assert _texts(model, "Date")[2].endswith(f"{ended:%Y-%m-%d}")


def test_long_notes_are_cut_in_the_cell_and_whole_in_an_escaped_tooltip():
    model = WorkoutTableModel()
    notes = "<b>not bold</b> " + "word " * 60
    model.set_rows([replace(workout(), id=1, notes=notes)])
    notes_column = _column(model, "Notes")
    cell = model.index(0, notes_column).data(DISPLAY)
    assert cell.endswith("…") and len(cell) < len(notes)
    tip = model.index(0, notes_column).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;" in tip and "<b>" not in tip


def test_upsert_places_rows_in_order_and_persistent_indexes_follow():
    model = WorkoutTableModel()
    model.set_rows(_workouts())
    model.sort(0, DESC)
    held = QPersistentModelIndex(model.index(2, 0))  # the oldest, id 1
    newest = replace(workout(NOW - timedelta(hours=2)), id=10)
    middle = replace(workout(NOW - timedelta(days=1, hours=12)), id=11)
    model.upsert([newest, middle])
    assert _ids(model) == [10, 3, 11, 2, 1]
    assert held.row() == 4
    # An edit that moves the workout to the top keeps its index with it.
    model.upsert([replace(model.row_record(4), started_at=NOW - timedelta(hours=1))])
    assert _ids(model) == [1, 10, 3, 11, 2]
    assert held.row() == 0
    model.remove_ids([10, 3])
    assert _ids(model) == [1, 11, 2]
    assert model.row_of_id(2) == 2


def test_sorting_keeps_persistent_indexes_on_their_records():
    model = WorkoutTableModel()
    model.set_rows(_workouts())
    model.sort(0, DESC)
    held = QPersistentModelIndex(model.index(0, 0))
    assert held.data(ID_ROLE) == 3
    model.sort(_column(model, "Minutes"), DESC)
    assert held.data(ID_ROLE) == 3 and held.row() == 1


def _proxy(model):
    proxy = RecordFilterProxy()
    proxy.setSourceModel(model)
    return proxy


def _proxy_ids(proxy) -> list[int]:
    return [proxy.index(r, 0).data(ID_ROLE) for r in range(proxy.rowCount())]


def test_proxy_searches_every_column_case_insensitively_for_all_words():
    model = WorkoutTableModel()
    model.set_rows(_workouts())
    proxy = _proxy(model)
    proxy.sort(0, DESC)
    assert proxy.sortRole() == SORT_ROLE
    proxy.set_search_text("KNEE")
    assert _proxy_ids(proxy) == [3]
    proxy.set_search_text("hiit")  # a kind
    assert _proxy_ids(proxy) == [2]
    proxy.set_search_text("ride 120")  # activity and minutes, both must match
    assert _proxy_ids(proxy) == [1]
    proxy.set_search_text("ride 45")
    assert _proxy_ids(proxy) == []
    assert proxy.is_filtering
    proxy.clear_filters()
    assert _proxy_ids(proxy) == [3, 2, 1] and not proxy.is_filtering


def test_proxy_date_range_includes_both_ends_in_local_dates():
    model = WalkTableModel()
    model.set_rows(_walks())
    proxy = _proxy(model)
    proxy.sort(0, ASC)
    day = lambda when: when.astimezone().date()  # noqa: E731
    first, second = day(NOW - timedelta(days=2)), day(NOW - timedelta(days=1))
    proxy.set_date_range(first, second)
    assert _proxy_ids(proxy) == [1, 2]
    proxy.set_date_range(second, None)
    assert _proxy_ids(proxy) == [2, 3]
    proxy.set_date_range(None, first - timedelta(days=1))
    assert _proxy_ids(proxy) == []
    proxy.set_date_range(first, first)
    proxy.set_search_text("lunch")
    assert _proxy_ids(proxy) == []


def test_proxy_sort_is_handed_to_the_model():
    model = WalkTableModel()
    model.set_rows(_walks())
    proxy = _proxy(model)
    proxy.sort(_column(model, "Minutes"), DESC)
    assert [model.row_record(r).duration_min for r in range(3)] == [20, 15, 15]
    assert _proxy_ids(proxy) == _ids(model)
