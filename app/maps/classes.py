"""Classes of a map's values (mapclassify: quantiles or Fisher–Jenks natural breaks) and their
colours: ColorBrewer's YlGnBu, a sequential scheme that stays readable with colour blindness
and in greyscale print."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

#: Lightest to darkest; fewer classes take colours spread over the scheme.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
#: Regions without a value: grey, named in the legend.
NO_DATA = "#d9d9d9"
METHODS = ("quantiles", "jenks")
CLASSES = 5


@dataclass(frozen=True)
class Class:
    number: int  # 1 = lowest
    lowest: float
    highest: float
    colour: str
    regions: int


@dataclass(frozen=True)
class Classification:
    classes: tuple[Class, ...]
    method: str

    def of(self, value) -> Class | None:
        if value is None:
            return None
        for item in self.classes:
            if value <= item.highest:
                return item
        return self.classes[-1] if self.classes else None


def classify(values, method: str = "quantiles", k: int = CLASSES) -> Classification:
    """Up to `k` classes of the values that are not None; as many classes as distinct values
    when there are fewer, and empty classes dropped."""
    present = sorted(float(value) for value in values if value is not None)
    distinct = sorted(set(present))
    if not distinct:
        return Classification((), method)
    if len(distinct) <= k:
        uppers = distinct
    else:
        uppers = _breaks(present, method, k)
    classes, start = [], 0
    for upper in uppers:
        members = [value for value in present[start:] if value <= upper]
        if not members:
            continue
        classes.append((members[0], members[-1], len(members)))
        start += len(members)
    colours = _colours(len(classes))
    return Classification(
        tuple(
            Class(number, lowest, highest, colours[number - 1], count)
            for number, (lowest, highest, count) in enumerate(classes, start=1)
        ),
        method,
    )


def _breaks(present: list[float], method: str, k: int) -> list[float]:
    import mapclassify
    import numpy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Numba not installed": the pure Python path is enough
        classifier = mapclassify.FisherJenks if method == "jenks" else mapclassify.Quantiles
        bins = list(classifier(numpy.array(present), k=k).bins)
    bins[-1] = max(bins[-1], present[-1])
    return bins


def _colours(count: int) -> tuple[str, ...]:
    if count <= 1:
        return PALETTE[2:3]
    step = (len(PALETTE) - 1) / (count - 1)
    return tuple(PALETTE[round(index * step)] for index in range(count))
