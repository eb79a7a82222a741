"""Judge vs human: how an LLM judge's verdicts compare with the humans', and a runner for judges.

- :mod:`.metrics`: the numeric core (pure functions on counts SQL aggregated)
- :mod:`.compute`: per-judge results for a batch (queries + metrics)
- :mod:`.section`: the report's ``judges`` key
- :mod:`.runner`, :mod:`.client`, :mod:`.parse`, :mod:`.template`: ``qualitylab judge``
"""
