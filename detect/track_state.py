"""What the pipeline remembers about one live track, bounded however long the vehicle stays."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from detect.kinematics import MotionSample
from detect.reading.grammar import normalise
from detect.records import PlateRead, VehicleClass, VehicleDetection
from ingest.frames import Image

# A parked car can stay in view for hours: beyond this many samples the history is thinned to
# every other sample, which keeps its span (dwell, stop time) while memory stays constant.
MAX_MOTION_SAMPLES = 2000


def read_weight(read: PlateRead) -> float:
    """A read's worth as evidence: its confidence x its measured view quality (1 when unknown)."""
    return read.confidence * (1.0 if read.quality is None else read.quality)


@dataclass(slots=True)
class TrackState:
    track_id: int
    first_seen: datetime
    last_seen: datetime
    frames_seen: int = 0
    last_frame_no: int = 0
    class_votes: Counter[VehicleClass] = field(default_factory=Counter)
    samples: list[MotionSample] = field(default_factory=list)
    reads: list[PlateRead] = field(default_factory=list)
    read_attempts: int = 0
    last_read_frame_no: int = -(10**9)
    largest_read_height: float = 0.0
    reading_done: bool = False
    # How often each text was read (normalised, before any grammar): `settled_text` is the first
    # one read `settle_reads` times. Bounded: at most one entry per read attempt.
    text_counts: Counter[str] = field(default_factory=Counter)
    settled_text: str | None = None
    plate_crop: Image | None = None
    plate_crop_confidence: float = -1.0
    vehicle_image: Image | None = None
    vehicle_image_area: float = 0.0
    colour_area: float = 0.0
    colour: str | None = None
    colour_confidence: float | None = None

    def observe(
        self, frame_no: int, timestamp: datetime, det: VehicleDetection, zones: tuple[str, ...]
    ) -> None:
        self.last_seen = timestamp
        self.last_frame_no = frame_no
        self.frames_seen += 1
        self.class_votes[det.vehicle_class] += 1
        self.samples.append(MotionSample(timestamp, det.box, zones))
        if len(self.samples) > MAX_MOTION_SAMPLES:
            last = self.samples[-1]
            self.samples = self.samples[:-1:2] + [last]

    @property
    def vehicle_class(self) -> VehicleClass:
        return self.class_votes.most_common(1)[0][0] if self.class_votes else VehicleClass.CAR

    def add_read(self, read: PlateRead, crop: Image, cap: int, settle_reads: int = 0) -> None:
        """Keep `read` (the `cap` best are kept); `settle_reads` > 0: that many reads of one text
        settle the track's plate (`settled_text`)."""
        text = normalise(read.text)
        if text:
            self.text_counts[text] += 1
            if settle_reads and self.settled_text is None and self.text_counts[text] >= settle_reads:
                self.settled_text = text
        if len(self.reads) < cap:
            self.reads.append(read)
        elif read_weight(read) > min(read_weight(r) for r in self.reads):
            # keep the `cap` best candidates (confidence x view quality), in time order
            weakest = min(range(len(self.reads)), key=lambda i: read_weight(self.reads[i]))
            del self.reads[weakest]
            self.reads.append(read)
        # The evidence crop is the best view: the largest, sharpest frame, weighed by its read.
        if read_weight(read) > self.plate_crop_confidence:
            self.plate_crop = crop.copy()
            self.plate_crop_confidence = read_weight(read)
