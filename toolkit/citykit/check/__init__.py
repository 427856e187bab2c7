"""Instant, friendly feedback on exercise answers, that nbgrader can also score.

In an exercise notebook the locked setup cell creates a checker for the assignment, and each
graded cell asks it about one question::

    check = Exercise("00-foundations")
    ...
    check("q1_requests")            # reads the answer variable named in the question bank
    check.hint("q1_requests")       # hints, one step at a time
    check.solution("q1_requests")   # a worked answer, once the check says Correct
    check.progress()                # every question and where you stand

A check shows one of three verdicts — **Correct**, **Not yet** (with a pointer) or **Not
attempted** — and never shows the expected answer. For a learner, "Not yet" and "Not attempted"
are shown and the notebook goes on, so *Restart Kernel and Run All Cells* always reaches the end
and the closing ``check.progress()``. While nbgrader grades or validates the notebook (it sets
``NBGRADER_EXECUTION`` to ``autograde`` or ``validate``) a check that is not Correct raises
:class:`NotYet`, an ``AssertionError``, so that the cell earns no points; its one-line message is
the verdict. Nothing is ever written to stderr (nbgrader scores a cell that writes to stderr as 0).

How questions are declared
--------------------------
Each assignment has a *question bank*, ``citykit/questions/<assignment>.toml``::

    title = "From spreadsheets to pandas"

    [questions.q1_requests]
    variable = "n_requests"
    kind = "integer"          # integer | number | text | bool | choice | set | list | series | frame | function
    objective = "Load a table and count its rows"
    hints = ["The concept", "The missing step", "The answer, as code"]

    [[questions.q1_requests.mistakes]]
    code = '''
    n_requests = len(requests[requests["status"] == "Closed"])
    '''
    feedback = "You counted only closed requests; the question asks for all of them."

    [[questions.q1_requests.alternatives]]
    code = "n_requests = requests.shape[0]"

A *mistake* is a plausible wrong method and an *alternative* a defensible right one, each written
as the code a learner would put in the answer cell: ``citykit course verify`` runs every one
against the data and fails when the check or the hidden tests accept a mistake or reject an
alternative. Other keys of a question:

``decimals = 3``
    on a number (or a list of numbers): accept any answer within half a unit of the third decimal,
    what rounding to three decimals gives; the question's text says so.
``keeps = ["sanitation_chart"]``
    other variables the question asks the learner to keep (the methods of later questions may
    use them; hidden tests see only the answer variable, the modules and the parameters).
``listed = ["Bad", "Good"]``
    values the question itself lists, which hints and feedback may name too (verify otherwise
    fails a hint or feedback that shows the answer).
``explanation = "..."``
    words shown with the worked answer (choice questions have no code to show).
``options``, ``digits``, ``ordered``
    the letters of a choice question; significant digits and row order for tables.

``citykit course fingerprint <assignment>`` writes ``<assignment>.answers.json``: salted hashes
of a canonical form of the right answer, of every alternative and of every mistake (numbers
rounded, text case-folded, tables sorted), so a learner can be told "correct" or "that is the
mistake of counting only closed requests" without the answer being in the exercise. A
determined learner could still find a small number by trial; graded cohorts rely on the hidden
tests for the final score.

Worked answers
--------------
After a check says Correct, ``check.solution(question)`` shows a worked answer. It is stored
encrypted with a key made from the right answer, so it opens only for a learner who has that
answer (self-learners need nothing else). In a cohort the instructor sets the environment
variable ``CITYKIT_COHORT`` to a folder; worked answers of an assignment then appear only once the
instructor has released them by creating the file ``<assignment>.released`` in that folder.

Examples
--------
>>> from citykit.check import fingerprint
>>> fingerprint(0.25, question="demo/q1", kind="number") == fingerprint(
...     0.2500000001, question="demo/q1", kind="number")
True
>>> fingerprint("Sanitation ", question="demo/q2", kind="text") == fingerprint(
...     "sanitation", question="demo/q2", kind="text")
True
"""

from __future__ import annotations

# the package's interface: the names of __all__, and the constants and sealing that the course
# commands, the question methods and the tests use
from citykit.check.banks import QUESTIONS_DIR as QUESTIONS_DIR
from citykit.check.banks import QUESTIONS_ENV as QUESTIONS_ENV
from citykit.check.banks import REFINGERPRINT_ENV as REFINGERPRINT_ENV
from citykit.check.banks import bank_path, load_bank
from citykit.check.canonical import KINDS as KINDS
from citykit.check.canonical import describe_value, fingerprint
from citykit.check.exercise import Exercise
from citykit.check.sealed import COHORT_ENV as COHORT_ENV
from citykit.check.sealed import _unseal as _unseal
from citykit.check.sealed import seal as seal
from citykit.check.verdicts import NotYet, Progress, Verdict

__all__ = [
    "Exercise",
    "NotYet",
    "Verdict",
    "Progress",
    "fingerprint",
    "describe_value",
    "bank_path",
    "load_bank",
]
