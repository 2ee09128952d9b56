from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from platewatch.cli.main import app
from platewatch.config import ConfigError, load_config, parse_config

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "configs" / "example-site.yaml"


@pytest.fixture(autouse=True)
def camera_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example site references ${ELM_NORTH_CAMERA_PASSWORD}; it must be set for the file to load."""
    monkeypatch.setenv("ELM_NORTH_CAMERA_PASSWORD", "s3cret-from-env")


def example() -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE.read_text())
    assert isinstance(data, dict)
    return data


def problems_of(data: Any) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(data, "test.yaml")
    return info.value.problems


def test_example_config_is_valid() -> None:
    cfg = load_config(EXAMPLE)
    assert cfg.site.timezone == "Europe/London"
    cam = cfg.camera("elm_st_north")
    assert cam.calibration is not None and len(cam.calibration.image_points) == 4
    assert [z.kind for z in cam.zones] == ["watch", "plate"]


def test_every_shipped_config_is_valid() -> None:
    for path in sorted((REPO / "configs").glob("*.yaml")):
        load_config(path)


def test_polygon_with_two_points_names_its_path() -> None:
    data = example()
    data["cameras"][0]["zones"][1]["polygon"] = [[0, 0], [1, 1]]
    assert problems_of(data) == ["cameras[0].zones[1].polygon: polygon needs at least 3 points"]


def test_unknown_key_is_rejected_with_its_path() -> None:
    data = example()
    data["detection"]["proces_fps"] = 3
    assert problems_of(data) == [
        "detection.proces_fps: unknown key (check the spelling against configs/example-site.yaml)"
    ]


def test_several_mistakes_are_all_reported() -> None:
    data = example()
    data["cameras"].append(dict(data["cameras"][0]))  # duplicate id
    data["cameras"][0]["calibration"]["world_points"] = [[0, 0], [1, 0], [1, 1]]
    data["rules"]["slow"]["max_speed_kmh"] = -5
    data["site"]["timezone"] = "Europe/Londres"
    del data["site"]["name"]
    problems = problems_of(data)
    assert "site.name: required key is missing" in problems
    assert "site.timezone: unknown timezone 'Europe/Londres'" in problems
    assert "rules.slow.max_speed_kmh: Input should be greater than 0" in problems
    assert "cameras[0].calibration: calibration has 4 image_points but 3 world_points" in problems
    # Camera-level problems are found before the cross-camera check runs; fix them, then it fires.
    data = example()
    data["cameras"].append(dict(data["cameras"][0]))
    assert problems_of(data) == ["cameras: camera ids must be unique, repeated: elm_st_north"]


def test_bad_camera_id_and_too_few_calibration_points() -> None:
    data = example()
    data["cameras"][0]["id"] = "Elm North"
    data["cameras"][0]["calibration"] = {"image_points": [[0, 0]] * 3, "world_points": [[0, 0]] * 3}
    problems = problems_of(data)
    assert "cameras[0].id: String should match pattern '^[a-z0-9_]+$'" in problems
    assert "cameras[0].calibration: calibration needs at least 4 image_points" in problems


def test_naive_start_time_is_rejected() -> None:
    data = example()
    data["cameras"][0]["start_time"] = "2026-05-01T22:00:00"
    assert problems_of(data) == [
        "cameras[0].start_time: start_time needs a timezone, e.g. 2024-05-01T22:00:00Z"
    ]


def test_no_cameras_and_not_a_mapping() -> None:
    data = example()
    data["cameras"] = []
    assert problems_of(data) == ["cameras: List should have at least 1 item after validation, not 0"]
    assert problems_of(["a", "list"]) == ["(top level): expected a mapping of keys, got list"]


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELM_NORTH_CAMERA_PASSWORD", "s3cret")
    cam = load_config(EXAMPLE).camera("elm_st_north")
    assert cam.resolved_source() == "rtsp://viewer:s3cret@10.20.0.11/stream1"


def test_missing_environment_reference_fails_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    # Found at `config check`, not hours later when the camera first connects.
    monkeypatch.delenv("ELM_NORTH_CAMERA_PASSWORD", raising=False)
    data = example()
    data["database_url"] = "postgresql://pw:${PW_FOR_DB}@db/x"
    monkeypatch.delenv("PW_FOR_DB", raising=False)
    assert sorted(problems_of(data)) == [
        "cameras[0].source: environment variable ELM_NORTH_CAMERA_PASSWORD is not set "
        "(referenced as ${ELM_NORTH_CAMERA_PASSWORD})",
        "database_url: environment variable PW_FOR_DB is not set (referenced as ${PW_FOR_DB})",
    ]
    result = CliRunner().invoke(app, ["config", "check", str(EXAMPLE)])
    assert result.exit_code == 2 and "ELM_NORTH_CAMERA_PASSWORD is not set" in result.output


@pytest.mark.parametrize("value", ["25:99", "7:00pm", "24:00", "19:60"])
def test_night_times_are_parsed_at_load(value: str) -> None:
    data = example()
    data.setdefault("rules", {}).setdefault("frequent", {})["night_start"] = value
    (problem,) = problems_of(data)
    assert problem.startswith("rules.frequent.night_start: ")


def test_database_url_from_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_config(EXAMPLE)
    monkeypatch.delenv("PLATEWATCH_DATABASE_URL", raising=False)
    assert cfg.resolved_database_url().startswith("sqlite:///")
    assert cfg.resolved_database_url().endswith("var/platewatch.db")
    monkeypatch.setenv("PLATEWATCH_DATABASE_URL", "postgresql://u@h/db")
    assert cfg.resolved_database_url() == "postgresql://u@h/db"


def test_cli_config_check_exits_non_zero_with_every_problem(tmp_path: Path) -> None:
    data = example()
    data["cameras"][0]["zones"][0]["polygon"] = [[1, 1]]
    data["letters"]["window_days"] = 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(app, ["config", "check", str(bad)])
    assert result.exit_code == 2
    assert "cameras[0].zones[0].polygon: polygon needs at least 3 points" in result.output
    assert "letters.window_days: Input should be greater than or equal to 1" in result.output
    ok = CliRunner().invoke(app, ["config", "check", str(EXAMPLE)])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output


def test_unreadable_and_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read file"):
        load_config(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("site: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)


def test_settle_reads_must_be_off_or_fit_the_read_budget() -> None:
    data = example()
    data.setdefault("detection", {})["settle_reads"] = 1
    assert problems_of(data) == [
        "detection: settle_reads 1 would stop at the first read: use 0 (off) or 2 and more"
    ]
    data["detection"].update(settle_reads=5, max_reads_per_track=4)
    assert problems_of(data) == [
        "detection: settle_reads 5 exceeds max_reads_per_track 4: the track would stop reading"
        " before its reads could agree"
    ]
    data["detection"]["settle_reads"] = 0
    assert parse_config(data, "test.yaml").detection.settle_reads == 0
