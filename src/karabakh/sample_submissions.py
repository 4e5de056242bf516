"""Fabricate student submissions from ``exercises/`` and ``solutions/`` (tests, benchmark, demos).

Each fabricated submission is a copy of an exercise notebook in which every task is
answered in a chosen way: ``right`` (the solution's code), ``wrong`` (the solution's
code, then the answer spoiled), ``blank`` (the placeholder left alone), ``raise`` (a
``NameError`` before the answer is assigned) or ``loop`` (an endless loop). Whole-file
defects are also available: corrupt JSON, an empty file, task cells deleted or moved.

Every fabricated submission comes with what grading it must give (scores, status, a
phrase of the reason), derived from how it was made.

Try the grader on a fabricated class::

    python -m karabakh.sample_submissions /tmp/class 03-blockade
    python -m karabakh grade /tmp/class --out /tmp/class-gradebook.csv --cell-timeout 5
"""

from __future__ import annotations

import argparse
import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from karabakh import answer_key, paths

__all__ = ["KINDS", "Fabricated", "fabricate", "fabricate_class", "student_notebook"]

#: The kinds of submission :func:`fabricate` makes, one student each.
KINDS = (
    "right",
    "partly-right",
    "raising",
    "infinite-loop",
    "corrupt-json",
    "empty",
    "cells-deleted",
    "cells-reordered",
)
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"

_SPOIL = {
    "integer": "{v} = {v} + 1",
    "number": "{v} = {v} * 2 + 1",
    "date": '{v} = {v} + __import__("datetime").timedelta(days=1)',
    "text": '{v} = str({v}) + " (changed)"',
    "set": "{v} = list({v})[1:]",
    "list": "{v} = list({v})[::-1][1:]",
    "mapping": "{v} = {v}.iloc[1:] if hasattr({v}, 'iloc') else dict(list({v}.items())[1:])",
    "matrix": "{v} = {v}.iloc[1:]",
    "map": '{v} = __import__("folium").Map()',
}


@dataclass
class Fabricated:
    """One fabricated submission and the grade it must get."""

    student: str
    notebook: str
    kind: str
    path: Path
    scores: dict[str, float]
    status: str
    reason: str = ""  # a phrase the gradebook's reason must contain
    answers: dict[str, str] = field(default_factory=dict)


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _solution_code(source: str) -> str:
    """The solution cell's source without the marker lines."""
    return "".join(line for line in source.splitlines(keepends=True) if line.strip() not in (BEGIN, END))


def _answered(solution_source: str, task: answer_key.Task, how: str) -> str:
    """Source of a task cell answered ``how``, from the solution cell's source."""
    lines = solution_source.splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
    end = next(i for i, line in enumerate(lines) if line.strip() == END)
    before, region, after = lines[:begin], lines[begin + 1 : end], lines[end + 1 :]
    indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
    if how == "right":
        middle = region
    elif how == "wrong":
        spoil = _SPOIL[task.check["kind"]].format(v=task.answer)
        middle = [*region, f"{indent}{spoil}\n"]
    elif how == "raise":
        middle = [f"{indent}total = undefined_helper(1)  # a name the student never defined\n", *region]
    elif how == "loop":
        middle = [f"{indent}while True:  # a loop that never ends\n", f"{indent}    pass\n", *region]
    else:
        raise ValueError(f"unknown way of answering {how!r}; choose right, wrong, raise, loop or blank")
    return "".join([*before, *middle, *after])


def student_notebook(
    stem: str,
    answers: dict[str, str],
    *,
    exercises_dir: Path | None = None,
    solutions_dir: Path | None = None,
    key: answer_key.Key | None = None,
) -> dict[str, Any]:
    """Return exercise notebook ``stem`` (as JSON data) with each task answered as asked.

    Parameters
    ----------
    answers : dict
        Task id -> ``"right"``, ``"wrong"``, ``"blank"``, ``"raise"`` or ``"loop"``;
        tasks not listed are left blank.
    """
    exercises = exercises_dir or paths.exercises_dir()
    solutions = solutions_dir or paths.solutions_dir()
    key = key or answer_key.load_key()
    tasks = {t.grade_id: t for t in key.notebooks[stem].tasks.values()}
    nb = _read(exercises / f"{stem}.ipynb")
    solution_cells = {
        cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"): cell
        for cell in _read(solutions / f"{stem}.ipynb")["cells"]
    }
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid not in tasks:
            continue
        how = answers.get(tasks[gid].id, "blank")
        if how != "blank":
            cell["source"] = _answered(_source(solution_cells[gid]), tasks[gid], how)
    return nb


def _write(path: Path, nb: dict[str, Any] | None, text: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        text if text is not None else json.dumps(nb, indent=1, ensure_ascii=False) + "\n", "utf-8"
    )
    return path


def _make(folder: Path, student: str, stem: str, kind: str, key: answer_key.Key, **dirs: Any) -> Fabricated:
    notebook_key = key.notebooks[stem]
    tasks = list(notebook_key.tasks.values())
    points = {t.id: t.points for t in tasks}
    path = folder / student / f"{stem}.ipynb"
    every = dict.fromkeys(points, "right")
    second = tasks[1] if len(tasks) > 1 else tasks[0]
    if kind == "right":
        nb = student_notebook(stem, every, key=key, **dirs)
        return Fabricated(student, stem, kind, _write(path, nb), dict(points), "ok", answers=every)
    if kind == "partly-right":
        answers = {t.id: ("right", "wrong", "blank")[i % 3] for i, t in enumerate(tasks)}
        nb = student_notebook(stem, answers, key=key, **dirs)
        scores = {tid: points[tid] if how == "right" else 0 for tid, how in answers.items()}
        return Fabricated(student, stem, kind, _write(path, nb), scores, "ok", answers=answers)
    if kind in {"raising", "infinite-loop"}:
        answers = {**every, second.id: "raise" if kind == "raising" else "loop"}
        nb = student_notebook(stem, answers, key=key, **dirs)
        scores = {**points, second.id: 0}
        if kind == "raising":
            return Fabricated(
                student, stem, kind, _write(path, nb), scores, "errors", "raised NameError", answers
            )
        return Fabricated(
            student, stem, kind, _write(path, nb), scores, "timeout", "timeout in cell", answers
        )
    if kind == "corrupt-json":
        text = json.dumps(student_notebook(stem, every, key=key, **dirs), indent=1)
        broken = text[: len(text) // 2]
        zeros = dict.fromkeys(points, 0)
        return Fabricated(student, stem, kind, _write(path, None, broken), zeros, "invalid", "not valid JSON")
    if kind == "empty":
        zeros = dict.fromkeys(points, 0)
        return Fabricated(student, stem, kind, _write(path, None, ""), zeros, "invalid", "the file is empty")
    if kind == "cells-deleted":
        nb = student_notebook(stem, every, key=key, **dirs)
        gone = {second.grade_id, second.check_grade_id}
        nb["cells"] = [
            c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") not in gone
        ]
        scores = {**points, second.id: 0}
        return Fabricated(
            student,
            stem,
            kind,
            _write(path, nb),
            scores,
            "changed",
            f"cells deleted: {second.grade_id}",
            every,
        )
    if kind == "cells-reordered":
        nb = student_notebook(stem, every, key=key, **dirs)
        cells = nb["cells"]
        last = tasks[-1]

        def position(gid: str) -> int:
            return next(
                i
                for i, c in enumerate(cells)
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid
            )

        start, stop = position(last.grade_id) - 1, position(last.check_grade_id) + 1  # prompt .. check
        block = cells[start:stop]
        del cells[start:stop]
        first = position(tasks[0].grade_id) - 1
        cells[first:first] = block
        return Fabricated(
            student, stem, kind, _write(path, nb), dict(points), "changed", "cells reordered", every
        )
    raise ValueError(f"unknown kind of submission {kind!r}; choose from {', '.join(KINDS)}")


def fabricate(
    folder: str | Path,
    stem: str,
    kinds: tuple[str, ...] | list[str] = KINDS,
    *,
    key: answer_key.Key | None = None,
    exercises_dir: Path | None = None,
    solutions_dir: Path | None = None,
) -> list[Fabricated]:
    """Write one student folder per kind (``001-right/``, ``002-partly-right/``...) into ``folder``."""
    key = key or answer_key.load_key()
    dirs = {"exercises_dir": exercises_dir, "solutions_dir": solutions_dir}
    return [
        _make(Path(folder), f"{i:03d}-{kind}", stem, kind, key, **dirs)
        for i, kind in enumerate(kinds, start=1)
    ]


def fabricate_class(
    folder: str | Path, stem: str, count: int, *, loops: int = 1, key: answer_key.Key | None = None
) -> list[Fabricated]:
    """Write ``count`` submissions: ``loops`` endless loops, the rest right, partly right or raising."""
    if count < loops:
        raise ValueError("count must be at least the number of endless loops")
    cycle = ("right", "partly-right", "right", "raising")
    kinds = ["infinite-loop"] * loops + [cycle[i % len(cycle)] for i in range(count - loops)]
    return fabricate(folder, stem, kinds, key=copy.deepcopy(key) if key else None)


def main(argv: list[str] | None = None) -> int:
    """Command line: write a fabricated class to a folder."""
    parser = argparse.ArgumentParser(description="Fabricate student submissions for trying the grader.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("notebook", help="exercise stem, e.g. 03-blockade")
    parser.add_argument(
        "--count", type=int, default=0, help="a class of this size (default: one of each kind)"
    )
    args = parser.parse_args(argv)
    made = (
        fabricate_class(args.folder, args.notebook, args.count)
        if args.count
        else fabricate(args.folder, args.notebook)
    )
    for item in made:
        print(f"{item.path}  ->  {item.status} {sum(item.scores.values()):g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
