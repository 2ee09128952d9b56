"""Fine-tune english_g2 on synthetic plates with CTC; keep the checkpoint with the best held-out accuracy.

Built for a 2-core CPU: the first VGG convolutions (generic stroke and edge detectors) stay frozen
and run without gradients, which saves most of the backward pass. Data is generated on the fly from
the seed, so a run is reproducible given (seed, steps); `minutes` is a safety stop that can end a
slow machine's run early, and the report says how many steps actually ran.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from offline.ocr_training.dataset import (
    SyntheticBatches,
    batch_loader,
    encode_labels,
    greedy_decode,
    synthetic_batch,
)
from offline.ocr_training.network import (
    IMG_H,
    NETWORK_PARAMS,
    build_model,
    init_from_english_g2,
    load_trained,
    network_params,
    save_for_easyocr,
)
from offline.ocr_training.prune import prune
from offline.ocr_training.real_samples import load_real_samples

log = logging.getLogger(__name__)

VAL_SEED_OFFSET = 1_000_003  # validation plates come from a different seed stream than training
PRUNE_SEED_OFFSET = 2_000_003  # and the plates that measure which channels to keep from a third
PRUNE_PLATES = 96


@dataclass(frozen=True, slots=True)
class TrainConfig:
    out_dir: Path
    seed: int = 0
    steps: int = 550
    minutes: float | None = 55.0
    # Stop after this many steps with the schedule of `steps`: replays a run that its time limit
    # ended early, step for step (the minutes limit depends on the machine, this does not).
    stop_after: int | None = None
    batch_size: int = 32
    lr: float = 5e-4
    warmup_steps: int = 20
    frozen_layers: int = 10  # leading modules of the VGG ConvNet that are not trained
    val_size: int = 256
    val_every: int = 50
    init: Path | None = None  # english_g2.pth, or one of our checkpoints to continue from
    threads: int = 2
    img_h: int = IMG_H  # input height the network is trained for (written to its yaml as imgH)
    workers: int = 0  # processes generating batches ahead (0: in the training loop, as on 2 cores)
    device: str = "cpu"  # "cuda" only speeds a run up; the recipe is the same
    # Network size; an init of another size is pruned to it first (detect.ocr_training.prune).
    output_channel: int = NETWORK_PARAMS["output_channel"]
    hidden_size: int = NETWORK_PARAMS["hidden_size"]
    # Share of training and validation plates degraded at street-camera strength (offline.synth.street).
    street_fraction: float = 0.0
    # A trainable real-crop set (offline.ocr_training.real_samples) and the share of training
    # plates drawn from its "fit" half; validation stays synthetic.
    real_crops: Path | None = None
    real_fraction: float = 0.0


@dataclass(slots=True)
class TrainReport:
    steps_run: int = 0
    seconds: float = 0.0
    best_step: int = 0
    best_val_accuracy: float = 0.0
    initial_val_accuracy: float = 0.0
    history: list[dict[str, float]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def _conv_layers(model: nn.Module) -> list[nn.Module]:
    conv = model.get_submodule("FeatureExtraction.ConvNet")
    if not isinstance(conv, nn.Sequential):
        raise TypeError("expected EasyOCR's VGG feature extractor (FeatureExtraction.ConvNet)")
    return list(conv)


def freeze_prefix(model: nn.Module, n_layers: int) -> None:
    conv = _conv_layers(model)
    if not 0 <= n_layers <= len(conv):
        raise ValueError(f"frozen_layers must be 0..{len(conv)}, got {n_layers}")
    for layer in conv[:n_layers]:
        for p in layer.parameters():
            p.requires_grad_(False)


def _set_train_mode(model: nn.Module, frozen_layers: int) -> None:
    model.train()
    # Frozen layers have no BatchNorm in english_g2, but keep any frozen BN on its running stats.
    for layer in _conv_layers(model)[:frozen_layers]:
        layer.eval()


def ctc_loss(model: nn.Module, images: torch.Tensor, labels: list[str], loss_fn: nn.CTCLoss) -> torch.Tensor:
    log_probs = model(images, None).log_softmax(2).permute(1, 0, 2)  # T x N x C for CTCLoss
    # CTC in float32 on the CPU: cuDNN's CTC is not deterministic, and this part is cheap.
    log_probs = log_probs.float().cpu()
    targets, lengths = encode_labels(labels)
    input_lengths = torch.full((images.shape[0],), log_probs.shape[0], dtype=torch.long)
    loss: torch.Tensor = loss_fn(log_probs, targets, input_lengths, lengths)
    return loss


@torch.no_grad()
def accuracy(model: nn.Module, images: torch.Tensor, labels: list[str], batch: int = 64) -> float:
    model.eval()
    device = next(model.parameters()).device
    preds: list[str] = []
    for i in range(0, images.shape[0], batch):
        preds += greedy_decode(model(images[i : i + batch].to(device), None))
    return sum(p == t for p, t in zip(preds, labels, strict=True)) / max(1, len(labels))


def _lr_at(step: int, cfg: TrainConfig) -> float:
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    progress = (step - cfg.warmup_steps) / max(1, cfg.steps - cfg.warmup_steps)
    return cfg.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def _validation_set(cfg: TrainConfig) -> tuple[torch.Tensor, list[str]]:
    # Generated in chunks so that one very wide crop does not pad the whole set.
    images: list[torch.Tensor] = []
    labels: list[str] = []
    for start in range(0, cfg.val_size, 64):
        x, y = synthetic_batch(
            cfg.seed + VAL_SEED_OFFSET, start, min(64, cfg.val_size - start), cfg.img_h, cfg.street_fraction
        )
        images.append(x)
        labels += y
    width = max(x.shape[3] for x in images)
    padded = [torch.cat([x, x[..., -1:].expand(-1, -1, -1, width - x.shape[3])], dim=3) for x in images]
    return torch.cat(padded), labels


def initial_model(cfg: TrainConfig, progress: Callable[[str], None] = log.info) -> nn.Module:
    """english_g2 or one of our checkpoints, pruned to the configured size when it is larger."""
    assert cfg.init is not None
    if cfg.init.name == "english_g2.pth":
        model = build_model()
        init_from_english_g2(model, cfg.init)
    else:
        model = load_trained(cfg.init)
    size = network_params(model)
    wanted = {"input_channel": 1, "output_channel": cfg.output_channel, "hidden_size": cfg.hidden_size}
    if size != wanted:
        images, _ = synthetic_batch(cfg.seed + PRUNE_SEED_OFFSET, 0, PRUNE_PLATES, cfg.img_h)
        model = prune(model, images, cfg.output_channel, cfg.hidden_size)
        progress(
            f"pruned {cfg.init.name} from {size['output_channel']} channels / {size['hidden_size']} "
            f"LSTM units to {cfg.output_channel} / {cfg.hidden_size}"
        )
    return model


def train(cfg: TrainConfig, progress: Callable[[str], None] = log.info) -> TrainReport:
    """Run the fine-tuning; writes best.pth, last.pth and report.json into cfg.out_dir."""
    if cfg.init is None:
        raise ValueError("TrainConfig.init must point at english_g2.pth or a previous checkpoint")
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    cfg.out_dir.mkdir(parents=True, exist_ok=True)

    model = initial_model(cfg, progress)
    model.to(cfg.device)
    freeze_prefix(model, cfg.frozen_layers)
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=1e-4)
    loss_fn = nn.CTCLoss(blank=0, zero_infinity=True)

    val_x, val_y = _validation_set(cfg)
    report = TrainReport()
    report.initial_val_accuracy = report.best_val_accuracy = accuracy(model, val_x, val_y)
    report.best_step = 0  # the starting weights stay the answer until a step beats them
    save_for_easyocr(model, cfg.out_dir / "best.pth")
    progress(f"step 0: held-out synthetic accuracy {report.initial_val_accuracy:.3f} ({len(val_y)} plates)")

    real = load_real_samples(cfg.real_crops, "fit") if cfg.real_crops is not None else None
    if real is not None:
        share = f"{cfg.real_fraction:.0%}"
        progress(f"real crops: {len(real)} of {cfg.real_crops} ('fit' half), {share} of plates")
    batches = batch_loader(
        SyntheticBatches(
            cfg.seed, cfg.steps, cfg.batch_size, cfg.img_h, cfg.street_fraction, real, cfg.real_fraction
        ),
        cfg.workers,
    )
    started = time.monotonic()
    running = 0.0
    for step, (images, labels) in enumerate(batches):
        elapsed = time.monotonic() - started
        if cfg.minutes is not None and elapsed > cfg.minutes * 60:
            progress(f"time limit of {cfg.minutes} min reached after {step} steps")
            break
        if cfg.stop_after is not None and step >= cfg.stop_after:
            progress(f"stopped after {step} steps as asked (schedule of {cfg.steps})")
            break
        for group in optimiser.param_groups:
            group["lr"] = _lr_at(step, cfg)
        _set_train_mode(model, cfg.frozen_layers)
        loss = ctc_loss(model, images.to(cfg.device), labels, loss_fn)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        optimiser.step()
        running = 0.9 * running + 0.1 * float(loss.detach()) if step else float(loss.detach())
        report.steps_run = step + 1
        if (step + 1) % cfg.val_every == 0 or step + 1 in (cfg.steps, cfg.stop_after):
            acc = accuracy(model, val_x, val_y)
            report.history.append(
                {
                    "step": step + 1,
                    "loss": running,
                    "val_accuracy": acc,
                    "seconds": time.monotonic() - started,
                }
            )
            progress(
                f"step {step + 1}: loss {running:.3f}, held-out accuracy {acc:.3f}, "
                f"{(time.monotonic() - started) / 60:.1f} min"
            )
            if acc > report.best_val_accuracy:
                report.best_val_accuracy, report.best_step = acc, step + 1
                save_for_easyocr(model, cfg.out_dir / "best.pth")
            (cfg.out_dir / "report.json").write_text(report.to_json(), encoding="utf-8")
    save_for_easyocr(model, cfg.out_dir / "last.pth")
    report.seconds = time.monotonic() - started
    (cfg.out_dir / "report.json").write_text(report.to_json(), encoding="utf-8")
    return report
