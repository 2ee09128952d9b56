"""Structured pruning of the recogniser to fewer convolution channels and LSTM units.

A smaller network reads a plate faster, but trained from scratch on a 2-core CPU it would learn
far too slowly. Instead we keep, in every layer, the channels that carry most of the signal on
synthetic plates (mean absolute activation times the weight the next layer gives them) and drop
the rest, then fine-tune: the pruned network starts from english_g2's features, not from noise.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import torch
from torch import nn

from offline.ocr_training.network import build_model, network_params

# (conv index in ConvNet, index of the ReLU after it); 11 and 14 have a BatchNorm in between.
_CONVS = ((0, 1), (3, 4), (6, 7), (8, 9), (11, 13), (14, 16), (18, 19))
_BATCH_NORM_AFTER = {11: 12, 14: 15}
_CONV_PREFIX = "FeatureExtraction.ConvNet"
_LSTM_PREFIX = "SequenceModeling"


def _mean_abs_activations(model: nn.Module, images: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-channel mean |activation| after each conv's ReLU and inside/after each BiLSTM."""
    found: dict[str, torch.Tensor] = {}
    hooks = []

    def keep(name: str, channel_dim: int) -> Callable[[nn.Module, object, object], None]:
        def hook(_m: nn.Module, _inp: object, out: object) -> None:
            t = out[0] if isinstance(out, tuple) else out
            assert isinstance(t, torch.Tensor)
            dims = [d for d in range(t.dim()) if d != channel_dim]
            found[name] = t.detach().abs().float().mean(dim=dims)

        return hook

    for conv, relu in _CONVS:
        hooks.append(
            model.get_submodule(f"{_CONV_PREFIX}.{relu}").register_forward_hook(keep(f"conv{conv}", 1))
        )
    for k in (0, 1):
        lstm = model.get_submodule(f"{_LSTM_PREFIX}.{k}")
        hooks.append(lstm.get_submodule("rnn").register_forward_hook(keep(f"rnn{k}", 2)))
        hooks.append(lstm.register_forward_hook(keep(f"lstm{k}", 2)))
    model.eval()
    with torch.no_grad():
        model(images, None)
    for h in hooks:
        h.remove()
    return found


def _top(scores: torch.Tensor, n: int) -> torch.Tensor:
    if n > scores.numel():
        raise ValueError(f"cannot keep {n} of {scores.numel()} units")
    return torch.sort(torch.topk(scores, n).indices).values


def _lstm_input_use(src: dict[str, torch.Tensor], rnn: str) -> torch.Tensor:
    """Total |weight| both directions of a BiLSTM put on each of its input features."""
    return src[f"{rnn}.weight_ih_l0"].abs().sum(0) + src[f"{rnn}.weight_ih_l0_reverse"].abs().sum(0)


def _gate_rows(units: torch.Tensor, hidden: int) -> torch.Tensor:
    """Rows of an LSTM weight for the given units in each of its four gates (i, f, g, o)."""
    return torch.cat([units + g * hidden for g in range(4)])


def prune(model: nn.Module, images: torch.Tensor, output_channel: int, hidden_size: int) -> nn.Module:
    """A new, smaller model with `model`'s most used channels; `images` is a batch to measure use on."""
    src: dict[str, torch.Tensor] = {k: v.detach().float() for k, v in model.state_dict().items()}
    old_h = network_params(model)["hidden_size"]
    acts = _mean_abs_activations(model, images)
    target = build_model(output_channel=output_channel, hidden_size=hidden_size)
    sizes = {
        0: output_channel // 8,
        3: output_channel // 4,
        6: output_channel // 2,
        8: output_channel // 2,
        11: output_channel,
        14: output_channel,
        18: output_channel,
    }

    def conv_w(i: int) -> torch.Tensor:
        return src[f"{_CONV_PREFIX}.{i}.weight"]

    # Importance of each conv's output channels: activation x the next layer's weight on it.
    lstm0_in = _lstm_input_use(src, f"{_LSTM_PREFIX}.0.rnn")
    keep: dict[int, torch.Tensor] = {}
    conv_ids = [c for c, _ in _CONVS]
    for n, conv in enumerate(conv_ids):
        outgoing = conv_w(conv_ids[n + 1]).abs().sum(dim=(0, 2, 3)) if n + 1 < len(conv_ids) else lstm0_in
        keep[conv] = _top(acts[f"conv{conv}"] * outgoing, sizes[conv])

    out: OrderedDict[str, torch.Tensor] = OrderedDict()
    prev = torch.arange(1)  # one grey input channel
    for conv in conv_ids:
        rows = keep[conv]
        out[f"{_CONV_PREFIX}.{conv}.weight"] = conv_w(conv)[rows][:, prev]
        if f"{_CONV_PREFIX}.{conv}.bias" in src:
            out[f"{_CONV_PREFIX}.{conv}.bias"] = src[f"{_CONV_PREFIX}.{conv}.bias"][rows]
        if conv in _BATCH_NORM_AFTER:
            bn = f"{_CONV_PREFIX}.{_BATCH_NORM_AFTER[conv]}"
            for name in ("weight", "bias", "running_mean", "running_var"):
                out[f"{bn}.{name}"] = src[f"{bn}.{name}"][rows]
            out[f"{bn}.num_batches_tracked"] = src[f"{bn}.num_batches_tracked"].long()
        prev = rows

    for k in (0, 1):
        p = f"{_LSTM_PREFIX}.{k}"
        linear_w = src[f"{p}.linear.weight"]  # out x 2H
        unit_use = acts[f"rnn{k}"] * linear_w.abs().sum(0)
        fwd = _top(unit_use[:old_h], hidden_size)
        bwd = _top(unit_use[old_h:], hidden_size)
        for suffix, units in (("", fwd), ("_reverse", bwd)):
            rows = _gate_rows(units, old_h)
            out[f"{p}.rnn.weight_ih_l0{suffix}"] = src[f"{p}.rnn.weight_ih_l0{suffix}"][rows][:, prev]
            out[f"{p}.rnn.weight_hh_l0{suffix}"] = src[f"{p}.rnn.weight_hh_l0{suffix}"][rows][:, units]
            out[f"{p}.rnn.bias_ih_l0{suffix}"] = src[f"{p}.rnn.bias_ih_l0{suffix}"][rows]
            out[f"{p}.rnn.bias_hh_l0{suffix}"] = src[f"{p}.rnn.bias_hh_l0{suffix}"][rows]
        # The BiLSTM's output units, judged by the next BiLSTM's or the classifier's weight on them.
        if k == 0:
            outgoing = _lstm_input_use(src, f"{_LSTM_PREFIX}.1.rnn")
        else:
            outgoing = src["Prediction.weight"].abs().sum(0)
        out_units = _top(acts[f"lstm{k}"] * outgoing, hidden_size)
        out[f"{p}.linear.weight"] = linear_w[out_units][:, torch.cat([fwd, bwd + old_h])]
        out[f"{p}.linear.bias"] = src[f"{p}.linear.bias"][out_units]
        prev = out_units
    out["Prediction.weight"] = src["Prediction.weight"][:, prev]
    out["Prediction.bias"] = src["Prediction.bias"]
    target.load_state_dict(out)
    return target
