"""Offline tooling, never imported by the frame loop: the synthetic plate generator (`synth`),
recogniser training and export (`ocr_training`), evaluation of plates and tracks against labels
(`eval_plates`, `eval_tracks`, `label_errata`) and confidence calibration (`calibration`)."""
