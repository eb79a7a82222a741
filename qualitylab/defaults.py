"""The options of a batch's report request: the defaults (the seed of every random draw, the number
of bootstrap resamples) and their check. Kept apart from :mod:`qualitylab.report` (which re-exports
them) so that the CLI and the snapshot lookup use them without importing the report's numeric code."""

from __future__ import annotations

from .errors import UsageError

DEFAULT_SEED = 20240601
DEFAULT_N_BOOT = 1000


def check_report_options(seed: object, n_boot: object, *, min_n_boot: int = 1) -> None:
    """A UsageError (exit 2) unless ``seed`` is a whole number >= 0 (numpy's seeds are) and
    ``n_boot`` a whole number >= ``min_n_boot``; checked before anything is computed. The CLI asks
    for 1 or more; library callers may pass 0 to the sections that then skip their bootstrap."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError("Bad --seed", f"{seed!r}: a seed is a whole number, 0 or more", f"e.g. --seed {DEFAULT_SEED}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < min_n_boot:
        raise UsageError(
            "Bad --n-boot",
            f"{n_boot!r}: the number of bootstrap resamples is a whole number, {min_n_boot} or more",
            f"e.g. --n-boot {DEFAULT_N_BOOT} (the default; fewer gives rougher intervals)",
        )
