"""Applying a profile: rows of a foreign file → string frame in canonical columns (+ warnings, registry)."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import re
import tempfile
from pathlib import Path

import polars as pl

from msoko.core.issues import Issue
from msoko.ingest.canonical import SPECS, Spec
from msoko.ingest.frames import LINE
from msoko.ingest.prepared import Prepared
from msoko.ingest.profiles.model import Profile, Source, load_profile
from msoko.ingest.registry_store import harmonise_names, name_key
from msoko.ingest.tabular import MAX_TEXT_BYTES, read_grid

MAX_WARNINGS_PER_CHECK = 50
DATE_LIKE = re.compile(r"^(0\d)[.,](\d\d)$|^\d{4}-\d\d-\d\d(?:[ T].*)?$|^\d\d?\.\d\d?\.\d{2,4}$")


def _norm(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").replace('"', "").split()).casefold()


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    value = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------- loading


def _load_rows(
    path: Path, name: str, profile: Profile
) -> tuple[list[tuple[int, list[str]]] | None, list[Issue]]:
    with path.open("rb") as handle:
        magic = handle.read(2)
    if magic == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as handle:
                data = handle.read(MAX_TEXT_BYTES + 1)
        except (OSError, EOFError) as exc:
            return None, [Issue.error(f"сжатый файл (gzip) повреждён: {exc}", file=name)]
        if len(data) > MAX_TEXT_BYTES:
            return None, [Issue.error("распакованный файл слишком велик", file=name)]
        with tempfile.TemporaryDirectory() as tmp:
            inner = Path(tmp) / (name[:-3] if name.endswith(".gz") else name)
            inner.write_bytes(data)
            return _load_rows(inner, name, profile)
    fmt = profile.read.format
    if fmt == "json" or (fmt == "auto" and path.suffix.lower() == ".json"):
        return _json_rows(path, name)
    grid, issues = read_grid(
        path,
        name=name,
        delimiter=profile.read.delimiter,
        encoding=profile.read.encoding,
        sheet=profile.read.sheet,
    )
    if grid is None:
        return None, issues
    return grid.rows[profile.read.skip_rows :], issues


def _json_rows(path: Path, name: str) -> tuple[list[tuple[int, list[str]]] | None, list[Issue]]:
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_TEXT_BYTES:
            return None, [Issue.error("файл JSON слишком велик", file=name)]
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        return None, [Issue.error(f"файл JSON не читается: {exc}", file=name, row=line)]
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list) or not data:
        return None, [Issue.error("файл JSON пуст или не является списком записей", file=name)]
    keys: list[str] = []
    for record in data:
        if isinstance(record, dict):
            keys.extend(k for k in record if k not in keys)
    if not keys:
        return None, [Issue.error("в файле JSON нет записей-объектов", file=name)]

    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    rows = [(0, keys)]
    for index, record in enumerate(data, start=1):
        if isinstance(record, dict):
            rows.append((index, [text(record.get(k)) for k in keys]))
    return rows, []


def _header(rows: list[tuple[int, list[str]]], profile: Profile) -> tuple[int, int, list[str]] | None:
    """(index of the first header row, number of header rows, combined column names)."""
    start = None
    finder = re.compile(profile.read.header.find, re.I) if profile.read.header.find else None
    for index, (_, cells) in enumerate(rows[:100]):
        if finder is None and any(c.strip() for c in cells):
            start = index
            break
        if finder is not None and any(finder.search(_norm(c)) for c in cells):
            start = index
            break
    if start is None:
        return None
    if profile.read.header.rows == "auto":
        count = 1
        while start + count < len(rows):
            cells = rows[start + count][1]
            if cells and not cells[0].replace("\ufeff", "").strip() and any(c.strip() for c in cells):
                count += 1
            else:
                break
    else:
        count = profile.read.header.rows
    layers = [list(rows[start + i][1]) for i in range(count)]
    width = max(len(layer) for layer in layers)
    for i, layer in enumerate(layers):
        layer.extend([""] * (width - len(layer)))
        if i < count - 1:  # group labels span the blank cells to their right
            for j in range(1, width):
                if not layer[j].strip() and layer[j - 1].strip() and j >= _first_group(layers[-1]):
                    layer[j] = layer[j - 1]
    names = []
    for j in range(width):
        parts = [" ".join(layer[j].replace("\ufeff", "").replace('"', "").split()) for layer in layers]
        names.append(" ".join(p for p in parts if p))
    return start, count, names


def _first_group(leaf: list[str]) -> int:
    """Position of the first leaf label: group labels are only spread from there on."""
    for j, cell in enumerate(leaf):
        if cell.strip():
            return j
    return 0


# --------------------------------------------------------------------------------------------- values


def _pick_column(source: Source, names: list[str]) -> int | None:
    norm = [_norm(n) for n in names]
    for wanted in source.columns:
        if _norm(wanted) in norm:
            return norm.index(_norm(wanted))
    if source.pattern:
        regex = re.compile(source.pattern, re.I)
        for j, n in enumerate(names):
            if regex.search(n):
                return j
    return None


def _transform(source: Source, raw: str | None) -> str | None:
    if raw is None:
        return None if source.default is None else str(source.default)
    text = raw.strip()
    if source.regex:
        match = re.search(source.regex, text)
        text = (match.group(1) if match.groups() else match.group(0)) if match else ""
    if source.map:
        lowered = {k.casefold(): v for k, v in source.map.items()}
        text = lowered.get(text.casefold(), text)
    if text == "" and source.default is not None:
        text = str(source.default)
    return text


def _raw(cells: list[str], positions: dict[str, int | None], target: str) -> str:
    """The cell a canonical column is read from, as written ('' when the file has no such column)."""
    position = positions.get(target)
    return cells[position].strip() if position is not None and position < len(cells) else ""


def _org_id(profile: Profile, raw: str) -> str:
    text = raw.strip()
    for rule in profile.org_id.normalise:
        text = re.sub(rule.pattern, rule.replace, text)
    if profile.org_id.hash_prefix is not None:
        key = " ".join(text.replace("«", '"').replace("»", '"').split()).casefold()
        return profile.org_id.hash_prefix + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]  # noqa: S324
    return profile.org_id.prefix + text if text else ""


# --------------------------------------------------------------------------------------------- apply


@dataclasses.dataclass
class _Measure:
    column: int
    written: str
    subject: str
    measure: str
    max_score: str | None = None  # the scale's maximum its header states (WideToLong.scale)

    @property
    def key(self) -> str:
        """The subject as compared across columns: case, spaces and hyphens ignored."""
        return "".join(self.subject.replace("-", " ").split()).casefold()


def _unpaired(
    profile: Profile,
    measures: list[_Measure],
    subject_of: dict[str, str],
    data: list[tuple[int, list[str]]],
    name: str,
    header_line: int | None,
) -> list[Issue]:
    """A located warning for each subject that has a count column without its mean (or the reverse) while
    the profile declares both: those results would otherwise be lost without a word."""
    if profile.wide_to_long is None:
        return []
    declared = set(profile.wide_to_long.measures)
    pair = {"participants", "mean_score"}
    if not pair <= declared:
        return []
    by_key: dict[str, dict[str, _Measure]] = {}
    for m in measures:
        by_key.setdefault(m.key, {})[m.measure] = m
    issues = []
    for key, found in by_key.items():
        missing = pair - set(found)
        if not missing or len(missing) == 2:
            continue
        present = found[next(iter(pair - missing))]
        counted = found.get("participants")
        pupils = 0
        if counted is not None:
            pupils = int(
                sum(_number(cells[counted.column] if counted.column < len(cells) else "") or 0 for _, cells in data)
            )
        rows = sum(1 for _, cells in data if present.column < len(cells) and cells[present.column].strip())
        what = "среднего балла" if "mean_score" in missing else "числа участников"
        affected = f"затронуто участников: {pupils}" if counted is not None else f"затронуто строк: {rows}"
        issues.append(
            Issue.warning(
                f"для предмета «{subject_of[key]}» есть столбец «{present.written}», но нет парного столбца "
                f"{what} (профиль «{profile.name}»); {affected} — их результаты загружены неполными. "
                "Проверьте заголовок файла или шаблоны wide_to_long профиля",
                file=name,
                row=header_line,
                column=present.written,
            )
        )
    return issues


def prepare_with_profile(
    path: Path, name: str, profile_spec, kind: str
) -> tuple[Prepared | None, list[Issue]]:
    profile, issues = load_profile(profile_spec)
    if profile is None:
        return None, issues
    fits = kind == profile.dataset or (
        kind == "results" and profile.dataset in ("vpr", "gia", "results_by_org")
    )
    if not fits:
        return None, [
            Issue.error(
                f"профиль «{profile.name}» загружает набор «{profile.dataset}», а выбрана загрузка «{kind}»",
                file=name,
            )
        ]
    rows, issues = _load_rows(Path(path), name, profile)
    if rows is None:
        return None, issues
    found_header = _header(rows, profile)
    if found_header is None:
        return None, issues + [
            Issue.error(
                f"не найдена строка заголовка (профиль «{profile.name}» ищет ячейку «{profile.read.header.find}»)",
                file=name,
            )
        ]
    start, count, names = found_header
    header_line = rows[start][0]
    title_text = " ".join(c for _, cells in rows[:start] for c in cells if c.strip())
    data = [(line, cells) for line, cells in rows[start + count :] if any(c.strip() for c in cells)]

    spec = SPECS[profile.dataset]
    if profile.allow:
        spec = _allow(spec, profile.allow)
    sources = {**profile.columns, **profile.constants}
    positions: dict[str, int | None] = {}
    constant: dict[str, str | None] = {}
    for target, source in sources.items():
        if source.columns or source.pattern:
            positions[target] = _pick_column(source, names)
            if positions[target] is None and source.required and source.default is None:
                wanted = ", ".join(f"«{c}»" for c in source.columns) or f"по шаблону «{source.pattern}»"
                issues.append(
                    Issue.error(
                        f"нет столбца {wanted} для поля «{target}» (профиль «{profile.name}»)",
                        file=name,
                        row=header_line,
                        column=source.columns[0] if source.columns else None,
                    )
                )
        elif source.filename:
            constant[target] = _transform(source, name)
        elif source.title:
            constant[target] = _transform(source, title_text)
        else:
            constant[target] = _transform(source, None if source.value is None else str(source.value))
        if target in constant and not constant[target] and source.required:
            issues.append(
                Issue.error(
                    f"не удалось определить «{target}» из {'имени файла' if source.filename else 'заголовка'} "
                    f"(профиль «{profile.name}»)",
                    file=name,
                )
            )
    measures = _measures(profile, names, positions) if profile.wide_to_long else []
    if profile.wide_to_long and not measures:
        issues.append(
            Issue.error(
                f"не найдено ни одного столбца с результатами по предметам (профиль «{profile.name}»)",
                file=name,
                row=header_line,
            )
        )
    if any(issue.is_error for issue in issues):
        return None, issues
    # one subject per key (case and spacing ignored: «БЕЛ-уч» pairs with «бел», «ИТ(ПП) З» with «ИТ(ПП)З»),
    # shown as first written
    subject_of: dict[str, str] = {}
    for m in measures:
        subject_of.setdefault(m.key, m.subject)

    records: list[dict[str, str | None]] = []
    written: list[dict[str, str]] = []
    registry: dict[str, dict] = {}
    skipped_no_org: list[int] = []
    codes_seen: dict[str, tuple[str, int]] = {}  # normalised code → (code as written, first line)
    collisions: list[Issue] = []
    skipped_no_participant: list[int] = []
    skip_rules = [(rule, re.compile(rule.pattern)) for rule in profile.skip]
    skipped_by_rule: dict[str, list[int]] = {rule.reason: [] for rule in profile.skip}
    for line, cells in data:
        rule = next((r for r in skip_rules if r[1].search(_raw(cells, positions, r[0].column))), None)
        if rule is not None:
            skipped_by_rule[rule[0].reason].append(line)
            continue
        base: dict[str, str | None] = {LINE: line}  # type: ignore[dict-item]
        for target, position in positions.items():
            raw = cells[position] if position is not None and position < len(cells) else None
            base[target] = _transform(sources[target], raw)
        base.update(constant)
        if "org_id" in base and base["org_id"] is not None:
            raw_code = base["org_id"].strip()
            base["org_id"] = _org_id(profile, raw_code)
            # two codes written differently (beyond spaces) must not become one: «100-2» is not «1002».
            # Names hashed into codes (hash_prefix) are meant to join spellings, so they are not checked.
            written_code = "".join(raw_code.split())
            seen = (
                codes_seen.setdefault(base["org_id"], (written_code, line))
                if base["org_id"] and profile.org_id.hash_prefix is None
                else None
            )
            if seen is not None and seen[0] != written_code and len(collisions) < 20:
                collisions.append(
                    Issue.error(
                        f"коды организаций «{seen[0]}» (строка {seen[1]}) и «{raw_code}» после нормализации "
                        f"профиля «{profile.name}» совпадают («{base['org_id']}»): две школы слились бы в одну; "
                        "уточните правила org_id.normalise",
                        file=name,
                        row=line,
                        column=_written(profile, names, positions, "org_id"),
                    )
                )
        if "org_id" in base and not base.get("org_id"):
            skipped_no_org.append(line)
            continue
        if "participant" in base and not (base.get("participant") or "").strip():
            skipped_no_participant.append(line)
            continue
        if profile.registry is not None:
            _derive(profile, base, cells, names, registry)
        if not measures:
            records.append(base)
            written.append({t: names[p] for t, p in positions.items() if p is not None})
            continue
        by_subject: dict[str, dict[str, str | None]] = {}
        columns_of: dict[str, dict[str, str]] = {}
        for m in measures:
            value = cells[m.column].strip() if m.column < len(cells) else ""
            by_subject.setdefault(subject_of[m.key], {})[m.measure] = value
            columns_of.setdefault(subject_of[m.key], {})[m.measure] = m.written
            if m.max_score is not None:
                by_subject[subject_of[m.key]]["max_score"] = m.max_score
                columns_of[subject_of[m.key]]["max_score"] = m.written
        for subject, values in by_subject.items():
            gate = profile.wide_to_long.skip_when_empty if profile.wide_to_long else None
            if gate is not None and (_number(values.get(gate)) in (None, 0.0)):
                continue
            if gate is None and not any(v for v in values.values()):
                continue
            record = {**base, "subject": subject, **values}
            records.append(record)
            written.append(
                {**{t: names[p] for t, p in positions.items() if p is not None}, **columns_of[subject]}
            )
    if skipped_no_org:
        issues.append(
            Issue.warning(
                f"строк без кода организации пропущено: {len(skipped_no_org)} (первая — строка {skipped_no_org[0]}); "
                "обычно это итоговые строки",
                file=name,
                row=skipped_no_org[0],
            )
        )
    for rule in profile.skip:
        lines = skipped_by_rule[rule.reason]
        if lines:
            issues.append(Issue.warning(
                f"строк пропущено по правилу профиля «{profile.name}»: {len(lines)} (первая — строка {lines[0]}): "
                f"{rule.reason}", file=name, row=lines[0], column=_written(profile, names, positions, rule.column)))
    if skipped_no_participant:
        lines = ", ".join(str(n) for n in skipped_no_participant[:10])
        issues.append(
            Issue.warning(
                f"строк без кода участника пропущено: {len(skipped_no_participant)} (строки {lines}"
                f"{' …' if len(skipped_no_participant) > 10 else ''}); их результаты не загружены",
                file=name,
                row=skipped_no_participant[0],
                column=_written(profile, names, positions, "participant"),
            )
        )
    for target, mapping in profile.values.items():
        lowered = {k.casefold(): v for k, v in mapping.items()}
        for record in records:
            value = record.get(target)
            if value is not None:
                record[target] = lowered.get(value.strip().casefold(), value)
    issues += collisions
    issues += _unpaired(profile, measures, subject_of, data, name, header_line)
    issues += _checks(profile, records, written, name)
    issues += _round(profile, records, name)
    for target, (numerator, denominator) in profile.ratios.items():
        for record in records:
            top, bottom = _number(record.get(numerator)), _number(record.get(denominator))
            record[target] = None if top is None or not bottom else repr(top / bottom)

    columns = sorted(
        {k for record in records for k in record if k != LINE}, key=lambda c: (c not in spec_names(spec), c)
    )
    frame = pl.DataFrame(
        {
            **{c: pl.Series(c, [r.get(c) for r in records], dtype=pl.String) for c in columns},
            LINE: pl.Series(LINE, [r[LINE] for r in records], dtype=pl.Int64),
        }
    )
    canonical = spec_names(spec)
    found = {c: c for c in columns if c in canonical}
    extras = [
        c
        for c in columns
        if c not in canonical
        and (c in profile.columns or c in profile.ratios or c in {m.measure for m in measures})
    ]
    if spec.extras != "numeric":
        extras = []
    prepared = Prepared(
        spec=spec,
        file=name,
        header_line=header_line,
        found=found,
        extras=extras,
        frames=iter([frame] if frame.height else []),
        registry_rows=harmonise_names(list(registry.values())) if profile.registry is not None else None,
        profile=profile.name,
        header=names,
        grid_rows=rows,  # the name screen checks every cell, also of columns the profile does not read
    )
    return prepared, issues


def spec_names(spec: Spec) -> set[str]:
    return {c.name for c in spec.columns}


def _allow(spec: Spec, allow: dict[str, list[str]]) -> Spec:
    columns = []
    for col in spec.columns:
        if col.name in allow and col.allowed is not None:
            col = dataclasses.replace(col, allowed=tuple(col.allowed) + tuple(allow[col.name]))
        columns.append(col)
    return dataclasses.replace(spec, columns=tuple(columns))


def _measures(profile: Profile, names: list[str], positions: dict[str, int | None]) -> list[_Measure]:
    assert profile.wide_to_long is not None
    used = {p for p in positions.values() if p is not None}
    if profile.registry is not None:
        reg = profile.registry
        for source in (reg.name, reg.municipality_name, reg.region_name, reg.municipality_id, reg.region_id):
            if source is not None and (source.columns or source.pattern):
                position = _pick_column(source, names)
                if position is not None:
                    used.add(position)
        if reg.locality is not None:
            position = _pick_column(Source(column=reg.locality.column), names)
            if position is not None:
                used.add(position)
    cleanup = [re.compile(c, re.I) for c in profile.wide_to_long.cleanup]
    skip = {s.casefold() for s in profile.wide_to_long.skip_subjects}
    compiled = {m: [re.compile(p, re.I) for p in ps] for m, ps in profile.wide_to_long.measures.items()}
    scale = re.compile(profile.wide_to_long.scale, re.I) if profile.wide_to_long.scale else None
    found = []
    for j, column in enumerate(names):
        if j in used or not column:
            continue
        stated = scale.search(column) if scale is not None else None
        text = column
        for regex in cleanup:
            text = regex.sub("", text)
        text = " ".join(text.split())
        for measure, patterns in compiled.items():
            match = next((m for m in (p.fullmatch(text) for p in patterns) if m), None)
            if match:
                subject = " ".join(match["subject"].split()).strip(" -")
                if subject and subject.casefold() not in skip:
                    found.append(_Measure(j, column, subject, measure, stated["max"] if stated else None))
                break
    return found


def _derive(profile: Profile, base: dict, cells: list[str], names: list[str], registry: dict) -> None:
    reg = profile.registry
    assert reg is not None
    org = base.get("org_id")
    if not org or org in registry:
        return

    def value(source: Source | None) -> str | None:
        if source is None:
            return None
        if source.columns or source.pattern:
            position = _pick_column(source, names)
            raw = cells[position] if position is not None and position < len(cells) else None
            return _transform(source, raw)
        return _transform(source, None if source.value is None else str(source.value))

    region_name = value(reg.region_name) or ""
    municipality_name = value(reg.municipality_name) or ""
    locality = None
    if reg.locality is not None:
        position = _pick_column(Source(column=reg.locality.column), names)
        text = cells[position].strip() if position is not None and position < len(cells) else ""
        for rule in reg.locality.rules:
            if re.search(rule.get("pattern", "$^"), text, re.I):
                locality = rule.get("value")
                break
    registry[org] = {
        "org_id": org,
        "name": value(reg.name) or org,
        "kind": reg.kind,
        # derived ids are the names' identity (case, spacing, ё/е ignored): «ДОБРИЧ» and «Добрич» are one
        "municipality_id": value(reg.municipality_id) or f"{name_key(region_name)}/{name_key(municipality_name)}",
        "municipality_name": municipality_name,
        "region_id": value(reg.region_id) or name_key(region_name),
        "region_name": region_name,
        "locality": locality,
        "small_school": None,
        "remote": None,
        "advanced": None,
        "correctional": None,
        "students": None,
        "teachers": None,
    }


def _written(profile: Profile, names: list[str], positions: dict, target: str) -> str | None:
    position = positions.get(target)
    return names[position] if position is not None else None


def _round(profile: Profile, records: list[dict], name: str) -> list[Issue]:
    """Round the listed columns to integers (half up); say so once per column if anything changed."""
    issues = []
    for column in profile.round:
        changed = 0
        for record in records:
            number = _number(record.get(column))
            if number is None:
                continue
            rounded = int(number + 0.5) if number >= 0 else -int(-number + 0.5)
            if rounded != number:
                changed += 1
            record[column] = str(rounded)
        if changed:
            issues.append(
                Issue.warning(
                    f"дробные значения «{column}» округлены до целых (профиль «{profile.name}»): {changed}",
                    file=name,
                    column=column,
                )
            )
    return issues


def _checks(profile: Profile, records: list[dict], written: list[dict], name: str) -> list[Issue]:
    issues: list[Issue] = []
    for check in profile.checks:
        hits = 0
        for record, columns in zip(records, written, strict=True):
            if any(record.get(k) != v for k, v in check.when.items()):
                continue
            value = record.get(check.column)
            if value is None or value.strip() == "":
                continue
            column = columns.get(check.column, check.column)
            line = record[LINE]
            problem = None
            if check.date_like:
                match = DATE_LIKE.match(value.strip())
                if match:
                    problem = check.message or (
                        f"значение «{value}» похоже на число, которое табличный редактор превратил в дату; "
                        "значение не загружено"
                    )
            if problem is None and check.equals is not None and _number(value) == check.equals:
                problem = check.message or f"недопустимое значение «{value}»; значение не загружено"
            if problem is None and (check.min is not None or check.max is not None):
                number = _number(value)
                if number is not None and (
                    (check.min is not None and number < check.min)
                    or (check.max is not None and number > check.max)
                ):
                    problem = check.message or (
                        f"невозможное значение «{value}»: допустимо от {check.min:g} до {check.max:g}; "
                        "значение не загружено"
                    )
            if problem:
                record[check.column] = None
                hits += 1
                if hits <= MAX_WARNINGS_PER_CHECK:
                    issues.append(Issue.warning(problem, file=name, row=line, column=column))
        if hits > MAX_WARNINGS_PER_CHECK:
            issues.append(
                Issue.warning(
                    f"всего таких значений в столбце «{check.column}»: {hits} (показаны первые {MAX_WARNINGS_PER_CHECK})",
                    file=name,
                    column=check.column,
                )
            )
    for order in profile.order:
        hits = 0
        for record, columns in zip(records, written, strict=True):
            numbers = [_number(record.get(c)) for c in order.columns]
            present = [(c, n) for c, n in zip(order.columns, numbers, strict=True) if n is not None]
            for (c1, n1), (c2, n2) in zip(present, present[1:], strict=False):
                if n1 > n2:
                    hits += 1
                    if hits <= MAX_WARNINGS_PER_CHECK:
                        issues.append(
                            Issue.warning(
                                order.message
                                or (
                                    f"невозможное сочетание: «{columns.get(c1, c1)}» = {n1:g} больше, "
                                    f"чем «{columns.get(c2, c2)}» = {n2:g}"
                                ),
                                file=name,
                                row=record[LINE],
                                column=columns.get(c1, c1),
                            )
                        )
                    break
    return issues
