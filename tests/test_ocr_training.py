"""Fine-tuning pieces: english_g2's output rows kept for A-Z0-9, CTC step reduces the loss, export loads."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pytest
import torch
import yaml

from offline.ocr_training.dataset import batch_tensor, encode_labels, greedy_decode
from offline.ocr_training.export import NETWORK_NAME, export_folder, network_source
from offline.ocr_training.network import (
    ENGLISH_G2_CHARACTERS,
    IMG_H,
    NETWORK_PARAMS,
    build_model,
    english_g2_rows,
    init_from_english_g2,
    load_trained,
    network_params,
    save_for_easyocr,
)
from offline.ocr_training.prune import prune
from offline.ocr_training.train import TrainConfig, ctc_loss, freeze_prefix, initial_model
from offline.synth import generate_plate
from offline.synth.formats import CHARSET


@pytest.fixture(scope="module")
def english_g2() -> Path:
    from models.resolver import ocr_model_dir

    return ocr_model_dir() / "english_g2.pth"


def test_output_layer_keeps_english_g2_rows_for_plate_characters(english_g2: Path) -> None:
    from easyocr.model.vgg_model import Model

    n_classes = len(ENGLISH_G2_CHARACTERS) + 1
    stock = Model(input_channel=1, output_channel=256, hidden_size=256, num_class=n_classes)
    state = torch.load(english_g2, map_location="cpu", weights_only=True)
    stock.load_state_dict(OrderedDict((k.removeprefix("module."), v) for k, v in state.items()))
    ours = build_model()
    init_from_english_g2(ours, english_g2)
    stock.eval()
    ours.eval()
    x = torch.randn(2, 1, 64, 160, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = stock(x, None)[:, :, english_g2_rows()]
        got = ours(x, None)
    assert got.shape[2] == len(CHARSET) + 1
    # NHWC convolutions sum in another order than the stock NCHW ones: equal up to float rounding.
    assert torch.allclose(got, expected, atol=1e-4, rtol=1e-4)


def test_labels_round_trip_through_ctc_encoding_and_greedy_decoding() -> None:
    targets, lengths = encode_labels(["AB12CDE", "Z9"])
    assert lengths.tolist() == [7, 2]
    # A hand-made best path with repeats and blanks between every character.
    t = torch.full((1, 2 * len(targets[:7]) + 1, len(CHARSET) + 1), -10.0)
    for i, idx in enumerate(targets[:7].tolist()):
        t[0, 2 * i + 1, idx] = 10.0
        t[0, 2 * i, 0] = 10.0
    t[0, -1, 0] = 10.0
    assert greedy_decode(t) == ["AB12CDE"]
    with pytest.raises(ValueError, match="labels outside"):
        encode_labels(["AB-12"])


def test_a_few_training_steps_reduce_the_ctc_loss(english_g2: Path) -> None:
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = build_model()
    init_from_english_g2(model, english_g2)
    freeze_prefix(model, 10)
    plates = [generate_plate(42, i, layouts=["gb_current"], clean=True) for i in range(4)]
    images = batch_tensor([p.image for p in plates])
    labels = [p.label for p in plates]
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-3)
    loss_fn = torch.nn.CTCLoss(zero_infinity=True)
    model.train()
    losses = []
    for _ in range(6):
        loss = ctc_loss(model, images, labels, loss_fn)
        opt.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.7 * losses[0], losses


def test_export_writes_an_easyocr_folder(tmp_path: Path, english_g2: Path) -> None:
    model = build_model()
    init_from_english_g2(model, english_g2)
    ckpt = tmp_path / "best.pth"
    save_for_easyocr(model, ckpt)
    written = export_folder(ckpt, tmp_path / "ocr")
    assert {p.name for p in written} == {f"{NETWORK_NAME}.pth", f"{NETWORK_NAME}.py", f"{NETWORK_NAME}.yaml"}
    cfg = yaml.safe_load((tmp_path / "ocr" / f"{NETWORK_NAME}.yaml").read_text())
    assert cfg["character_list"] == CHARSET and cfg["imgH"] == IMG_H == 48
    # The yaml describes the checkpoint's own size, and the .py is the package's network module.
    assert cfg["network_params"] == {"input_channel": 1, "output_channel": 256, "hidden_size": 256}
    assert (tmp_path / "ocr" / f"{NETWORK_NAME}.py").read_text() == network_source()
    reloaded = load_trained(tmp_path / "ocr" / f"{NETWORK_NAME}.pth")
    for (k, a), (_, b) in zip(model.state_dict().items(), reloaded.state_dict().items(), strict=True):
        # Stored as fp16 to keep the committed file small.
        assert torch.allclose(a.float(), b.float(), atol=1e-2, rtol=1e-2), k
    with pytest.raises(FileNotFoundError):
        export_folder(tmp_path / "missing.pth", tmp_path / "ocr2")


def test_training_batches_are_the_same_from_worker_processes() -> None:
    """A GPU run generates batches in worker processes; they must be the batches of a 2-core run."""
    from offline.ocr_training.dataset import SyntheticBatches, batch_loader, synthetic_batch

    loader = batch_loader(SyntheticBatches(seed=5, steps=3, batch_size=4), workers=2)
    for step, (images, labels) in enumerate(loader):
        expected_images, expected_labels = synthetic_batch(5, step * 4, 4)
        assert labels == expected_labels
        assert torch.equal(images, expected_images)
        assert images.shape[:3] == (4, 1, IMG_H)


def _english_g2_model(weights: Path) -> torch.nn.Module:
    model = build_model()
    init_from_english_g2(model, weights)
    return model.eval()


def _plates(seed: int, n: int) -> tuple[torch.Tensor, list[str]]:
    plates = [generate_plate(seed, i) for i in range(n)]
    return batch_tensor([p.image for p in plates]), [p.label for p in plates]


def _conv(model: torch.nn.Module, index: int) -> torch.nn.Conv2d:
    conv = model.get_submodule(f"FeatureExtraction.ConvNet.{index}")
    assert isinstance(conv, torch.nn.Conv2d)
    return conv


def test_pruning_to_the_same_size_changes_nothing(english_g2: Path) -> None:
    model = _english_g2_model(english_g2)
    images, _ = _plates(3, 8)
    same = prune(model, images, 256, 256).eval()
    with torch.no_grad():
        assert torch.equal(same(images, None), model(images, None))


def test_pruning_keeps_the_most_used_channels_and_the_shapes_fit(english_g2: Path) -> None:
    model = _english_g2_model(english_g2)
    images, _ = _plates(3, 16)
    small = prune(model, images, 128, 96)
    assert network_params(small) == {"input_channel": 1, "output_channel": 128, "hidden_size": 96}
    conv0_old = _conv(model, 0).weight
    conv0_new = _conv(small, 0).weight
    assert conv0_new.shape == (16, 1, 3, 3)
    # Every kept filter is one of english_g2's, unchanged.
    for filt in conv0_new:
        assert any(torch.equal(filt, old) for old in conv0_old)
    # A channel that never fires cannot be among those kept.
    dead = _conv(model, 0)
    assert dead.bias is not None
    with torch.no_grad():
        dead.weight[5].zero_()
        dead.bias[5] = -1.0
    pruned = _conv(prune(model, images, 128, 96), 0).weight
    assert not any(torch.equal(filt, dead.weight[5]) for filt in pruned)
    with torch.no_grad():
        out = small.eval()(images, None)
    assert out.shape[0] == 16 and out.shape[2] == len(CHARSET) + 1


def test_training_starts_from_a_pruned_init_of_the_configured_size(tmp_path: Path, english_g2: Path) -> None:
    cfg = TrainConfig(out_dir=tmp_path, init=english_g2, output_channel=160, hidden_size=128)
    model = initial_model(cfg, progress=lambda _msg: None)
    assert network_params(model) == {"input_channel": 1, "output_channel": 160, "hidden_size": 128}
    save_for_easyocr(model, tmp_path / "small.pth")
    assert network_params(load_trained(tmp_path / "small.pth")) == network_params(model)
    default = TrainConfig(out_dir=tmp_path, init=english_g2)
    assert (default.output_channel, default.hidden_size) == (
        NETWORK_PARAMS["output_channel"],
        NETWORK_PARAMS["hidden_size"],
    )


_REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real_crops"
needs_real_crops = pytest.mark.skipif(
    not (_REAL / "ar_cnn_ocr_lp").is_dir(), reason=f"no real crops at {_REAL}"
)


@needs_real_crops
def test_real_crops_train_only_on_licensed_sets_and_their_fit_half() -> None:
    from offline.ocr_training.real_samples import RealCropsError, load_real_samples
    from offline.real_crops import split

    for forbidden in ("us_reported", "id_satria"):
        with pytest.raises(RealCropsError, match="may be trained on"):
            load_real_samples(_REAL / forbidden)
    fit = load_real_samples(_REAL / "ar_cnn_ocr_lp", "fit")
    report = load_real_samples(_REAL / "ar_cnn_ocr_lp", "report")
    assert all(split(label) == "fit" for label in fit.labels)
    assert not set(fit.labels) & set(report.labels)  # no plate in both halves
    assert len(fit) + len(report) >= 140
    image, label = fit.draw(3, 17)
    again, label_again = fit.draw(3, 17)
    assert label == label_again and (image == again).all()  # a pure function of (seed, index)
    assert image.dtype.name == "uint8" and image.ndim == 2 and label in fit.labels


@needs_real_crops
def test_training_batches_mix_in_the_stated_share_of_real_crops() -> None:
    from offline.ocr_training.dataset import synthetic_batch
    from offline.ocr_training.real_samples import load_real_samples

    real = load_real_samples(_REAL / "ar_cnn_ocr_lp", "fit")
    _, plain = synthetic_batch(8, 0, 200)
    _, mixed = synthetic_batch(8, 0, 200, real=real, real_fraction=0.25)
    replaced = [i for i, (a, b) in enumerate(zip(plain, mixed, strict=True)) if a != b]
    assert 0.15 * 200 < len(replaced) < 0.35 * 200
    assert all(mixed[i] in real.labels for i in replaced)
    kept = [i for i in range(200) if i not in replaced]
    assert [mixed[i] for i in kept] == [plain[i] for i in kept]  # the synthetic plates are unchanged


def test_stop_after_replays_a_time_limited_run_step_for_step(tmp_path: Path) -> None:
    """--stop-after N keeps the schedule of --steps and gives the same weights as the first N steps."""
    from offline.ocr_training.train import train

    init = Path(__file__).resolve().parents[1] / "models" / "ocr" / "platewatch_plates.pth"

    def run(out: Path, stop_after: int | None, steps: int) -> dict[str, torch.Tensor]:
        cfg = TrainConfig(
            out_dir=out,
            init=init,
            seed=5,
            steps=steps,
            stop_after=stop_after,
            batch_size=4,
            val_size=4,
            val_every=100,
            threads=1,
            minutes=None,
        )
        report = train(cfg, progress=lambda _msg: None)
        assert report.steps_run == (stop_after or steps)
        assert report.history[-1]["step"] == report.steps_run  # the last step is validated
        return dict(torch.load(out / "last.pth", map_location="cpu"))

    a = run(tmp_path / "a", 2, 40)
    b = run(tmp_path / "b", 2, 40)
    assert all(torch.equal(a[k], b[k]) for k in a)  # seeded: the same two steps, the same weights
    start = dict(torch.load(init, map_location="cpu"))
    assert any(not torch.equal(a[k], start[k].to(a[k].dtype)) for k in a)  # and they trained
