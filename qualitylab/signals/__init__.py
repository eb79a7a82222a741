"""Rankings versus ratings: which signal is the better buy (docs/signals.md).

Modules: consistency (ratings vs preferences within and across tasks, transitivity), leaderboard
(win rate, Bradley-Terry, mean ratings, with a seeded bootstrap by prompt), cost (items and hours
to separate two models), strength (Llama 2 preference strength), section (the JSON keys
``ratings_vs_preferences``, ``leaderboard``, ``strength``). Numeric helpers: correlation,
bradley_terry, resample; data loads the per-prompt aggregates.
"""
