"""The survey feature's models: what staff build and what residents answer."""

from surveys.models.responses import (
    Answer,
    AnswerCount,
    InvitationCode,
    Response,
    ResponseStatus,
    SpentFormToken,
)
from surveys.models.surveys import (
    Option,
    Question,
    QuestionKind,
    ResultsVisibility,
    Section,
    Survey,
    SurveyPurpose,
    SurveyState,
)

__all__ = [
    "Answer",
    "AnswerCount",
    "InvitationCode",
    "Option",
    "Question",
    "QuestionKind",
    "Response",
    "ResponseStatus",
    "ResultsVisibility",
    "Section",
    "SpentFormToken",
    "Survey",
    "SurveyPurpose",
    "SurveyState",
]
