"""VehicleTracker (Ultralytics ByteTrack): ids follow vehicles, lost budget in processed frames."""

from __future__ import annotations

from detect.records import VehicleClass, VehicleDetection
from detect.tracking import VehicleTracker


def car(x: float, y: float, conf: float = 0.8) -> VehicleDetection:
    return VehicleDetection((x, y, x + 40, y + 30), VehicleClass.CAR, conf)


def test_ids_follow_two_moving_vehicles() -> None:
    tr = VehicleTracker(process_fps=5, lost_seconds=2.0)
    ids = []
    for i in range(10):
        out = tr.update([car(10 + 4 * i, 50), car(200 - 4 * i, 150)])
        ids.append({(round(d.box[1]), d.track_id) for d in out})
    assert ids[-1] == ids[2] and len(ids[-1]) == 2
    assert len({tid for _, tid in ids[-1]}) == 2


def test_lost_budget_is_counted_in_processed_frames() -> None:
    tr = VehicleTracker(process_fps=5, lost_seconds=2.0)
    assert tr.lost_frames == 10
    for i in range(5):
        (first,) = tr.update([car(10 + 2 * i, 50)])
    for _ in range(5):  # 1 s unseen at 5 fps: within the budget
        assert tr.update([]) == []
    (again,) = tr.update([car(30, 50)])
    assert again.track_id == first.track_id


def test_forget_and_reset() -> None:
    tr = VehicleTracker(process_fps=5, lost_seconds=2.0)
    for _ in range(3):
        (d,) = tr.update([car(10, 50)])
    tr.update([])
    tr.forget({d.track_id or 0})
    assert all(o.track_id != d.track_id for o in tr.update([car(10, 50)]))
    tr.reset()
    for _ in range(2):
        out = tr.update([car(100, 100)])
    assert [o.track_id for o in out] == [1]
