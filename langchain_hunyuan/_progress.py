"""Optional tqdm progress bars for bulk embedding (``show_progress_bar=True``).

tqdm is not a dependency of this package: it is imported only when a bar is asked for, and
its absence is reported when the option is set, not halfway through a job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MISSING_TQDM = (
    "show_progress_bar=True needs the tqdm package, which is not installed: "
    "run `pip install tqdm`, or leave show_progress_bar off"
)


def require_tqdm() -> Any:
    """``tqdm.auto.tqdm`` (a notebook widget in Jupyter, text elsewhere), or a clear error."""
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:
        raise ImportError(MISSING_TQDM) from exc
    return tqdm


def groups(texts: Sequence[str], size: int) -> list[list[str]]:
    """``texts`` cut into groups of ``size``: the bar advances once per group."""
    return [list(texts[i : i + size]) for i in range(0, len(texts), size)]
