"""Seed sweeps too slow for a chapter's Run All, stored once and read by the chapters.

A chapter trains three to five seeds on the page; a sentence that generalises over seeds needs
more ("k of n", n >= 10). ``benchmarks/course.py --seed-sweeps`` runs the chapters' own training
code (the code cells of the notebook, executed as they stand) over more seeds on the CPU in
float32, and writes the results into ``rnnlab/_sweeps_data.py``; ``stored`` returns them. A page
checks that the seeds it trains itself give the stored numbers, so the stored run and the page
cannot drift apart unnoticed.

Used in: 07_classify_directions, 08_time_series_windows, 09_variable_length, 10_gru_lstm.
"""

from __future__ import annotations

__all__ = ["count", "stored"]


def stored(chapter: str) -> dict:
    """The stored sweep of one chapter ("07", "08", "09" or "10"): a dict of lists, one value per
    seed, with the seeds under "seeds" and the conditions under "conditions".

    Raises:
        KeyError: no sweep is stored for that chapter.
    """
    from rnnlab._sweeps_data import RESULTS

    if chapter not in RESULTS:
        raise KeyError(
            f"no stored sweep for chapter {chapter!r}; stored: {sorted(RESULTS)}. Run "
            "benchmarks/course.py --seed-sweeps in a clone of the course to make them."
        )
    return RESULTS[chapter]


def count(values, predicate) -> str:
    """ "k of n": how many of ``values`` satisfy ``predicate``."""
    values = list(values)
    return f"{sum(bool(predicate(v)) for v in values)} of {len(values)}"
