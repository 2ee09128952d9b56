"""Error texts the API returns, in one place so wording stays consistent and reviewable."""

from __future__ import annotations

NOT_AUTHENTICATED = "Not authenticated: send a bearer token (POST /auth/token) or an X-API-Key header."
BAD_CREDENTIALS = "Incorrect username or password."
TOKEN_INVALID = "The access token is invalid or has expired; log in again."
API_KEY_INVALID = "The API key is unknown or revoked."
ROLE_REQUIRED = "This action needs the {role} role or higher."
API_KEY_NOT_ALLOWED = "API keys with scope {scope!r} cannot use this endpoint."
KEY_ONLY = "This endpoint is for service API keys with scope {scopes}, not officer accounts."
HISTORY_TOO_OLD = (
    "Searching further back than {days} days needs a supervisor (tiered access, NASPLE). "
    "Ask a supervisor or narrow 'since'."
)
RANGE_REVERSED = "'until' must be after 'since'."
CURSOR_INVALID = "not a cursor this API gave out; pass 'next_cursor' from the previous page unchanged."
NOT_FOUND = "{what} {id} was not found."
EVIDENCE_MISSING = "Sighting {id} has no {kind} image."
EVIDENCE_OUTSIDE = "Evidence path for sighting {id} is outside the evidence store; refusing to serve it."
FLAG_TRANSITION = "Flag {id} is {status}; it cannot be {action}."
FLAG_ESCALATED = "Flag {id} is escalated; only a supervisor can decide it."
LETTER_TRANSITION = "Letter {id} is {current}; it cannot become {target}."
LETTER_NO_KEEPER = "Letter {id} has no keeper name/address; the keeper lookup found nothing."
LETTER_NOT_RELEASED = "Letter {id} is {status}; the letters service only sees approved or sent letters."
LETTER_KEEPER_MISMATCH = (
    "Letter {id} is blocked: the keeper record disagrees with what the cameras saw (possible misread or "
    "cloned plate, flag {flag}). An officer must review that flag first."
)
LETTER_NO_PDF = "Letter {id} has not been rendered; it is rendered on approval."
PLATE_PATTERN = "plate may contain only letters, digits and the wildcards * and ?"
EXPIRY_PAST = "expires_at must be in the future."
DATABASE_UNAVAILABLE = "The database is unavailable; try again shortly."
DATABASE_CONFLICT = "The change conflicts with existing data."
INTERNAL_ERROR = "Internal error; it has been logged."
VALIDATION_FAILED = "Invalid request: {fields}"
UNKNOWN_CAMERA_FIELD = "camera {camera!r} is not in the site config"
EVIDENCE_PATH_OUTSIDE = (
    "must be a relative path inside the evidence store (no '..', no absolute path, no link out)"
)
CAMERA_KEY_MISMATCH = (
    "sightings[{index}] is for camera {camera!r}; this key is bound to camera {bound!r} "
    "and may post only for it."
)
LOGIN_THROTTLED = "Too many failed sign-ins; wait {seconds} s before trying again."
LOGIN_LOCKED = (
    "Too many failed sign-ins: sign-in is locked for {seconds} s. An administrator can unlock the account."
)
BODY_TOO_LARGE = "The request body is larger than the {limit} bytes this API accepts."
TIME_OUT_OF_WINDOW = "{value} is outside the accepted window ({earliest} to {latest})"
