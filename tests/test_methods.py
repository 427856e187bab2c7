"""citykit.methods: running a question's methods on the learner's namespace, judging hidden tests
in a clean one, and spotting feedback that shows the answer."""

from __future__ import annotations

import doctest
import math
import types

from citykit import methods


def test_docstring_examples():
    result = doctest.testmod(methods, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_a_method_runs_on_a_copy_without_the_solutions_working_variables():
    namespace = {"requests": [3, 1, 2], "subtotal": 10, "n": 5}
    outcome = methods.run_method(
        namespace, "n = len(requests) + subtotal", variable="n", drop={"subtotal"}, keeps=()
    )
    assert outcome.error == "NameError: name 'subtotal' is not defined"
    outcome = methods.run_method(namespace, "n = max(requests)", variable="n", drop=set(), keeps=())
    assert outcome.value == 3 and namespace["n"] == 5, "the notebook's namespace is untouched"
    silent = methods.run_method(namespace, "m = 1", variable="n", drop=set(), keeps=())
    assert silent.value is methods._MISSING, (
        "a method that sets nothing is not read from the notebook"
    )


def test_hidden_tests_see_only_modules_parameters_and_the_answer():
    namespace = {"math": math, "data_dir": None, "valid": [1, 2], "answer": 2}
    clean = methods.hidden_namespace(namespace, parameters=["data_dir"], names={"answer": 2})
    assert set(clean) - {"__builtins__"} == {"math", "data_dir", "answer"}
    assert isinstance(clean["math"], types.ModuleType)
    assert methods.run_hidden("assert answer == 2", dict(clean)) == (True, None)
    assert methods.run_hidden("assert answer == 3", dict(clean)) == (False, None)
    passed, error = methods.run_hidden("assert len(valid) == 2", dict(clean))
    assert not passed and error.startswith("NameError"), (
        "a learner's working variable is out of reach"
    )


def test_value_texts_spot_an_answer_written_out():
    assert "0.906" in methods.value_texts(0.90594)
    assert "49,600" in methods.value_texts(49600)
    assert methods.value_texts(7) == [], "small counts appear in ordinary sentences"
    assert methods.value_texts("Code Enforcement") == ["Code Enforcement"]
    assert methods.value_texts(True) == []


def test_assigned_names_cover_loops_imports_and_definitions():
    source = (
        "x = 1\nfor i, j in []: pass\nimport numpy as np\ndef f(): pass\nwith open('a') as h: pass"
    )
    assert methods.assigned_names(source) == {"x", "i", "j", "np", "f", "h"}
    assert methods.assigned_names("not python (") == set()


def test_while_methods_run_each_table_is_read_once_and_handed_out_as_a_copy():
    from citykit import datasets

    read = datasets.load
    with methods._tables_read_once():
        first = datasets.load("providers")
        first.loc[:, "provider_id"] = "changed"
        second = datasets.load("providers")
        assert datasets.load is not read
    assert datasets.load is read, "the reader is put back"
    assert "changed" not in set(second["provider_id"]), "a change to one copy reaches no other"
