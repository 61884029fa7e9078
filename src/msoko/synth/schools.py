"""Реестр синтетического региона: муниципалитеты, школы, детские сады, организации доп. образования.

The synthetic registry: municipalities of three kinds (a city district, a rural district, a remote rural
district), their schools with plausible Russian names and attributes, kindergartens and additional-
education organisations. Next to the public attributes each school carries latent traits the result
model uses (`effect`, `adversity`, the top grade it teaches, the size of a year group).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CITY, DISTRICT, REMOTE = "city", "district", "remote"

_CITY_NAMES = (
    "Северогорск",
    "Краснореченск",
    "Заводской",
    "Новоуральск",
    "Светлоград",
    "Приозёрск",
    "Каменногорск",
    "Верхнедонск",
    "Лесогорск",
    "Железногорск-Северный",
    "Южноморск",
    "Старореченск",
)
_DISTRICT_ROOTS = (
    "Берёзовск",
    "Сосновск",
    "Озёрск",
    "Каменск",
    "Никольск",
    "Покровск",
    "Троицк",
    "Успенск",
    "Михайловск",
    "Петровск",
    "Александровск",
    "Еловск",
    "Кедровск",
    "Луговск",
    "Ключевск",
    "Заречн",
    "Быстрянск",
    "Тополинск",
    "Ольховск",
    "Рябиновск",
    "Сухоложск",
    "Белоярск",
    "Черноречск",
    "Медведевск",
)
_VILLAGES = (
    "Берёзовская",
    "Ивановская",
    "Сосновская",
    "Никольская",
    "Покровская",
    "Троицкая",
    "Успенская",
    "Михайловская",
    "Петровская",
    "Александровская",
    "Еловская",
    "Кедровская",
    "Луговская",
    "Ключевская",
    "Заречная",
    "Быстрянская",
    "Тополинская",
    "Ольховская",
    "Рябиновская",
    "Белоярская",
    "Черноречская",
    "Медведевская",
    "Кузнецовская",
    "Воскресенская",
    "Знаменская",
    "Каменская",
    "Подгорная",
    "Боровская",
    "Краснополянская",
    "Озёрная",
    "Луговая",
    "Степная",
    "Студёновская",
    "Глубоковская",
    "Таёжная",
    "Дубровская",
    "Липовская",
    "Вязовская",
    "Полевская",
    "Ярская",
)
_KINDERGARTEN_NAMES = (
    "Солнышко",
    "Колокольчик",
    "Ромашка",
    "Теремок",
    "Берёзка",
    "Радуга",
    "Светлячок",
    "Золотой ключик",
    "Улыбка",
    "Сказка",
    "Малышок",
    "Журавушка",
    "Рябинка",
    "Аленький цветочек",
    "Ласточка",
    "Огонёк",
)
_ADDITIONAL_NAMES = (
    'МБУ ДО "Дом детского творчества"',
    'МБУ ДО "Детско-юношеская спортивная школа"',
    'МБУ ДО "Центр детского творчества"',
    'МБУ ДО "Детская школа искусств"',
    'МБУ ДО "Станция юных техников"',
    'МБУ ДО "Центр внешкольной работы"',
)


@dataclass
class Municipality:
    municipality_id: str
    name: str
    kind: str  # city / district / remote
    region_id: str
    region_name: str


@dataclass
class Schools:
    """Schools of one batch (a region or a municipality) as parallel arrays."""

    org_id: list[str]
    name: list[str]
    muni: np.ndarray  # index into the municipalities list
    uid: np.ndarray  # uint64, globally unique: the key of the pupils' hashed traits
    rural: np.ndarray
    small: np.ndarray
    remote: np.ndarray
    advanced: np.ndarray
    correctional: np.ndarray
    students: np.ndarray
    teachers: np.ndarray
    top_grade: np.ndarray  # 4 (НОШ), 9 (ООШ), 11 (СОШ)
    effect: np.ndarray  # school effect on the ability scale
    adversity: np.ndarray  # latent social adversity in [0, 1]; drives context and results
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.org_id)

    def year_group(self) -> np.ndarray:
        """Mean size of one year group (parallel class) in grades 1–9."""
        grades = np.where(self.top_grade >= 11, 9 + 2 * 0.55, self.top_grade).astype(np.float64)
        return self.students / grades


def municipality_names(rng: np.random.Generator, kinds: list[str], offset: int = 0) -> list[str]:
    names = []
    for k, kind in enumerate(kinds):
        if kind == CITY:
            base = _CITY_NAMES[(offset + k) % len(_CITY_NAMES)]
            names.append(f"Городской округ город {base}")
        else:
            root = _DISTRICT_ROOTS[(offset + k) % len(_DISTRICT_ROOTS)]
            word = "муниципальный округ" if kind == REMOTE else "муниципальный район"
            names.append(f"{root}ий {word}")
        lap = (offset + k) // (len(_CITY_NAMES) if kind == CITY else len(_DISTRICT_ROOTS))
        if lap:
            names[-1] += f" № {lap + 1}"
    return names


def _school_type(rng: np.random.Generator, kind: str, center: bool) -> str:
    if kind == CITY:
        return str(rng.choice(["soh", "lyceum", "gymnasium", "uip", "ooh"], p=[0.7, 0.1, 0.1, 0.06, 0.04]))
    if center:
        return str(rng.choice(["soh", "gymnasium"], p=[0.8, 0.2]))
    p = [0.5, 0.35, 0.15] if kind == DISTRICT else [0.4, 0.4, 0.2]
    return str(rng.choice(["soh", "ooh", "noh"], p=p))


def sample_schools(
    rng: np.random.Generator,
    munis: list[Municipality],
    counts: list[int],
    org_ids: list[str],
    uid_start: int,
    city_correctional: bool = True,
) -> Schools:
    """Draw `counts[m]` schools in each municipality `m`; ids are given (unique across the run)."""
    rows: list[dict] = []
    for m, (muni, n) in enumerate(zip(munis, counts, strict=True)):
        number = 0
        villages = list(rng.permutation(len(_VILLAGES)))
        for j in range(n):
            center = muni.kind != CITY and j < 2
            correctional = city_correctional and muni.kind == CITY and j == n - 1
            kind = "corr" if correctional else _school_type(rng, muni.kind, center)
            urban = muni.kind == CITY or center
            if urban:
                number += 1
                name = {
                    "soh": f'МБОУ "СОШ № {number}"',
                    "ooh": f'МБОУ "ООШ № {number}"',
                    "lyceum": f'МАОУ "Лицей № {number}"',
                    "gymnasium": f'МАОУ "Гимназия № {number}"',
                    "uip": f'МБОУ "СОШ № {number} с углублённым изучением отдельных предметов"',
                    "corr": f'МКОУ "Специальная (коррекционная) школа № {number}"',
                }[kind]
            else:
                village = _VILLAGES[villages[j % len(villages)]]
                suffix = f" {j // len(villages) + 1}" if j >= len(villages) else ""
                short = {"soh": "СОШ", "ooh": "ООШ", "noh": "НОШ"}[kind]
                name = f'МКОУ "{village}{suffix} {short}"'
            if kind in ("lyceum", "gymnasium", "uip"):
                students = rng.integers(650, 1400)
            elif kind == "corr":
                students = rng.integers(90, 220)
            elif urban:
                students = rng.integers(420, 1300)
            elif kind == "soh":
                students = rng.integers(60, 420)
            elif kind == "ooh":
                students = rng.integers(25, 160)
            else:
                students = rng.integers(8, 40)
            top = {"noh": 4, "ooh": 9}.get(kind, 11)
            small = int(not urban and students < 100)
            remote = int(not urban and (muni.kind == REMOTE or rng.random() < 0.15))
            advanced = int(kind in ("lyceum", "gymnasium", "uip"))
            base_adv = {CITY: 0.15, DISTRICT: 0.3, REMOTE: 0.42}[muni.kind] + (0.08 if not urban else 0.0)
            adversity = float(np.clip(rng.beta(2, 5) * 0.6 + base_adv - 0.12 - 0.15 * advanced, 0.0, 1.0))
            effect = float(rng.normal(0.0, 0.3) + 0.75 * advanced + 0.1 * urban)
            rows.append(
                dict(
                    name=name,
                    muni=m,
                    rural=int(not urban),
                    small=small,
                    remote=remote,
                    advanced=advanced,
                    correctional=int(correctional),
                    students=int(students),
                    teachers=int(max(4, round(students / rng.uniform(11, 16) + rng.integers(2, 6)))),
                    top_grade=top,
                    effect=effect,
                    adversity=adversity,
                )
            )
    n_total = len(rows)
    col = lambda key, dtype: np.array([r[key] for r in rows], dtype=dtype)  # noqa: E731
    return Schools(
        org_id=list(org_ids[:n_total]),
        name=[r["name"] for r in rows],
        muni=col("muni", np.int32),
        uid=np.arange(uid_start, uid_start + n_total, dtype=np.uint64),
        rural=col("rural", np.int8),
        small=col("small", np.int8),
        remote=col("remote", np.int8),
        advanced=col("advanced", np.int8),
        correctional=col("correctional", np.int8),
        students=col("students", np.int32),
        teachers=col("teachers", np.int32),
        top_grade=col("top_grade", np.int8),
        effect=col("effect", np.float64),
        adversity=col("adversity", np.float64),
    )


def other_organisations(
    rng: np.random.Generator, munis: list[Municipality], schools_per_muni: list[int], ids: IdMaker
) -> list[dict]:
    """Kindergartens (about one per school in towns, fewer in villages) and 2–4 additional-education orgs."""
    out = []
    for m, (muni, n) in enumerate(zip(munis, schools_per_muni, strict=True)):
        n_dou = max(1, int(round(n * (1.1 if muni.kind == CITY else 0.7))))
        for j in range(n_dou):
            title = _KINDERGARTEN_NAMES[j % len(_KINDERGARTEN_NAMES)]
            rural = muni.kind != CITY and j >= 2
            out.append(
                dict(
                    org_id=ids.next("dou"),
                    name=f'МБДОУ "Детский сад № {j + 1} «{title}»"',
                    kind="kindergarten",
                    muni=m,
                    locality="rural" if rural else "urban",
                    small_school=0,
                    remote=0,
                    advanced=0,
                    correctional=0,
                    students=int(rng.integers(30, 90) if rural else rng.integers(120, 320)),
                    teachers=int(rng.integers(4, 30)),
                )
            )
        for j in range(int(rng.integers(2, 5))):
            out.append(
                dict(
                    org_id=ids.next("udo"),
                    name=_ADDITIONAL_NAMES[j % len(_ADDITIONAL_NAMES)],
                    kind="additional",
                    muni=m,
                    locality="urban",
                    small_school=0,
                    remote=0,
                    advanced=0,
                    correctional=0,
                    students=int(rng.integers(300, 1500)),
                    teachers=int(rng.integers(10, 60)),
                )
            )
    return out


class IdMaker:
    """Unique organisation codes: `edu` + 6 digits for schools (the ФИС ОКО login form), `dou`/`udo` others."""

    def __init__(self, rng: np.random.Generator, capacity: int = 900_000):
        self._pool = {p: rng.permutation(capacity) + 100_000 for p in ("edu",)}
        self._next = {"edu": 0, "dou": 0, "udo": 0}
        self._rng = rng

    def next(self, prefix: str) -> str:
        k = self._next[prefix]
        self._next[prefix] = k + 1
        if prefix == "edu":
            return f"edu{int(self._pool['edu'][k])}"
        return f"{prefix}{100_001 + k}"

    def many(self, prefix: str, n: int) -> list[str]:
        return [self.next(prefix) for _ in range(n)]


ORG_COLUMNS = (
    "org_id",
    "name",
    "kind",
    "municipality_id",
    "municipality_name",
    "region_id",
    "region_name",
    "locality",
    "small_school",
    "remote",
    "advanced",
    "correctional",
    "students",
    "teachers",
)


def organisation_rows(munis: list[Municipality], schools: Schools, others: list[dict]) -> list[dict]:
    """Registry rows (columns `ORG_COLUMNS`), schools first, then the other organisations."""
    rows = []
    for i in range(len(schools)):
        muni = munis[int(schools.muni[i])]
        rows.append(
            dict(
                org_id=schools.org_id[i],
                name=schools.name[i],
                kind="school",
                municipality_id=muni.municipality_id,
                municipality_name=muni.name,
                region_id=muni.region_id,
                region_name=muni.region_name,
                locality="rural" if schools.rural[i] else "urban",
                small_school=int(schools.small[i]),
                remote=int(schools.remote[i]),
                advanced=int(schools.advanced[i]),
                correctional=int(schools.correctional[i]),
                students=int(schools.students[i]),
                teachers=int(schools.teachers[i]),
            )
        )
    for o in others:
        muni = munis[o["muni"]]
        row = {k: v for k, v in o.items() if k != "muni"}
        row.update(
            municipality_id=muni.municipality_id,
            municipality_name=muni.name,
            region_id=muni.region_id,
            region_name=muni.region_name,
        )
        rows.append({k: row[k] for k in ORG_COLUMNS})
    return rows
