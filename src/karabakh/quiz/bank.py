"""Read and check question banks (``data/quizzes/<notebook-stem>.yaml``).

Every load checks the file against the JSON Schema shipped in the package
(``schemas/quiz-bank.schema.json``) and then runs checks a schema cannot express
(the answer is among the options, the sources exist, ids are unique...). All problems
are collected and reported together in one :class:`BankError`, each naming the file,
the question id and the field.

Examples
--------
>>> from karabakh import paths
>>> bank = load_bank(paths.course_root() / "tests" / "fixtures" / "quizzes" / "sample.yaml")
>>> bank.notebook, len(bank) >= 7
('sample', True)
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import math
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from karabakh import paths
from karabakh.quiz.model import Bank, Question
from karabakh.quiz.normalize import normalize


def _import_jsonschema() -> Any:
    """Import jsonschema without its optional IRI-format checker.

    When ``rfc3987_syntax`` is installed (JupyterLab's dependencies bring it), jsonschema
    imports it to check the "iri" formats, and that package builds a grammar at import
    time: seconds that every lesson would pay at its first quiz. The bank schema uses no
    such format, so the optional import is made to fail fast, for this import only.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return importlib.import_module("jsonschema")
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # `import` now raises ImportError
    try:
        return importlib.import_module("jsonschema")
    finally:
        del sys.modules["rfc3987_syntax"]


jsonschema = _import_jsonschema()

__all__ = ["BankError", "BankProblem", "load_bank", "bank_names", "bank_path", "SCHEMA_FILE"]

SCHEMA_FILE = paths.SCHEMA_DIR / "quiz-bank.schema.json"
_SUPPORTED_VERSIONS = (1,)
_PRECISION_RE = {
    "year": re.compile(r"^\d{4}$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
    "day": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
}


@dataclass(frozen=True)
class BankProblem:
    """One problem in a bank file.

    Parameters
    ----------
    file : str
        The bank file, relative to the course root where possible.
    question : str or None
        The question id (or ``"question 3"`` if it has no usable id); None for the
        whole bank.
    field : str or None
        The field concerned (``"answer"``, ``"options"``...).
    message : str
        What is wrong.
    """

    file: str
    question: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.question is not None:
            where.append(f"question '{self.question}'")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


class BankError(ValueError):
    """Raised when a question bank is invalid; lists every problem found.

    Attributes
    ----------
    problems : list of BankProblem
        Each problem with its file, question id and field.
    """

    def __init__(self, problems: list[BankProblem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found in a question bank:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


# --------------------------------------------------------------------------- files


class _Loader(yaml.SafeLoader):
    """YAML loader that keeps dates as text and reads only true/false as booleans.

    Plain PyYAML turns ``2020-11-10`` into a date object and ``Yes``/``No``/``On`` into
    booleans, which would silently change answers such as ``options: [Yes, No]``.
    """


_Loader.yaml_implicit_resolvers = {
    key: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.course_root()))
    except (ValueError, FileNotFoundError):
        return str(path)


def bank_names() -> list[str]:
    """Return the names (notebook stems) of the banks in ``data/quizzes/``, sorted.

    Examples
    --------
    >>> isinstance(bank_names(), list)
    True
    """
    folder = paths.quizzes_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.yaml"))


def bank_path(name_or_path: str | Path) -> Path:
    """Return the file of a bank given its name (``"01-war-and-statement"``) or a path.

    Raises
    ------
    ValueError
        If no bank has that name, or the path does not exist.
    """
    if isinstance(name_or_path, Path) or (
        isinstance(name_or_path, str) and (name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path)
    ):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise ValueError(f"No question bank file at {path}")
        return path
    if not isinstance(name_or_path, str):
        raise TypeError(f"a bank is named by a string or a Path, not {type(name_or_path).__name__}")
    path = paths.quizzes_dir() / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(bank_names()) or "none yet"
        raise ValueError(f"No question bank named {name_or_path!r} in data/quizzes/. Banks: {known}.")
    return path


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    with open(SCHEMA_FILE, encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """Return the JSON Schema of question banks (a dict).

    Examples
    --------
    >>> schema()["$defs"]["question"]["properties"]["type"]["enum"][:3]
    ['single', 'multiple', 'numeric']
    """
    return _validator().schema


# --------------------------------------------------------------------------- schema errors


def _question_label(questions: Any, index: int) -> str:
    try:
        qid = questions[index].get("id")
    except (AttributeError, IndexError, KeyError, TypeError):
        qid = None
    if isinstance(qid, str) and qid.strip():
        return qid
    return f"question {index + 1}"


def _leaf_errors(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    if error.context:
        out = []
        for sub in error.context:
            out += _leaf_errors(sub)
        return out
    return [error]


def _schema_problem(file: str, document: Any, error: jsonschema.ValidationError) -> BankProblem:
    where = list(error.absolute_path)
    question = None
    rest = where
    if len(where) >= 2 and where[0] == "questions" and isinstance(where[1], int):
        question = _question_label(document.get("questions"), where[1])
        rest = where[2:]
    field = str(rest[0]) if rest else None
    message = error.message
    if error.validator == "required":
        missing = [p for p in error.validator_value if p not in error.instance]
        field = field or (missing[0] if missing else None)
        message = f"missing required field{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}"
        if question and isinstance(error.instance, dict) and "type" in error.instance:
            message += f" (needed by type {error.instance['type']!r})"
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {})
        extra = [k for k in error.instance if k not in allowed]
        field = field or (str(extra[0]) if extra else None)
        message = f"unknown field{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))}"
        message += f"; allowed fields: {', '.join(allowed)}"
    elif "propertyNames" in error.absolute_schema_path:
        field = str(error.instance)
        kind = "this type"
        question_doc = _question_at(document, where)
        if isinstance(question_doc, dict):
            kind = f"type {question_doc.get('type')!r}"
        allowed = error.validator_value if isinstance(error.validator_value, list) else []
        message = f"field {error.instance!r} is not used by {kind}; its fields are: {', '.join(allowed)}"
    elif error.validator in ("minItems", "maxItems") and isinstance(error.instance, list):
        bound = "at least" if error.validator == "minItems" else "at most"
        message = f"has {len(error.instance)} item(s); {bound} {error.validator_value} are needed"
    elif error.validator in ("minProperties",) and isinstance(error.instance, dict):
        message = f"has {len(error.instance)} entries; at least {error.validator_value} are needed"
    elif error.validator == "enum" and field in (None, "type") and rest == ["type"]:
        message = f"unknown type {error.instance!r}; choose from {', '.join(error.validator_value)}"
    elif error.validator == "pattern" and rest[:1] == ["id"]:
        message = (
            f"{error.instance!r} is not a valid id: use lower-case letters and digits in words "
            "joined by single hyphens, e.g. 'statement-date'"
        )
    elif error.validator == "pattern" and rest[:1] == ["sources"]:
        message = f"{error.instance!r} is not a source id such as 'S12' or 'R1'"
    elif error.validator == "const" and rest == ["schema_version"]:
        message = f"schema_version {error.instance!r} is not supported; this course reads version 1"
    return BankProblem(file, question, field, message)


def _question_at(document: Any, where: list[Any]) -> Any:
    if len(where) >= 2 and where[0] == "questions":
        try:
            return document["questions"][where[1]]
        except (IndexError, KeyError, TypeError):
            return None
    return None


# --------------------------------------------------------------------------- semantic checks


def _known_sources() -> set[str]:
    from karabakh import data

    return set(data.load("sources")["id"])


def _check_question(file: str, raw: dict[str, Any], known: set[str]) -> list[BankProblem]:
    qid = raw["id"]
    t = raw["type"]
    answer = raw["answer"]
    problems: list[BankProblem] = []

    def bad(field: str, message: str) -> None:
        problems.append(BankProblem(file, qid, field, message))

    unknown = [s for s in raw["sources"] if s not in known]
    if unknown:
        bad("sources", f"unknown source id(s) {', '.join(unknown)}: not in data/sources.csv")
    if t == "single" and answer not in raw["options"]:
        bad("answer", f"{answer!r} is not one of the options")
    if t == "multiple":
        missing = [a for a in answer if a not in raw["options"]]
        if missing:
            bad("answer", f"{', '.join(map(repr, missing))} not among the options")
    if t in ("single", "multiple"):
        keys = [normalize(o) for o in raw["options"]]
        if len(set(keys)) != len(keys):
            bad("options", "two options differ only in case, accents, punctuation or spacing")
    if t == "numeric":
        if not math.isfinite(float(answer)):
            bad("answer", "the answer must be a finite number")
        if not (raw["tolerance"] >= 0):
            bad("tolerance", "the tolerance must be 0 or more")
    if t == "date":
        precision = raw["precision"]
        if not _PRECISION_RE[precision].match(answer):
            bad(
                "answer",
                f"{answer!r} is not written at precision {precision!r} (expected {precision_format(precision)})",
            )
        else:
            parts = [int(p) for p in answer.split("-")]
            try:
                _dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
            except ValueError:
                bad("answer", f"{answer!r} is not a real calendar date")
    if t == "ordering" and sorted(answer) != sorted(raw["items"]):
        bad("answer", "the answer must list every one of the items exactly once")
    if t == "matching":
        if answer != raw["pairs"]:
            bad("answer", "the answer must be the same mapping as pairs")
        if len({normalize(k) for k in raw["pairs"]}) != len(raw["pairs"]):
            bad("pairs", "two left items differ only in case, accents, punctuation or spacing")
    if t == "text":
        for field, value in [("answer", answer), *(("accept", a) for a in raw.get("accept", []))]:
            if not normalize(value):
                bad(field, f"{value!r} has no letters or digits, so no answer could match it")
    return problems


def precision_format(precision: str) -> str:
    """Return the written form of a date precision (``"month"`` -> ``"YYYY-MM"``).

    Examples
    --------
    >>> precision_format("day")
    'YYYY-MM-DD'
    """
    return {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}[precision]


def _to_question(raw: dict[str, Any], notebook: str) -> Question:
    pairs = raw.get("pairs")
    answer = raw["answer"]
    if raw["type"] == "matching":
        answer = dict(answer)
    return Question(
        id=raw["id"],
        type=raw["type"],
        prompt=raw["prompt"].strip(),
        answer=answer,
        explanation=raw["explanation"].strip(),
        sources=tuple(raw["sources"]),
        options=tuple(raw.get("options", ())),
        tolerance=raw.get("tolerance"),
        unit=raw.get("unit"),
        precision=raw.get("precision"),
        items=tuple(raw.get("items", ())),
        pairs=dict(pairs) if pairs is not None else None,
        accept=tuple(raw.get("accept", ())),
        bank=notebook,
    )


def _parse(path: Path) -> Bank:
    from karabakh.quiz.grading import grade

    file = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BankError([BankProblem(file, None, None, f"not UTF-8 text ({exc.reason})")]) from None
    try:
        document = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise BankError([BankProblem(file, None, None, f"not valid YAML{where}: {reason}")]) from None
    if not isinstance(document, dict):
        raise BankError(
            [
                BankProblem(
                    file, None, None, "a bank is a mapping with schema_version, notebook, title and questions"
                )
            ]
        )

    problems: list[BankProblem] = []
    bad_questions: set[int] = set()
    errors = sorted(_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    known_fields = set(schema()["$defs"]["question"]["properties"])
    for error in errors:
        for leaf in _leaf_errors(error):
            if "propertyNames" in leaf.absolute_schema_path and leaf.instance not in known_fields:
                continue  # already reported as an unknown field
            problem = _schema_problem(file, document, leaf)
            if problem not in problems:
                problems.append(problem)
            where = list(leaf.absolute_path)
            if len(where) >= 2 and where[0] == "questions" and isinstance(where[1], int):
                bad_questions.add(where[1])
            elif where == ["questions"]:
                bad_questions.add(-1)

    if document.get("notebook") is not None and document.get("notebook") != path.stem:
        problems.append(
            BankProblem(
                file,
                None,
                "notebook",
                f"{document.get('notebook')!r} does not match the file name {path.stem!r}",
            )
        )

    raw_questions = document.get("questions") if isinstance(document.get("questions"), list) else []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_questions):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            if raw["id"] in seen:
                problems.append(
                    BankProblem(
                        file,
                        raw["id"],
                        "id",
                        f"duplicate id (already used by question {seen[raw['id']] + 1})",
                    )
                )
            seen.setdefault(raw["id"], index)

    known = _known_sources()
    checked: list[Question] = []
    for index, raw in enumerate(raw_questions):
        if index in bad_questions or -1 in bad_questions:
            continue
        found = _check_question(file, raw, known)
        problems += found
        if not found:
            question = _to_question(raw, str(document.get("notebook", path.stem)))
            result = grade(question, question.answer)
            if not result.correct:
                problems.append(
                    BankProblem(
                        file,
                        question.id,
                        "answer",
                        f"grading the question's own answer fails: {result.detail}",
                    )
                )
            checked.append(question)
    if problems:
        order = {q.get("id"): i for i, q in reversed(list(enumerate(raw_questions))) if isinstance(q, dict)}
        order.update({f"question {i + 1}": i for i in range(len(raw_questions))})
        problems.sort(key=lambda p: -1 if p.question is None else order.get(p.question, len(order)))
        raise BankError(problems)
    return Bank(
        notebook=document["notebook"],
        title=document["title"].strip(),
        questions=tuple(checked),
        path=path,
        schema_version=document["schema_version"],
    )


_CACHE: dict[Path, tuple[tuple[int, int], Bank]] = {}


def load_bank(name_or_path: str | Path) -> Bank:
    """Load and check a question bank.

    Parameters
    ----------
    name_or_path : str or Path
        A notebook stem (``"01-war-and-statement"``, read from ``data/quizzes/``) or
        the path of a ``.yaml`` file.

    Returns
    -------
    Bank
        The questions, in order: iterate over it, or index by position or id.

    Raises
    ------
    BankError
        If the bank breaks the schema or a content check; lists every problem with
        file, question id and field.
    ValueError
        If there is no bank of that name.

    Examples
    --------
    >>> from karabakh import paths
    >>> bank = load_bank(paths.course_root() / "tests/fixtures/quizzes/sample.yaml")
    >>> sorted({q.type for q in bank})
    ['date', 'matching', 'multiple', 'numeric', 'ordering', 'single', 'text']
    """
    path = bank_path(name_or_path).resolve()
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(path)
    if cached is None or cached[0] != stamp:
        _CACHE[path] = (stamp, _parse(path))
    return _CACHE[path][1]
