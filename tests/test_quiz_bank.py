"""Question banks: the JSON Schema, the checks on load, and every real bank in data/quizzes/."""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import jsonschema
import nbformat
import pytest

from karabakh import data, paths, quiz
from karabakh.quiz import bank as bank_module
from karabakh.quiz.grading import wrong_answer

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"
SAMPLE = FIXTURES / "sample.yaml"
STEMS = list(paths.LESSON_STEMS)
CONTENT_STEMS = STEMS[1:]  # lessons with content sections (00 is the introduction)
MIN_QUESTIONS = 8


def real_banks() -> list[Path]:
    folder = paths.quizzes_dir()
    return sorted(folder.glob("*.y*ml")) if folder.is_dir() else []


def real_questions() -> list[tuple[str, str]]:
    pairs = []
    for path in real_banks():
        try:
            loaded = quiz.load_bank(path)
        except ValueError:
            continue  # reported by test_real_bank_validates
        pairs += [(path.stem, q.id) for q in loaded]
    return pairs


# --------------------------------------------------------------------------- the schema


def test_schema_is_valid_draft_2020_12():
    schema = json.loads(bank_module.SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def _walk(node, where=""):
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}/{i}")


def test_schema_describes_every_field_and_anchors_every_pattern():
    schema = bank_module.schema()
    for where, props in [
        ("root", schema["properties"]),
        ("question", schema["$defs"]["question"]["properties"]),
    ]:
        for name, spec in props.items():
            assert spec.get("description", "").strip(), f"{where} field {name!r} has no description"
    for where, node in _walk(schema):
        # "\\S" ("has a non-space character somewhere") is meant to be unanchored.
        if "pattern" in node and isinstance(node["pattern"], str) and node["pattern"] != "\\S":
            assert node["pattern"].startswith("^") and node["pattern"].endswith("$"), where


def test_schema_closes_objects_and_enumerates_types():
    schema = bank_module.schema()
    question = schema["$defs"]["question"]
    assert schema["additionalProperties"] is False
    assert question["additionalProperties"] is False
    assert question["properties"]["type"]["enum"] == list(quiz.TYPES)
    # one if/then per type, each naming the fields the type needs
    branches = {b["if"]["properties"]["type"]["const"]: b["then"] for b in question["allOf"]}
    assert set(branches) == set(quiz.TYPES)
    assert branches["numeric"]["required"] == ["tolerance", "unit"]
    assert branches["ordering"]["required"] == ["items"]
    assert branches["matching"]["required"] == ["pairs"]


# --------------------------------------------------------------------------- the sample bank


def test_sample_bank_loads_with_all_seven_types():
    loaded = quiz.load_bank(SAMPLE)
    assert loaded.notebook == "sample"
    assert sorted({q.type for q in loaded}) == sorted(quiz.TYPES)
    assert loaded["corridor-width"].tolerance == 0
    assert all(q.bank == "sample" for q in loaded)


def test_bank_is_indexable_by_position_and_id():
    loaded = quiz.load_bank(SAMPLE)
    assert loaded[0] is loaded[loaded.ids[0]]
    assert "corridor-width" in loaded
    with pytest.raises(KeyError, match="its ids are: statement-signatories"):
        loaded["no-such-question"]


@pytest.mark.parametrize("qid", [q.id for q in quiz.load_bank(SAMPLE)])
def test_sample_own_answer_correct_and_wrong_answer_incorrect(qid):
    question = quiz.load_bank(SAMPLE)[qid]
    assert quiz.grade(question, question.answer).correct
    assert not quiz.grade(question, wrong_answer(question)).correct


def test_load_by_name_reads_data_quizzes(tmp_path, monkeypatch):
    (tmp_path / "sample.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(paths, "quizzes_dir", lambda: tmp_path)
    assert quiz.load_bank("sample").ids == quiz.load_bank(SAMPLE).ids
    assert quiz.bank_names() == ["sample"]


def test_unknown_bank_name_lists_the_banks(tmp_path, monkeypatch):
    (tmp_path / "sample.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(paths, "quizzes_dir", lambda: tmp_path)
    with pytest.raises(ValueError, match="No question bank named 'nope'.*Banks: sample"):
        quiz.load_bank("nope")


def test_reload_after_edit(tmp_path):
    path = tmp_path / "sample.yaml"
    path.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert quiz.load_bank(path)["corridor-width"].unit == "km"
    path.write_text(
        path.read_text(encoding="utf-8").replace("unit: km", "unit: kilometres"), encoding="utf-8"
    )
    assert quiz.load_bank(path)["corridor-width"].unit == "kilometres"


def test_yaml_keeps_dates_and_yes_no_as_text(tmp_path):
    """Is an unquoted date kept as text, and are Yes/No options kept as words?"""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace('answer: "2020-11-10"', "answer: 2020-11-10")
    text = text.replace(
        """  - id: corridor-width""",
        """  - id: yes-no
    type: single
    prompt: "Did the statement mention helicopters?"
    options: [Yes, No]
    answer: No
    explanation: "It did not; Russia's defence ministry announced them."
    sources: [S1, S5]
  - id: corridor-width""",
    )
    path = tmp_path / "sample.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = quiz.load_bank(path)
    assert loaded["ceasefire-start"].answer == "2020-11-10"
    assert loaded["yes-no"].options == ("Yes", "No")
    assert quiz.grade(loaded["yes-no"], "No").correct


# --------------------------------------------------------------------------- bad banks

# fixture -> [(question id or None, field or None, fragment of the message)]
BAD = {
    "unknown-type.yaml": [("statement-signatories", "type", "unknown type 'essay'; choose from single")],
    "unanchored-id.yaml": [("See statement-signatories!", "id", "is not a valid id")],
    "missing-answer.yaml": [("corridor-width", "answer", "missing required field 'answer'")],
    "answer-not-in-options.yaml": [("statement-signatories", "answer", "is not one of the options")],
    "unknown-source.yaml": [("corridor-width", "sources", "unknown source id(s) S999")],
    "duplicate-id.yaml": [("statement-signatories", "id", "duplicate id (already used by question 1)")],
    "extra-field.yaml": [("corridor-width", "hint", "unknown field 'hint'")],
    "wrong-schema-version.yaml": [(None, "schema_version", "schema_version 2 is not supported")],
    "missing-tolerance.yaml": [("corridor-width", "tolerance", "needed by type 'numeric'")],
    "field-of-other-type.yaml": [("statement-signatories", "tolerance", "not used by type 'single'")],
    "negative-tolerance.yaml": [("corridor-width", "tolerance", "less than the minimum of 0")],
    "ordering-not-permutation.yaml": [("withdrawal-steps", "answer", "every one of the items exactly once")],
    "ordering-too-few-items.yaml": [
        ("withdrawal-steps", "answer", "has 3 item(s); at least 4"),
        ("withdrawal-steps", "items", "has 3 item(s); at least 4"),
    ],
    "matching-answer-differs.yaml": [("place-names", "answer", "same mapping as pairs")],
    "date-wrong-precision.yaml": [("ceasefire-start", "answer", "not written at precision 'month'")],
    "date-not-a-date.yaml": [("ceasefire-start", "answer", "not a real calendar date")],
    "text-answer-without-letters.yaml": [("hq-city-az", "answer", "no letters or digits")],
    "notebook-mismatch.yaml": [(None, "notebook", "does not match the file name 'notebook-mismatch'")],
    "not-yaml.yaml": [(None, None, "not valid YAML (line 5")],
    "many-problems.yaml": [
        ("statement-signatories", "sources", "unknown source id(s) S999"),
        ("corridor-width", "type", "unknown type 'essay'"),
        ("withdrawal-steps", "answer", "missing required field 'answer'"),
        ("withdrawal-steps", "answer_", "unknown field 'answer_'"),
    ],
}


def test_every_bad_fixture_has_a_case():
    on_disk = {p.name for p in FIXTURES.glob("*.yaml")} - {"sample.yaml"}
    assert on_disk == set(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_bank_is_rejected_naming_file_question_and_field(name):
    with pytest.raises(quiz.BankError) as caught:
        quiz.load_bank(FIXTURES / name)
    problems = caught.value.problems
    found = [(p.question, p.field) for p in problems]
    assert found == [(q, f) for q, f, _ in BAD[name]], str(caught.value)
    for problem, (_, _, fragment) in zip(problems, BAD[name], strict=True):
        assert fragment in problem.message
        assert problem.file.endswith(f"quizzes/{name}")
    message = str(caught.value)
    assert name in message
    for qid, field, _ in BAD[name]:
        if qid:
            assert f"question '{qid}'" in message
        if field:
            assert f"field '{field}'" in message


def test_bank_error_is_a_value_error():
    assert issubclass(quiz.BankError, ValueError)


def test_not_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(quiz.BankError, match="a bank is a mapping"):
        quiz.load_bank(path)


# --------------------------------------------------------------------------- the real banks


@pytest.mark.parametrize("path", real_banks(), ids=lambda p: p.name)
def test_real_bank_validates(path):
    loaded = quiz.load_bank(path)
    assert path.suffix == ".yaml", "banks are named <notebook-stem>.yaml"
    assert loaded.notebook in STEMS, f"{path.name}: not a lesson stem ({', '.join(STEMS)})"
    if loaded.notebook in CONTENT_STEMS:
        assert len(loaded) >= MIN_QUESTIONS, (
            f"{path.name} has {len(loaded)} questions; at least {MIN_QUESTIONS}"
        )


@pytest.mark.parametrize(("stem", "qid"), real_questions(), ids=lambda v: v)
def test_real_question_grades_its_own_answer_and_a_wrong_one(stem, qid):
    question = quiz.load_bank(stem)[qid]
    right = quiz.grade(question, question.answer)
    assert right.correct and right.score == right.max_score
    wrong = quiz.grade(question, wrong_answer(question))
    assert not wrong.correct and wrong.score < wrong.max_score
    known = set(data.load("sources")["id"])
    assert set(question.sources) <= known
    assert "Source: [" in right.feedback and not math.isnan(right.score)


def test_all_seven_types_in_use_across_the_banks():
    banks = real_banks()
    if len(banks) < len(STEMS):
        pytest.skip(
            f"only {len(banks)} of the {len(STEMS)} banks exist yet; all seven types are required then"
        )
    used = {q.type for path in banks for q in quiz.load_bank(path)}
    assert used == set(quiz.TYPES), f"types never used: {sorted(set(quiz.TYPES) - used)}"


def _show_calls(notebook: Path):
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # test_notebooks reports broken cells
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "show"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "quiz"
            ):
                yield node


NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb")) if paths.notebooks_dir().is_dir() else []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_quiz_cells_name_existing_questions(notebook):
    """Does every quiz.show(...) in a lesson name a bank and ids that exist?"""
    for call in _show_calls(notebook):
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        name = args[0] if args else kwargs["name"]
        ids = args[1] if len(args) > 1 else kwargs.get("ids")
        loaded = quiz.load_bank(name)
        if ids is not None:
            missing = [i for i in ids if i not in loaded.ids]
            assert not missing, f"{notebook.name}: quiz.show({name!r}) names unknown ids {missing}"
