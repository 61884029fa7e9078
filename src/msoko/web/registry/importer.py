"""Loading the registry file into the database: all or nothing.

The file is read and checked by `msoko.ingest.registry` (no database needed); here the rows are checked
against what the database already holds, then written in one transaction, which also publishes the
`organisations` dataset to the warehouse — the engine reads the hierarchy from there. Organisations
missing from a later file are kept (a registry file updates, it does not prune: history stays intact).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from auditlog.context import set_actor
from django.db import transaction

from msoko.core.issues import Issue, RejectedInput, has_errors
from msoko.core.workspace import Workspace
from msoko.ingest.registry import read_registry
from msoko.web.registry.models import Municipality, Organisation, Region


@dataclass(frozen=True)
class RegistryImportResult:
    created: int
    updated: int
    unchanged: int
    warnings: list[Issue]


def _check_against_database(rows: list[dict], file: str) -> list[Issue]:
    """A municipality already registered in another region cannot move by a file."""
    issues: list[Issue] = []
    known = dict(Municipality.objects.values_list("code", "region__code"))
    reported: set[str] = set()
    for row in rows:
        code = row["municipality_id"]
        if code in known and known[code] != row["region_id"] and code not in reported:
            reported.add(code)
            issues.append(
                Issue.error(
                    f"муниципалитет «{code}» уже относится к региону «{known[code]}», "
                    f"а в файле указан регион «{row['region_id']}»",
                    file=file,
                    row=row.get("_row"),
                    column="region_id",
                )
            )
    return issues


def _organisation_fields(row: dict, municipality: Municipality) -> dict:
    def flag(name):
        return None if row[name] is None else bool(row[name])

    return {
        "name": row["name"],
        "kind": row["kind"],
        "municipality": municipality,
        "locality": row["locality"] or "",
        "small_school": flag("small_school"),
        "remote": flag("remote"),
        "advanced": flag("advanced"),
        "correctional": flag("correctional"),
        "students": row["students"],
        "teachers": row["teachers"],
    }


def import_registry(path: Path, *, workspace: Workspace, actor=None, file_name: str | None = None) -> RegistryImportResult:
    """Validate and load a registry file; raises RejectedInput (nothing written) on any error."""
    file = file_name or Path(path).name
    rows, issues = read_registry(Path(path), name=file)
    if not has_errors(issues):
        issues += _check_against_database(rows, file)
    if has_errors(issues):
        raise RejectedInput(issues)

    created = updated = unchanged = 0
    with set_actor(actor), transaction.atomic():
        regions: dict[str, Region] = {}
        municipalities: dict[str, Municipality] = {}
        for row in rows:
            region = regions.get(row["region_id"])
            if region is None:
                region, _ = Region.objects.update_or_create(code=row["region_id"], defaults={"name": row["region_name"]})
                regions[region.code] = region
            municipality = municipalities.get(row["municipality_id"])
            if municipality is None:
                municipality, _ = Municipality.objects.update_or_create(
                    code=row["municipality_id"], defaults={"name": row["municipality_name"], "region": region}
                )
                municipalities[municipality.code] = municipality
            fields = _organisation_fields(row, municipality)
            organisation = Organisation.objects.filter(code=row["org_id"]).first()
            if organisation is None:
                Organisation.objects.create(code=row["org_id"], **fields)
                created += 1
            elif any(getattr(organisation, key) != value for key, value in fields.items()):
                for key, value in fields.items():
                    setattr(organisation, key, value)
                organisation.save()
                updated += 1
            else:
                unchanged += 1
        publish_registry(workspace)
    return RegistryImportResult(created, updated, unchanged, [issue for issue in issues if not issue.is_error])


def registry_rows() -> list[dict]:
    """The whole registry as canonical `organisations` rows (formats.md), for the warehouse."""
    def flag(value):
        return None if value is None else int(value)

    return [
        {
            "org_id": org.code,
            "name": org.name,
            "kind": org.kind,
            "municipality_id": org.municipality.code,
            "municipality_name": org.municipality.name,
            "region_id": org.municipality.region.code,
            "region_name": org.municipality.region.name,
            "locality": org.locality or None,
            "small_school": flag(org.small_school),
            "remote": flag(org.remote),
            "advanced": flag(org.advanced),
            "correctional": flag(org.correctional),
            "students": org.students,
            "teachers": org.teachers,
        }
        for org in Organisation.objects.select_related("municipality__region").order_by("code")
    ]


def publish_registry(workspace: Workspace) -> None:
    from msoko.ingest.registry_store import write_registry_dataset

    write_registry_dataset(workspace, registry_rows())


def upsert_derived_organisations(rows: list[dict]) -> int:
    """Add organisations an import profile derived from a results file (no registry file existed).

    Existing organisations are left as they are: a registry file is the authority on attributes. The
    warehouse already holds these rows (the import staged them); only the database is brought in step.
    """
    created = 0
    with transaction.atomic():
        for row in rows:
            if Organisation.objects.filter(code=row["org_id"]).exists():
                continue
            region, _ = Region.objects.get_or_create(code=row["region_id"], defaults={"name": row.get("region_name") or row["region_id"]})
            municipality, _ = Municipality.objects.get_or_create(
                code=row["municipality_id"],
                defaults={"name": row.get("municipality_name") or row["municipality_id"], "region": region},
            )
            Organisation.objects.create(
                code=row["org_id"],
                name=row.get("name") or row["org_id"],
                kind=row.get("kind") or "school",
                municipality=municipality,
                locality=row.get("locality") or "",
            )
            created += 1
    return created
