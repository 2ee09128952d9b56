"""Site configuration: one YAML file, validated at load into a frozen typed tree.

Secrets never live in the YAML: a value may reference the environment as `${NAME}` (for example a
camera URL with a password), and the database URL comes from `PLATEWATCH_DATABASE_URL` when set.
Every mistake is reported with its path, e.g. `cameras[1].zones[0].polygon: needs at least 3 points`.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from platewatch.redact import register_secret

_ENV_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")

Point = tuple[float, float]


class ConfigError(Exception):
    """A site configuration that cannot be used; `problems` holds one line per mistake."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(f"  {p}" for p in problems))


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(StrictModel):
    description: str = Field("", description="Where the camera is, in words")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class Zone(StrictModel):
    name: str = Field(pattern=r"^[a-z0-9_]+$", description="Zone id, unique within the camera")
    polygon: list[Point] = Field(description="Image-pixel polygon, at least 3 points")
    kind: Literal["watch", "plate", "exclude"] = Field(
        "watch",
        description="watch: rules apply (slow/kerb-crawling); plate: plates are read here; "
        "exclude: detections inside are ignored",
    )

    @field_validator("polygon")
    @classmethod
    def _polygon_has_area(cls, v: list[Point]) -> list[Point]:
        if len(v) < 3:
            raise ValueError("polygon needs at least 3 points")
        return v


class Calibration(StrictModel):
    """Ground-plane homography: image pixels -> metres on the road surface."""

    image_points: list[Point] = Field(description="At least 4 pixel positions on the road")
    world_points: list[Point] = Field(description="The same points in metres (x east, y north)")

    @model_validator(mode="after")
    def _pairs(self) -> Calibration:
        if len(self.image_points) < 4:
            raise ValueError("calibration needs at least 4 image_points")
        if len(self.image_points) != len(self.world_points):
            raise ValueError(
                f"calibration has {len(self.image_points)} image_points but "
                f"{len(self.world_points)} world_points"
            )
        return self


class Camera(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9_]+$", description="Stable camera id used in track keys")
    name: str = ""
    source: str = Field(description="Video file, image folder, rtsp:// or http(s):// URL; ${ENV} allowed")
    location: Location = Location()
    direction_of_travel: str = Field("", description="e.g. 'northbound', as the site survey records it")
    start_time: datetime | None = Field(
        None, description="For recorded files: UTC time of the first frame (else file metadata/mtime)"
    )
    process_fps: float | None = Field(None, gt=0, le=60, description="Overrides detection.process_fps")
    # One decoding thread leaves the other cores to the detectors and OCR, which wait for nothing
    # else: on 2 cores a 1080p clip gave 9.7-10.0 analysed frames/s against 8.6-9.0 with FFmpeg's
    # one thread per core (bench/throughput.py, alternating runs). A stream that one thread cannot
    # decode in real time (4K at 25 fps on a slow core) needs 0 (FFmpeg's choice) or more.
    decode_threads: int = Field(
        1, ge=0, le=64, description="FFmpeg decoding threads for this camera; 0: one per core"
    )
    zones: list[Zone] = []
    calibration: Calibration | None = None

    @field_validator("start_time")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("start_time needs a timezone, e.g. 2024-05-01T22:00:00Z")
        return v

    @field_validator("zones")
    @classmethod
    def _unique_zones(cls, zones: list[Zone]) -> list[Zone]:
        names = [z.name for z in zones]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"zone names must be unique, repeated: {', '.join(dupes)}")
        return zones

    def resolved_source(self) -> str:
        """The source with `${ENV}` references filled in; raises KeyError naming a missing one."""
        return expand_env(self.source)


class ModelPaths(StrictModel):
    """Explicit weight paths; empty means: find by manifest name (see models/manifest.yaml)."""

    vehicle_detector: Path | None = None
    plate_detector: Path | None = None
    # OpenVINO exports (folders), used when detection.backend resolves to openvino.
    vehicle_detector_openvino: Path | None = None
    plate_detector_openvino: Path | None = None
    ocr_dir: Path | None = None


class Detection(StrictModel):
    process_fps: float = Field(5.0, gt=0, le=60, description="Frames per second of video analysed")
    vehicle_confidence: float = Field(0.25, gt=0, lt=1)
    plate_confidence: float = Field(0.25, gt=0, lt=1)
    # auto: OpenVINO when no CUDA GPU is present (3x faster than torch on a CPU), torch on a GPU.
    backend: Literal["auto", "torch", "openvino"] = Field(
        "auto", description="Detector runtime: auto (OpenVINO on CPU, torch on GPU), torch or openvino"
    )
    vehicle_imgsz: int = Field(640, ge=160, le=1920, description="Torch only: an OpenVINO export has its own")
    plate_imgsz: int = Field(640, ge=160, le=1920, description="Torch only: an OpenVINO export has its own")
    min_vehicle_height_px: int = Field(40, ge=0, description="Smaller vehicles are tracked but not read")
    # Small plates are read and scored, and calibrated confidence decides what they are good for: 48 px
    # is the smallest width the street bench measures (most clean plates read, no wrong read at letter
    # grade), and the real clips' 55 px truck plate is found only below 60 (docs/benchmarks.md, "Small
    # plates are read"). Narrower, the characters are a few pixels wide and a read is a guess (JamCam
    # 352x288 clips gave 2-character nonsense at 30 px, and junk at 40 px on the plate clips).
    min_plate_width_px: int = Field(48, ge=0, description="Narrower plate boxes are not read")
    # A plate read below letter grade is read again with its measured horizontal motion blur undone
    # (detect/reading/deblur.py): street bench 351 -> 497 of 696 exact, motion-blurred 24 -> 170 of 232.
    motion_deblur: bool = Field(
        True, description="Read a plate below letter grade again with its horizontal motion blur undone"
    )
    # Else (no smear measured) it may be read again smoothed of sensor noise and compression blocks
    # (detect/reading/denoise.py): street bench 497 -> 511 of 696 exact (JPEG at 64 px 24 -> 41 %,
    # night 69 -> 79 %), but 60 % more OCR time on a busy clip (paris_rain 1080p: 8.8 -> 7.0 fps),
    # so off unless the cameras are noisy or compressed and the CPU has room.
    denoise_second_read: bool = Field(
        False, description="Read a plate below letter grade again with noise and JPEG blocks smoothed"
    )
    max_reads_per_track: int = Field(12, ge=1, le=200, description="OCR attempts kept per track")
    # A plate read the same this many times is settled whatever its grammar (a French plate under
    # the gb grammar never reaches letter grade and was read up to max_reads_per_track): the track
    # is then read again only when the vehicle has come closer (issue 13 item 2).
    settle_reads: int = Field(
        3,
        ge=0,
        le=200,
        description="Reads agreeing on one text that end a track's reading unless it grows (0: off)",
    )
    region: Literal["gb", "any"] = "gb"
    letter_grade_confidence: float = Field(
        0.9, gt=0, le=1, description="Consensus confidence a read needs before it can lead to a letter"
    )
    track_lost_seconds: float = Field(2.0, gt=0, description="A track unseen this long is finished")
    stopped_speed_kmh: float = Field(3.0, ge=0, description="Below this a vehicle counts as stopped")
    blur_people: bool = Field(True, description="Blur people in evidence images before writing")
    queue_size: int = Field(64, ge=1, le=10000, description="Frames buffered between reader and detector")
    # Read by the multi-camera path (`platewatch process-many`), which batches frames on this
    # device and runs the detectors in fp16 on CUDA; "auto" is the first GPU when there is one.
    device: str = Field(
        "auto",
        pattern=r"^(auto|cpu|cuda(:\d+)?)$",
        description="Inference device for batched detection: auto, cpu, cuda or cuda:N",
    )

    @model_validator(mode="after")
    def _settle_reads_fit(self) -> Detection:
        if self.settle_reads == 1:
            raise ValueError("settle_reads 1 would stop at the first read: use 0 (off) or 2 and more")
        if self.settle_reads > self.max_reads_per_track:
            raise ValueError(
                f"settle_reads {self.settle_reads} exceeds max_reads_per_track {self.max_reads_per_track}:"
                " the track would stop reading before its reads could agree"
            )
        return self


class SlowRule(StrictModel):
    max_speed_kmh: float = Field(12.0, gt=0)
    min_duration_s: float = Field(8.0, gt=0)
    parked_after_s: float = Field(300.0, gt=0, description="Stationary longer than this = parked")


class CirclingRule(StrictModel):
    passes: int = Field(3, ge=2)
    window_minutes: float = Field(60.0, gt=0)


def _local_time(text: str) -> time:
    try:
        hours, minutes = (int(p) for p in text.split(":"))
        return time(hours, minutes)
    except ValueError:
        raise ValueError(f"expected a local time HH:MM (00:00 to 23:59), got {text!r}") from None


class FrequentRule(StrictModel):
    nights: int = Field(3, ge=2)
    days: int = Field(30, ge=1)
    night_start: str = Field("19:00", pattern=r"^\d\d:\d\d$")
    night_end: str = Field("07:00", pattern=r"^\d\d:\d\d$")

    @field_validator("night_start", "night_end")
    @classmethod
    def _valid_time(cls, v: str) -> str:
        _local_time(v)  # "25:99" must fail at `config check`, not inside the rules later
        return v

    @property
    def night_start_time(self) -> time:
        return _local_time(self.night_start)

    @property
    def night_end_time(self) -> time:
        return _local_time(self.night_end)


class Rules(StrictModel):
    slow: SlowRule = SlowRule()
    circling: CirclingRule = CirclingRule()
    frequent: FrequentRule = FrequentRule()
    hotlist_max_distance: int = Field(1, ge=0, le=2, description="Confusable characters allowed")


class LetterPolicy(StrictModel):
    min_qualifying_passes: int = Field(2, ge=1)
    distinct_occasions: bool = Field(True, description="Passes must be on different nights")
    window_days: int = Field(90, ge=1, description="One letter per vehicle per this many days")
    template_version: str = "v1"


class Retention(StrictModel):
    sightings_days: int = Field(365, ge=1)
    audit_days: int = Field(2190, ge=365)
    letters_days: int = Field(
        730, ge=30, description="Finished letters and their representations are deleted after this"
    )


class LadderStage(StrictModel):
    """One rung of the escalation ladder (issue 12); the system drafts it, a supervisor decides it."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=120)
    action: Literal["letter", "referral"]
    template_version: str | None = Field(None, description="Letter template for a letter stage")
    return_within_days: int | None = Field(
        None, ge=1, description="A confirmed return within this many days of the previous step escalates"
    )


def _default_stages() -> list[LadderStage]:
    return [
        LadderStage(
            key="advisory", name="Advisory letter to the keeper", action="letter", template_version="v1"
        ),
        LadderStage(
            key="warning",
            name="Warning letter (Community Protection Warning)",
            action="letter",
            template_version="cpw1",
            return_within_days=180,
        ),
        LadderStage(
            key="referral",
            name="Referral file for a Community Protection Notice or prosecution decision",
            action="referral",
            return_within_days=180,
        ),
    ]


class Associates(StrictModel):
    window_s: int = Field(
        60, ge=1, le=3600, description="Seen together: at one camera within this many seconds"
    )
    min_nights: int = Field(3, ge=2, description="On at least this many different nights")
    days: int = Field(90, ge=1, le=365, description="How far back the search looks")
    brief_stop_min_s: float = Field(5.0, ge=0)
    brief_stop_max_s: float = Field(180.0, gt=0, description="Longer stops are parking, not a drop-off")


class Enforcement(StrictModel):
    associates: Associates = Associates()
    stages: list[LadderStage] = Field(default_factory=_default_stages, min_length=1)
    quiet_period_days: int = Field(
        365, ge=1, description="With no confirmed return for this long after its last step, a ladder expires"
    )
    keeper_check: bool = Field(
        True, description="Block letters when the keeper record disagrees with the images"
    )

    @model_validator(mode="after")
    def _coherent(self) -> Enforcement:
        keys = [s.key for s in self.stages]
        if len(set(keys)) != len(keys):
            raise ValueError(f"stage keys must be unique: {', '.join(keys)}")
        if self.stages[0].action != "letter":
            raise ValueError("stages[0] must be a letter: the ladder starts with a letter to the keeper")
        for i, stage in enumerate(self.stages):
            if stage.action == "letter" and not stage.template_version:
                raise ValueError(f"stages[{i}] ({stage.key}): a letter stage needs template_version")
            if stage.action == "referral" and i != len(self.stages) - 1:
                raise ValueError(f"stages[{i}] ({stage.key}): a referral can only be the last stage")
            if i > 0 and stage.return_within_days is None:
                raise ValueError(f"stages[{i}] ({stage.key}): needs return_within_days")
            if stage.template_version:
                _check_template(i, stage)
        return self


def _check_template(i: int, stage: LadderStage) -> None:
    # The wording lives in the API package; a typo in the site YAML must fail at load, not at approval.
    from importlib import resources

    name = f"{stage.template_version}.txt"
    if not (stage.template_version or "").isalnum() or not (
        resources.files("intel_api.letters.templates").joinpath(name).is_file()
    ):
        raise ValueError(f"stages[{i}] ({stage.key}): no letter template {stage.template_version!r}")


class Storage(StrictModel):
    data_dir: Path = Path("var")
    evidence_dir: Path | None = None
    spool_dir: Path | None = None

    def evidence_path(self) -> Path:
        return self.evidence_dir or self.data_dir / "evidence"

    def spool_path(self) -> Path:
        return self.spool_dir or self.data_dir / "spool"


class Api(StrictModel):
    token_minutes: int = Field(60, ge=1, le=24 * 60)
    officer_history_days: int = Field(90, ge=1)
    max_body_bytes: int = Field(
        4 * 1024 * 1024,
        ge=1024,
        le=256 * 1024 * 1024,
        description="Larger request bodies are refused with 413 before authentication",
    )
    ingest_epoch: datetime = Field(
        datetime(2020, 1, 1, tzinfo=UTC),
        description="Ingested sightings before this time are refused (so are those past retention)",
    )
    ingest_future_minutes: float = Field(
        5.0, ge=0, le=24 * 60, description="Ingested times this far ahead of the server clock are refused"
    )

    @field_validator("ingest_epoch")
    @classmethod
    def _epoch_aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("ingest_epoch needs a timezone, e.g. 2020-01-01T00:00:00Z")
        return v


class Site(StrictModel):
    name: str
    timezone: str = "Europe/London"

    @field_validator("timezone")
    @classmethod
    def _known_tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown timezone {v!r}") from e
        return v


class SiteConfig(StrictModel):
    site: Site
    storage: Storage = Storage()
    database_url: str | None = Field(None, description="Overridden by PLATEWATCH_DATABASE_URL")
    models: ModelPaths = ModelPaths()
    detection: Detection = Detection()
    cameras: Annotated[list[Camera], Field(min_length=1)]
    rules: Rules = Rules()
    letters: LetterPolicy = LetterPolicy()
    retention: Retention = Retention()
    api: Api = Api()
    enforcement: Enforcement = Enforcement()

    @field_validator("cameras")
    @classmethod
    def _unique_cameras(cls, cameras: list[Camera]) -> list[Camera]:
        ids = [c.id for c in cameras]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"camera ids must be unique, repeated: {', '.join(dupes)}")
        return cameras

    def camera(self, camera_id: str) -> Camera:
        for cam in self.cameras:
            if cam.id == camera_id:
                return cam
        raise KeyError(f"no camera {camera_id!r} in config (have: {', '.join(c.id for c in self.cameras)})")

    def resolved_database_url(self) -> str:
        env = os.environ.get("PLATEWATCH_DATABASE_URL")
        if env:
            return env
        if self.database_url:
            return expand_env(self.database_url)
        return f"sqlite:///{(self.storage.data_dir / 'platewatch.db').resolve()}"


def expand_env(value: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in os.environ:
            raise KeyError(f"environment variable {name} is not set (referenced as ${{{name}}})")
        # whatever comes from the environment is treated as a secret from here on
        register_secret(os.environ[name])
        return os.environ[name]

    return _ENV_REF.sub(sub, value)


def env_problems(data: Any, where: tuple[int | str, ...] = ()) -> list[str]:
    """Every `${NAME}` in the raw config whose variable is not set, with its path (checked at load)."""
    if isinstance(data, str):
        return [
            f"{_format_loc(where)}: environment variable {name} is not set (referenced as ${{{name}}})"
            for name in _ENV_REF.findall(data)
            if name not in os.environ
        ]
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in env_problems(v, (*where, str(k)))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in env_problems(v, (*where, i))]
    return []


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


def format_validation_error(err: ValidationError) -> list[str]:
    problems = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling against configs/example-site.yaml)"
        elif e["type"] == "missing":
            msg = "required key is missing"
        problems.append(f"{_format_loc(loc)}: {msg}")
    return problems


def parse_config(data: Any, source: str = "<config>") -> SiteConfig:
    """Validate a config; `${NAME}` references must be set now, not when a camera first connects."""
    if not isinstance(data, dict):
        raise ConfigError(source, ["(top level): expected a mapping of keys, got " + type(data).__name__])
    problems: list[str] = []
    try:
        config = SiteConfig.model_validate(data)
    except ValidationError as e:
        problems = format_validation_error(e)
    problems += env_problems(data)
    if problems:
        raise ConfigError(source, problems)
    for camera in config.cameras:
        camera.resolved_source()  # registers the expanded secrets for redaction
    if config.database_url:
        expand_env(config.database_url)
    return config


def load_config(path: Path | str) -> SiteConfig:
    """Load and validate a site YAML file; relative storage paths are kept relative to the CWD."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(str(p), [f"cannot read file: {e.strerror}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(str(p), [f"not valid YAML: {e}"]) from None
    return parse_config(data, str(p))
