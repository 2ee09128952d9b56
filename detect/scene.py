"""One detector pass per frame that yields vehicles *and* people.

People (COCO class 0) are only needed to blur them out of evidence images; asking the same
YOLO pass for class 0 costs nothing extra, whereas a second model or pass would double the
detection time. Built on `VehicleDetector` (same weights, thresholds and image size).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from detect.batch_inference import InferenceDevice, predict_grouped
from detect.records import COCO_VEHICLE_CLASSES, BoxXYXY, VehicleDetection
from detect.vehicles import VehicleDetector
from ingest.frames import Image

COCO_PERSON = 0
# People are blurred, so a low threshold errs on the side of privacy.
PERSON_CONFIDENCE = 0.15
# YOLO suppresses overlaps per class, so one van can come back as both "car" and "truck": two
# tracks, two sightings, two plate searches. Across vehicle classes, keep the most confident box.
CROSS_CLASS_IOU = 0.7


@dataclass(frozen=True, slots=True)
class SceneDetections:
    vehicles: list[VehicleDetection]
    people: list[BoxXYXY]


class SceneDetector(VehicleDetector):
    """`VehicleDetector` whose pass also reports people boxes."""

    def detect_scene(self, image: Image) -> SceneDetections:
        model: Any = self._model  # ultralytics' predict() is typed as a union; we know it is Results
        result = model.predict(
            image,
            conf=min(self._confidence, PERSON_CONFIDENCE),
            imgsz=self._imgsz,
            classes=[COCO_PERSON, *sorted(COCO_VEHICLE_CLASSES)],
            verbose=False,
        )[0]
        return self._scene(result)

    def detect_scene_batch(
        self, images: Sequence[Image], device: InferenceDevice | None = None
    ) -> list[SceneDetections]:
        """`detect_scene` for many images (e.g. one frame per camera), batched on `device`."""
        results = predict_grouped(
            self._model,
            images,
            device,
            conf=min(self._confidence, PERSON_CONFIDENCE),
            imgsz=self._imgsz,
            classes=[COCO_PERSON, *sorted(COCO_VEHICLE_CLASSES)],
        )
        return [self._scene(r) for r in results]

    def _scene(self, result: Any) -> SceneDetections:
        boxes = result.boxes
        if boxes is None or len(boxes) == 0:
            return SceneDetections([], [])
        xyxy = boxes.xyxy.cpu().numpy().tolist()
        classes = boxes.cls.cpu().numpy().astype(int).tolist()
        confs = boxes.conf.cpu().numpy().tolist()
        vehicles: list[VehicleDetection] = []
        people: list[BoxXYXY] = []
        for b, c, p in zip(xyxy, classes, confs, strict=True):
            box = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
            if c == COCO_PERSON:
                people.append(box)
            elif c in COCO_VEHICLE_CLASSES and p >= self._confidence:
                vehicles.append(VehicleDetection(box, COCO_VEHICLE_CLASSES[c], float(p)))
        return SceneDetections(_suppress_cross_class(vehicles), people)


def _suppress_cross_class(vehicles: list[VehicleDetection]) -> list[VehicleDetection]:
    if len(vehicles) < 2:
        return vehicles
    import torch
    from torchvision.ops import nms

    boxes = torch.tensor([v.box for v in vehicles], dtype=torch.float32)
    scores = torch.tensor([v.confidence for v in vehicles], dtype=torch.float32)
    keep = nms(boxes, scores, CROSS_CLASS_IOU).tolist()  # indices, most confident first
    return [vehicles[i] for i in keep]
