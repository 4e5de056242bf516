"""Turn source ids into citations and reference tables.

Every fact in the course carries source ids such as ``S5`` or ``R1`` (the course
readings). These helpers show what an id stands for.

Examples
--------
>>> from karabakh.citations import cite
>>> cite("S1")
'[S1] Government of Armenia (primeminister.am), 2020-11-10'
>>> reference_table(["R2", "S1"]).index.tolist()
['R2', 'S1']
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from karabakh import data

__all__ = ["split_ids", "cite", "reference_table"]


def split_ids(ids: str | Iterable[str]) -> list[str]:
    """Return a list of ids from ``"S1;S2"``, ``"S1, S2"`` or an iterable of ids.

    Examples
    --------
    >>> split_ids("S1; S2,R1")
    ['S1', 'S2', 'R1']
    """
    if isinstance(ids, str):
        parts = ids.replace(",", ";").split(";")
    else:
        parts = []
        for item in ids:
            if not isinstance(item, str):
                raise TypeError(f"source ids are strings such as 'S1', not {type(item).__name__}")
            parts += item.replace(",", ";").split(";")
    return [p.strip() for p in parts if p.strip()]


def _sources(ids: list[str]) -> pd.DataFrame:
    table = data.load("sources").set_index("id")
    unknown = [i for i in ids if i not in table.index]
    if unknown:
        raise ValueError(f"Unknown source id(s): {', '.join(unknown)}. See data/sources.csv for the list.")
    return table.loc[ids]


def cite(ids: str | Iterable[str]) -> str:
    """Return a short citation for each id: ``[id] publisher, date``.

    Raises
    ------
    ValueError
        If an id is not in ``data/sources.csv``.
    """
    wanted = split_ids(ids)
    table = _sources(wanted)
    parts = []
    for sid, row in table.iterrows():
        when = ""
        if not pd.isna(row["date"]):
            fmt = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[row["date_precision"]]
            when = f", {row['date'].strftime(fmt)}"
        parts.append(f"[{sid}] {row['publisher']}{when}")
    return "; ".join(parts)


def reference_table(ids: str | Iterable[str]) -> pd.DataFrame:
    """Return the sources for ``ids`` as a table (publisher, author, title, date, url, kind).

    Ids keep the order given; duplicates are dropped.
    """
    wanted = list(dict.fromkeys(split_ids(ids)))
    table = _sources(wanted)
    shown = table[["publisher", "author", "title", "date", "url", "kind"]].copy()
    shown["date"] = [
        "" if pd.isna(d) else d.strftime({"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[p])
        for d, p in zip(table["date"], table["date_precision"], strict=True)
    ]
    return shown
