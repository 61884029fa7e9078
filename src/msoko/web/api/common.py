"""What the resource modules share: paging, the caller's visible registry codes, Russian errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from ninja import Query, Schema
from ninja.errors import HttpError

from msoko.web.access import can, restrict, scope_of
from msoko.web.accounts.roles import Action
from msoko.web.registry.models import Municipality, Organisation, Region

MAX_LIMIT = 10_000
# bounded query parameters: a number past these is 422, never an overflow deeper down
Year = Annotated[int | None, Query(ge=1900, le=2200)]
Grade = Annotated[int | None, Query(ge=0, le=20)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]


class ErrorOut(Schema):
    detail: str
    errors: list[dict] | None = None


# what any operation may answer besides its own success (documented so clients and schemathesis know)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def responses(ok: dict) -> dict:
    """An operation's documented responses: its success codes and every error of ERRORS."""
    return {**ERRORS, **ok}


class JobOut(Schema):
    id: str
    kind: str
    label: str
    status: str
    status_label: str
    stage: str
    done: int
    total: int | None
    percent: int | None
    finished: bool
    result: dict
    url: str


def job_out(job) -> dict:
    return {"id": str(job.pk), "kind": job.kind, "label": job.label, "status": job.status,
            "status_label": job.get_status_display(), "stage": job.stage, "done": job.done, "total": job.total,
            "percent": job.percent, "finished": job.is_finished, "result": job.result,
            "url": f"/api/v1/jobs/{job.pk}"}


@dataclass(frozen=True)
class Visible:
    """Registry codes the caller may see, per level, through the scope gate."""

    regions: frozenset[str]
    municipalities: frozenset[str]
    organisations: frozenset[str]

    @classmethod
    def of(cls, user) -> Visible:
        def codes(model):
            return frozenset(restrict(model.objects.all(), user).values_list("code", flat=True))

        return cls(codes(Region), codes(Municipality), codes(Organisation))

    def region_of_scope(self, user) -> frozenset[str]:
        """The region a user's scope lies in (its aggregate is the comparison every page shows)."""
        scope = scope_of(user)
        if scope.level in ("all", "region"):
            return self.regions
        if scope.level == "municipality":
            return frozenset(Municipality.objects.filter(pk=scope.pk).values_list("region__code", flat=True))
        if scope.level == "organisation":
            return frozenset(Organisation.objects.filter(pk=scope.pk)
                             .values_list("municipality__region__code", flat=True))
        return frozenset()


def require_scope(user) -> None:
    if scope_of(user).is_none:
        raise HttpError(403, "У учётной записи нет области доступа.")


def require(user, action: Action, message: str) -> None:
    if not can(user, action):
        raise HttpError(403, message)
