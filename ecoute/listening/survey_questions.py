"""A survey's questions as the answering pages need them: read once per version of the survey by
each process, not once (or twice) per answer.

Every answer needs all the survey's questions (which to show, whether the response is complete), and
they change only when someone edits the survey. Each process keeps them per survey under the
survey's `questions_version`, which is renewed whenever one of its questions is saved or deleted —
by the builder, a survey file, the admin or anything else that goes through the models (the
receivers below). The answering pages read the survey's row with every request anyway, so a process
that sees a new version reads the questions again; a process never serves questions older than the
survey row it has just read.

A random version rather than a counter or a date: a survey deleted and another created with its id
(SQLite reuses the highest ids) cannot collide with what a process kept, nor can two edits made in
the same instant, or under a frozen clock.
"""

import uuid
from threading import Lock
from typing import Any

from ecoute.listening.models import Question, Survey

# Surveys kept per process; past it, the one kept longest is dropped. A survey's questions weigh a
# few kilobytes.
MAX_SURVEYS = 500

_kept: dict[int, tuple[uuid.UUID, tuple[Question, ...]]] = {}
_lock = Lock()


def survey_questions(survey: Survey) -> list[Question]:
    """The survey's questions in order, as of `survey.questions_version` (or newer).

    The Question objects are shared by the requests of the process: read them, never change them.
    """
    kept = _kept.get(survey.pk)
    if kept is not None and kept[0] == survey.questions_version:
        return list(kept[1])
    questions = tuple(Question.objects.filter(survey_id=survey.pk).order_by("position", "id"))
    with _lock:
        if survey.pk not in _kept and len(_kept) >= MAX_SURVEYS:
            _kept.pop(next(iter(_kept)))
        _kept[survey.pk] = (survey.questions_version, questions)
    return list(questions)


def forget_all() -> None:
    """Drop what this process kept (a test that counts queries starts from nothing)."""
    with _lock:
        _kept.clear()


def renew_questions_version(sender: type[Question], instance: Question, **_kwargs: Any) -> None:
    """A question was saved or deleted: every process reads the survey's questions again."""
    Survey.objects.filter(pk=instance.survey_id).update(questions_version=uuid.uuid4())
