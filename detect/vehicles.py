"""Vehicle detector adapter: a COCO YOLO model, reduced to the four vehicle classes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detect.inference_backend import Backend, choose_backend, load_detector
from detect.records import COCO_VEHICLE_CLASSES, VehicleDetection
from ingest.frames import Image
from platewatch.config import Detection, ModelPaths

if TYPE_CHECKING:
    from detect.batch_inference import InferenceDevice


class VehicleDetector:
    """Finds cars, motorcycles, buses and trucks in a BGR image (weights resolved offline).

    The runtime is `detection.backend` (auto: OpenVINO on a CPU, torch on a CUDA GPU).
    """

    def __init__(self, detection: Detection, models: ModelPaths, backend: Backend | None = None) -> None:
        self.backend: Backend = backend or choose_backend(
            detection.backend,
            explicit_torch=models.vehicle_detector,
            explicit_openvino=models.vehicle_detector_openvino,
        )
        loaded = load_detector(
            "vehicle_detector",
            self.backend,
            detection.vehicle_imgsz,
            models.vehicle_detector,
            models.vehicle_detector_openvino,
        )
        self.weights: Path = loaded.weights
        self._model: Any = loaded.model
        self._confidence = detection.vehicle_confidence
        self._imgsz = loaded.imgsz

    @property
    def imgsz(self) -> int:
        """The input size the detector runs at (an OpenVINO export's own size)."""
        return self._imgsz

    def detect(self, image: Image) -> list[VehicleDetection]:
        model: Any = self._model  # predict() is typed as a union; it returns a list of Results
        result = model.predict(
            image,
            conf=self._confidence,
            imgsz=self._imgsz,
            classes=sorted(COCO_VEHICLE_CLASSES),
            verbose=False,
        )[0]
        return _vehicles(result)

    def detect_batch(
        self, images: Sequence[Image], device: InferenceDevice | None = None
    ) -> list[list[VehicleDetection]]:
        """`detect` for many images in few forward passes (one per image size), on `device`."""
        from detect.batch_inference import predict_grouped

        results = predict_grouped(
            self._model,
            images,
            device,
            conf=self._confidence,
            imgsz=self._imgsz,
            classes=sorted(COCO_VEHICLE_CLASSES),
        )
        return [_vehicles(result) for result in results]


def _vehicles(result: Any) -> list[VehicleDetection]:
    """One Ultralytics result as vehicle detections, most confident first."""
    boxes = result.boxes
    if boxes is None or len(boxes) == 0:
        return []
    xyxy = boxes.xyxy.cpu().numpy().tolist()
    classes = boxes.cls.cpu().numpy().astype(int).tolist()
    confs = boxes.conf.cpu().numpy().tolist()
    found = [
        VehicleDetection(
            box=(float(b[0]), float(b[1]), float(b[2]), float(b[3])),
            vehicle_class=COCO_VEHICLE_CLASSES[c],
            confidence=float(p),
        )
        for b, c, p in zip(xyxy, classes, confs, strict=True)
        if c in COCO_VEHICLE_CLASSES
    ]
    return sorted(found, key=lambda d: d.confidence, reverse=True)
