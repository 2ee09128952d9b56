"""The PlateWatch schema: typed SQLAlchemy 2.0 models. Every change ships with an Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intel_api.db import partitions
from intel_api.db.base import Base
from intel_api.db.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class ApiKeyScope(StrEnum):
    CAMERA = "camera"  # remote camera workers posting sightings
    LETTERS = "letters"  # the letter system fetching approved letters


class FlagKind(StrEnum):
    SLOW = "slow"
    CIRCLING = "circling"
    FREQUENT = "frequent"
    HOTLIST = "hotlist"
    # Raised when what the cameras saw disagrees with the keeper record (issue 12): misread or clone.
    KEEPER_MISMATCH = "keeper_mismatch"


class FlagStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    ESCALATED = "escalated"


class ReviewAction(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    ESCALATE = "escalate"

    @property
    def past_tense(self) -> str:
        return "escalated" if self is ReviewAction.ESCALATE else f"{self.value}ed"


class LetterStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    SENT = "sent"
    CANCELLED = "cancelled"
    RESPONDED = "responded"
    WITHDRAWN = "withdrawn"  # an upheld representation withdrew it (issue 12)


class ExclusionCategory(StrEnum):
    RESIDENT = "resident"
    BUS = "bus"
    TAXI = "taxi"
    EMERGENCY = "emergency"
    BUSINESS = "business"
    CARER = "carer"
    DELIVERY = "delivery"
    OTHER = "other"


def _enum(e: type[StrEnum]) -> sa.Enum:
    # Stored as VARCHAR + CHECK so adding a value is a plain migration on both backends.
    return sa.Enum(e, native_enum=False, length=24, values_callable=lambda x: [m.value for m in x])


class Camera(Base):
    __tablename__ = "camera"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    location: Mapped[str] = mapped_column(sa.String(400), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    direction_of_travel: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _sighting_key(table: str) -> sa.ForeignKeyConstraint:
    """A row's reference to its sighting: (id, first_seen), the partition key included (0010)."""
    return sa.ForeignKeyConstraint(
        ["sighting_id", "sighting_first_seen"],
        ["sighting.id", "sighting.first_seen"],
        name=f"fk_{table}_sighting_id_sighting",
        ondelete="CASCADE",
        onupdate="CASCADE",
    )


flag_sighting = sa.Table(
    "flag_sighting",
    Base.metadata,
    sa.Column("flag_id", sa.ForeignKey("flag.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("sighting_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    # The sighting's partition key, carried so the link can reference a month-partitioned sighting
    # (PostgreSQL wants the partition key in every foreign key target; migration 0010).
    sa.Column("sighting_first_seen", UTCDateTime, nullable=False),
    _sighting_key("flag_sighting"),
    # The primary key leads with flag_id: finding (or cascading) a sighting's links needs its own index.
    sa.Index("ix_flag_sighting_sighting_id", "sighting_id"),
)


class Sighting(Base):
    """One vehicle pass past one camera (detect.records.Sighting, stored).

    On PostgreSQL the table is partitioned by month of `first_seen` (migration 0010,
    `intel_api.db.partitions`): its primary key there is (id, first_seen) and `track_key` is unique
    with `first_seen` — a replayed sighting repeats both, so ingest stays idempotent. `id` is still
    unique on its own (one sequence); the ORM keys rows by it.
    """

    __tablename__ = "sighting"
    __table_args__ = (
        sa.Index("ix_sighting_plate_first_seen", "plate_text", "first_seen"),
        sa.Index("ix_sighting_camera_first_seen", "camera_id", "first_seen"),
        # The target of the plate reads' and flag links' (sighting_id, sighting_first_seen) keys.
        sa.UniqueConstraint("id", "first_seen", name="uq_sighting_id_first_seen"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    track_key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    camera_id: Mapped[str] = mapped_column(sa.ForeignKey("camera.id", ondelete="RESTRICT"))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    vehicle_class: Mapped[str] = mapped_column(sa.String(16))
    plate_raw: Mapped[str | None] = mapped_column(sa.String(16))
    plate_text: Mapped[str | None] = mapped_column(sa.String(16))
    plate_confidence: Mapped[float | None] = mapped_column(sa.Float)
    plate_format: Mapped[str | None] = mapped_column(sa.String(32))
    plate_valid: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # The country the plate was read as (`detect.reading.country`, from band letters or a national
    # format the read fits as it stands): "GB", a foreign ISO code, or None when not known. A foreign
    # plate (plate_foreign, country known or not) never gets a British keeper look-up. Migration 0006.
    plate_country: Mapped[str | None] = mapped_column(sa.String(2))
    plate_foreign: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # The rest of the consensus read, so a stored sighting is the record it came from (contract v1).
    plate_timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    plate_box: Mapped[list[float] | None] = mapped_column(sa.JSON)
    plate_reader: Mapped[str | None] = mapped_column(sa.String(32))
    plate_quality: Mapped[float | None] = mapped_column(sa.Float)
    # Set when an officer corrects the plate; plate_text then holds the corrected value.
    plate_corrected_by: Mapped[str | None] = mapped_column(sa.String(64))
    speed_kmh: Mapped[float | None] = mapped_column(sa.Float)
    min_speed_kmh: Mapped[float | None] = mapped_column(sa.Float)
    direction: Mapped[str | None] = mapped_column(sa.String(32))
    heading_deg: Mapped[float | None] = mapped_column(sa.Float)
    stopped: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    stopped_seconds: Mapped[float] = mapped_column(sa.Float, default=0.0)
    dwell_seconds: Mapped[float] = mapped_column(sa.Float, default=0.0)
    zone_dwell: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    plate_image_path: Mapped[str | None] = mapped_column(sa.String(500))
    vehicle_image_path: Mapped[str | None] = mapped_column(sa.String(500))
    frames_seen: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Body colour measured from the vehicle crop (detect.colour); None when it could not be measured.
    colour: Mapped[str | None] = mapped_column(sa.String(16))
    colour_confidence: Mapped[float | None] = mapped_column(sa.Float)
    extra: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reads: Mapped[list[PlateReadRow]] = relationship(
        back_populates="sighting", cascade="all, delete-orphan", passive_deletes=True
    )
    flags: Mapped[list[Flag]] = relationship(secondary=flag_sighting, back_populates="sightings")


class PlateReadRow(Base):
    """A per-frame candidate behind a sighting: the audit trail of how its plate was chosen."""

    __tablename__ = "plate_read"
    __table_args__ = (_sighting_key("plate_read"),)

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    sighting_id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), index=True)
    # Its sighting's first_seen: the month partition the read lives in beside its sighting (0010).
    sighting_first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    raw_text: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.String(16))
    confidence: Mapped[float] = mapped_column(sa.Float)
    reader: Mapped[str] = mapped_column(sa.String(32))
    grammar_valid: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    grammar_format: Mapped[str | None] = mapped_column(sa.String(32))
    quality: Mapped[float | None] = mapped_column(sa.Float)
    box: Mapped[list[float] | None] = mapped_column(sa.JSON)

    sighting: Mapped[Sighting] = relationship(back_populates="reads")


class HotlistEntry(Base):
    __tablename__ = "hotlist_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    plate_text: Mapped[str] = mapped_column(sa.String(16), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    owner: Mapped[str] = mapped_column(sa.String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)


class Exclusion(Base):
    __tablename__ = "exclusion"

    id: Mapped[int] = mapped_column(primary_key=True)
    plate_text: Mapped[str] = mapped_column(sa.String(16), index=True)
    category: Mapped[ExclusionCategory] = mapped_column(_enum(ExclusionCategory))
    reason: Mapped[str] = mapped_column(sa.String(500))
    # Who answers for the entry at review time (NASPLE: reference lists need an owner); migration 0003.
    owner: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)


class Flag(Base):
    __tablename__ = "flag"
    __table_args__ = (
        sa.Index("ix_flag_status_kind", "status", "kind"),
        # The review queue's page order (migration 0009): no sort of every open flag per page.
        sa.Index("ix_flag_status_created", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FlagKind] = mapped_column(_enum(FlagKind))
    status: Mapped[FlagStatus] = mapped_column(_enum(FlagStatus), default=FlagStatus.OPEN)
    plate_text: Mapped[str] = mapped_column(sa.String(16), index=True)
    # Deduplicates incremental and batch rule runs: the same evidence never raises two flags.
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    explanation: Mapped[str] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    matched_by: Mapped[str | None] = mapped_column(sa.String(8))  # "exact" | "fuzzy" for hotlist hits
    hotlist_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("hotlist_entry.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sightings: Mapped[list[Sighting]] = relationship(secondary=flag_sighting, back_populates="flags")
    reviews: Mapped[list[Review]] = relationship(back_populates="flag", order_by="Review.created_at")


class Review(Base):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(sa.ForeignKey("flag.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    action: Mapped[ReviewAction] = mapped_column(_enum(ReviewAction))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    corrected_plate: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    flag: Mapped[Flag] = relationship(back_populates="reviews")


class Letter(Base):
    __tablename__ = "letter"
    __table_args__ = (sa.Index("ix_letter_plate_created", "plate_text", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int | None] = mapped_column(sa.ForeignKey("flag.id", ondelete="SET NULL"), index=True)
    plate_text: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[LetterStatus] = mapped_column(_enum(LetterStatus), default=LetterStatus.AWAITING_APPROVAL)
    policy_window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    template_version: Mapped[str] = mapped_column(sa.String(32))
    keeper_name: Mapped[str | None] = mapped_column(sa.String(200))
    keeper_address: Mapped[str | None] = mapped_column(sa.Text)
    keeper_lookup_source: Mapped[str | None] = mapped_column(sa.String(64))
    pdf_path: Mapped[str | None] = mapped_column(sa.String(500))
    approved_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approval_rationale: Mapped[str | None] = mapped_column(sa.Text)
    cancelled_reason: Mapped[str | None] = mapped_column(sa.Text)
    keeper_response: Mapped[str | None] = mapped_column(sa.Text)
    # Issue 12 (migration 0007): the ladder stage it belongs to, when it was posted, and the
    # keeper-record consistency check (what was seen against what the keeper record says).
    stage: Mapped[int | None] = mapped_column(sa.Integer)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    keeper_check: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LadderStatus(StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"  # an upheld representation ended it
    EXPIRED = "expired"  # the quiet period passed with no confirmed return


class StepStatus(StrEnum):
    DRAFTED = "drafted"  # by the system, awaiting a supervisor's decision
    APPROVED = "approved"
    DONE = "done"  # letter posted / referral file handed over
    REJECTED = "rejected"
    SKIPPED = "skipped"  # passed over by a supervisor, with a recorded reason
    WITHDRAWN = "withdrawn"


class LadderCase(Base):
    """One vehicle's passage up the escalation ladder; a new case starts after expiry or a stop."""

    __tablename__ = "ladder_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    plate_text: Mapped[str] = mapped_column(sa.String(16), index=True)
    status: Mapped[LadderStatus] = mapped_column(_enum(LadderStatus), default=LadderStatus.ACTIVE)
    current_stage: Mapped[int] = mapped_column(sa.Integer, default=0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    steps: Mapped[list[LadderStep]] = relationship(
        back_populates="case", order_by="LadderStep.id", cascade="all, delete-orphan", passive_deletes=True
    )


class LadderStep(Base):
    __tablename__ = "ladder_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("ladder_case.id", ondelete="CASCADE"), index=True)
    stage: Mapped[int] = mapped_column(sa.Integer)  # 1-based position in the configured ladder
    stage_key: Mapped[str] = mapped_column(sa.String(32))
    action: Mapped[str] = mapped_column(sa.String(16))  # letter | referral
    status: Mapped[StepStatus] = mapped_column(_enum(StepStatus), default=StepStatus.DRAFTED)
    flag_id: Mapped[int | None] = mapped_column(sa.ForeignKey("flag.id", ondelete="SET NULL"))
    letter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("letter.id", ondelete="SET NULL"))
    template_version: Mapped[str | None] = mapped_column(sa.String(32))
    drafted_reason: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(64))  # the officer whose confirmation led here
    review_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_by: Mapped[str | None] = mapped_column(sa.String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf_path: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[LadderCase] = relationship(back_populates="steps")


class RepresentationOutcome(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    NOT_UPHELD = "not_upheld"


class Representation(Base):
    """A keeper's reply or complaint about a letter, and what was decided about it."""

    __tablename__ = "representation"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_whom: Mapped[str] = mapped_column(sa.String(200))
    channel: Mapped[str] = mapped_column(sa.String(32))
    summary: Mapped[str] = mapped_column(sa.Text)
    outcome: Mapped[RepresentationOutcome] = mapped_column(
        _enum(RepresentationOutcome), default=RepresentationOutcome.PENDING
    )
    outcome_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_by: Mapped[str | None] = mapped_column(sa.String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exclusion_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exclusion.id", ondelete="SET NULL"))
    recorded_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(_enum(Role))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(128), unique=True)  # sha256 of the secret
    scope: Mapped[ApiKeyScope] = mapped_column(_enum(ApiKeyScope))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A camera key may post sightings for this camera only (None: a key made before binding existed).
    camera_id: Mapped[str | None] = mapped_column(sa.String(64))


class WebSession(Base):
    """A signed-in browser: only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    address: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed sign-ins counted per account (`kind="account"`) and per client address (`"address"`)."""

    __tablename__ = "login_throttle"
    __table_args__ = (sa.UniqueConstraint("kind", "subject", name="uq_login_throttle_kind_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    subject: Mapped[str] = mapped_column(sa.String(128))
    failures: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Append-only: no route edits or deletes these rows (retention of the log itself is by age only)."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(64))
    actor_kind: Mapped[str] = mapped_column(sa.String(16))  # user | api_key | system
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(32))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


@sa.event.listens_for(Sighting, "before_insert")
def _month_partition(_mapper: Any, connection: sa.Connection, target: Sighting) -> None:
    # A sighting added through the ORM finds its month's partition made (PostgreSQL; a no-op on SQLite).
    partitions.ensure_months(connection, [partitions.Month.of(target.first_seen)])


@sa.event.listens_for(Sighting, "before_update")
def _moved_month(_mapper: Any, connection: sa.Connection, target: Sighting) -> None:
    # Only a sighting moved in time can need another month; a plate correction asks no catalogue.
    if sa.inspect(target).attrs.first_seen.history.has_changes():
        partitions.ensure_months(connection, [partitions.Month.of(target.first_seen)])
