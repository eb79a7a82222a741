"""Distributions, position and length bias, data hygiene and annotator screening (docs/bias.md).

Modules: :mod:`.rates` (per-annotator rates vs 0.5), :mod:`.position`, :mod:`.length`,
:mod:`.distributions`, :mod:`.hygiene`, :mod:`.screening`; :mod:`.section` registers the report keys
``distributions``, ``position_bias``, ``length_bias``, ``hygiene`` and ``annotators``.
"""
