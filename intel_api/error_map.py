"""Domain errors -> HTTP, in one place: the exception handlers and the unit of work both use it."""

from __future__ import annotations

from intel_api import messages
from intel_api.errors import ApiError
from intel_api.services import ladder, letters, representations, review


def to_api_error(exc: BaseException) -> ApiError | None:
    """The HTTP answer for an expected failure; None for anything unexpected (a 500)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, review.FlagTransitionError):
        action = {"confirm": "confirmed", "dismiss": "dismissed", "escalate": "escalated"}[exc.action.value]
        return ApiError(
            409, messages.FLAG_TRANSITION.format(id=exc.flag_id, status=exc.status.value, action=action)
        )
    if isinstance(exc, review.NeedsSupervisor):
        return ApiError(403, messages.FLAG_ESCALATED.format(id=exc.flag_id))
    if isinstance(exc, ladder.LadderError | representations.RepresentationError):
        # Their messages are written for the caller: they say what the state does not allow.
        return ApiError(409, str(exc))
    if isinstance(exc, letters.InvalidTransition):
        return ApiError(
            409,
            messages.LETTER_TRANSITION.format(
                id=exc.letter_id, current=exc.current.value, target=exc.target.value
            ),
        )
    if isinstance(exc, letters.MissingKeeper):
        return ApiError(409, messages.LETTER_NO_KEEPER.format(id=exc.letter_id))
    if isinstance(exc, letters.KeeperMismatch):
        return ApiError(409, messages.LETTER_KEEPER_MISMATCH.format(id=exc.letter_id, flag=exc.flag_id))
    return None


DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    ApiError,
    review.FlagTransitionError,
    review.NeedsSupervisor,
    ladder.LadderError,
    representations.RepresentationError,
    letters.InvalidTransition,
    letters.MissingKeeper,
    letters.KeeperMismatch,
)
