"""Thresholds of every detection rule, each with its default and the source it comes from.

The defaults live here; a region overrides any of them with `detection.yaml` in the workspace root
(same nesting as the models below). Every threshold carries `source` in its JSON schema, and
`threshold_table()` lists them for the Russian documentation (`docs/detection.ru.md`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from msoko.core.issues import Issue
from msoko.core.settings_file import load_settings

FIOKO = (
    "признак — публичная методика ФИОКО/Рособрнадзора выявления необъективных результатов ВПР; "
    "числовое значение — принято в msoko и проверено на синтетическом регионе (docs/decisions/0006-detection.md)"
)
DOMAIN = "docs/domain.md: осторожность при группах менее ~20–50 участников"
LOCAL = "принято в msoko (docs/decisions/0006-detection.md), настраивается регионом"
SEED004 = "seed 004 (Шаранский район): «самые низкие результаты ЕГЭ, ОГЭ и ВПР за последние 2 года (математика и русский язык)»"
SEED004_SOCIAL = "seed 004: переменные индекса социального благополучия (ОДН/КДН, мигранты, неаттестованные, пропуски, отдалённость, малокомплектность, инфраструктура, интернет, вакансии); веса — msoko"
SEED004_CLUSTER = "seed 004: ШНОР — школы, которые «в течение продолжительного периода» показывают результаты «хуже, чем все школы в кластере»"
SEED004_LONG = "seed 004: «в течение продолжительного периода»; 3 года — цикл программы Шаранского района; msoko"
FEDERAL = "федеральное правило ФИОКО/Рособрнадзора для школ с рисками низких результатов: ≥ 30 % «2» в двух процедурах за год или в одной два года подряд"
PROJECT500 = "проект адресной методической помощи «500+», 10 факторов риска (ФИОКО, 2021)"


def T(default, source: str, description: str):  # noqa: N802 — reads as a declaration
    return Field(default, description=description, json_schema_extra={"source": source})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GroupConfig(_Model):
    min_participants: int = T(20, DOMAIN, "меньше участников в группе — «недостаточно данных», признаки не ставятся")


class JournalConfig(_Model):
    raised_excess: float = T(0.15, FIOKO, "доля «повысили» (отметка ВПР выше журнальной) выше региональной не менее чем на …")
    gap2_excess: float = T(0.10, FIOKO, "доля расхождений на 2 балла и более выше региональной не менее чем на …")
    min_z: float = T(3.0, LOCAL, "минимальная статистическая значимость превышения (z биномиального критерия)")


class PeaksConfig(_Model):
    at_width: int = T(2, FIOKO, "окно «на границе и чуть выше»: граничный балл и следующие за ним (баллов)")
    below_width: int = T(2, FIOKO, "окно «чуть ниже границы» (баллов)")
    excess: float = T(0.25, LOCAL, "доля окна «на границе и выше» среди участников обоих окон выше региональной не менее чем на …")
    min_window: int = T(10, LOCAL, "минимум участников в окнах около границ")
    min_z: float = T(3.0, LOCAL, "минимальная значимость (z)")


class ConfirmationConfig(_Model):
    high_effect: float = T(0.3, FIOKO, "ВПР считается высоким, если средний стандартизованный балл школы выше регионального на … σ")
    drop: float = T(0.6, FIOKO, "подтверждающая процедура ниже результата ВПР не менее чем на … σ")
    years_after: int = T(2, LOCAL, "ОГЭ/ЕГЭ ищутся в том же году и не позже чем через … лет")
    min_participants: int = T(10, LOCAL, "минимум участников подтверждающей процедуры")
    subjects: dict[str, list[str]] = T(
        {"Математика": ["Математика", "Математика (профильная)", "Математика (базовая)"]},
        LOCAL,
        "соответствие предметов ВПР предметам ГИА (по умолчанию — одноимённые)",
    )


class TasksConfig(_Model):
    basic_below: float = T(0.0, FIOKO, "выполнение заданий базового уровня (Б) ниже регионального не менее чем на …")
    advanced_above: float = T(0.05, FIOKO, "выполнение заданий повышенного уровня (П) выше регионального не менее чем на …")
    divergence: float = T(0.12, LOCAL, "разность (П − регион) − (Б − регион) не менее …")


class JumpConfig(_Model):
    min_jump: float = T(0.5, LOCAL, "рост среднего стандартизованного балла против собственной истории школы не менее … σ")
    min_z: float = T(3.0, LOCAL, "минимальная значимость роста (z)")
    history_years: int = T(3, LOCAL, "сколько предыдущих лет составляют историю")


class RepeatedConfig(_Model):
    window_years: int = T(2, FIOKO, "признаки в каком-либо из … предыдущих лет")


class CombinationConfig(_Model):
    min_signs: int = T(2, FIOKO, "группа отмечается, когда сработало не менее … признаков (повторность считается признаком)")


class ObjectivityConfig(_Model):
    group: GroupConfig = GroupConfig()
    journal: JournalConfig = JournalConfig()
    peaks: PeaksConfig = PeaksConfig()
    confirmation: ConfirmationConfig = ConfirmationConfig()
    tasks: TasksConfig = TasksConfig()
    jump: JumpConfig = JumpConfig()
    repeated: RepeatedConfig = RepeatedConfig()
    combination: CombinationConfig = CombinationConfig()


class SocialVariable(_Model):
    name: str
    per: Literal["students", "teachers", "none"] = "students"
    direction: Literal["adverse", "favourable"] = "adverse"
    weight: float = 1.0


DEFAULT_SOCIAL_VARIABLES = [
    SocialVariable(name="pdn_kdn"),
    SocialVariable(name="migrant_or_low_russian"),
    SocialVariable(name="not_attested"),
    SocialVariable(name="chronic_absence"),
    SocialVariable(name="ovz", weight=0.5),
    SocialVariable(name="remote", per="none", weight=0.5),
    SocialVariable(name="small_school", per="none", weight=0.5),
    SocialVariable(name="infra_deficit", per="none", weight=0.5),
    SocialVariable(name="internet_deficit", per="none", weight=0.5),
    SocialVariable(name="staff_vacancies", per="teachers"),
]


class SocialConfig(_Model):
    variables: list[SocialVariable] = T(DEFAULT_SOCIAL_VARIABLES, SEED004_SOCIAL, "переменные индекса социального благополучия")
    shrinkage: bool = T(True, LOCAL, "сжимать доли малых школ к среднему по надёжности (эмпирический Байес)")
    normalisation: Literal["minmax", "rank"] = T("rank", LOCAL, "нормировка переменных по региону за год")
    mode: Literal["share", "threshold"] = T("share", LOCAL, "как составляется список ШНСУ")
    share: float = T(0.10, LOCAL, "доля школ региона с самым низким индексом, попадающих в список ШНСУ")
    threshold: float = T(40.0, LOCAL, "порог индекса (0–100) при mode = threshold")


class FederalConfig(_Model):
    share_below: float = T(0.30, FEDERAL, "доля участников ниже границы «3» (не преодолевших минимум)")
    procedures_in_year: int = T(2, FEDERAL, "число процедур одного года")
    consecutive_years: int = T(2, FEDERAL, "одна и та же процедура подряд лет")
    min_participants: int = T(5, LOCAL, "процедура учитывается при числе участников не менее …")
    subjects: list[str] = T([], LOCAL, "учитывать только эти предметы (пусто — все предметы всех процедур)")


class ClusterConfig(_Model):
    bands: int = T(2, LOCAL, "число полос индекса социального благополучия (квантили по региону)")
    split_by_locality: bool = T(False, LOCAL, "делить полосы на город/село")
    min_size: int = T(10, LOCAL, "кластер меньше … школ сливается с полосой без деления город/село")
    subjects: list[str] = T(["Русский язык", "Математика"], SEED004, "предметы показателей результата")
    indicators: list[str] = T(
        ["vpr_effect", "vpr_share_2", "gia_effect", "gia_below_min"], SEED004, "показатели результата"
    )
    min_participants: int = T(10, LOCAL, "школа участвует в сравнении при числе участников (ВПР + ГИА) не менее …")
    shrinkage: bool = T(True, LOCAL, "сжимать показатели малых школ к среднему по надёжности (эмпирический Байес)")
    bottom_share: float = T(0.20, LOCAL, "«низ кластера»: доля школ кластера с худшим сводным результатом")
    min_gap: float = T(0.0, LOCAL, "и ниже медианы кластера не менее чем на … σ сводного результата")
    region_bottom_share: float = T(0.10, SEED004, "«самые низкие результаты» по региону: доля худших школ региона")
    persistence: Literal["each_year", "mean"] = T(
        "each_year", LOCAL, "«устойчиво внизу»: каждый год (each_year) или по среднему за годы (mean)")
    years: int = T(3, LOCAL, "окно лет, в каждом из которых (при наличии данных) школа должна быть внизу")
    min_years: int = T(2, SEED004, "минимум лет с данными в окне («за последние 2 года»)")


class StandingConfig(_Model):
    subjects: list[str] = T(["Русский язык", "Математика"], SEED004, "предметы ВПР, ОГЭ и ЕГЭ, по которым оценивается положение школы")
    years: int = T(3, SEED004_LONG, "окно лет, за которое усредняется результат школы (список года Y — годы Y − … + 1 … Y)")
    min_years: int = T(2, SEED004, "минимум лет с результатами в окне («за последние 2 года»)")
    min_participants: int = T(10, LOCAL, "минимум участников (все работы по предметам за окно), чтобы школа оценивалась")
    locality: bool = T(True, LOCAL, "ожидаемый результат учитывает город/село реестра, кроме индекса благополучия")
    exclude_advanced: bool = T(True, LOCAL, "линия ожидаемого результата строится без лицеев/гимназий/школ с углублённым изучением")
    shrinkage: bool = T(True, LOCAL, "сжимать отклонение малых школ по надёжности (эмпирический Байес)")
    exclude_flagged: bool = T(True, "seed 004: работа с ШНОР требует данных «с высокой степенью объективности»; необъективные ВПР — «некорректное оценивание»; msoko", "не учитывать группы ВПР, отмеченные по признакам необъективности (ОГЭ/ЕГЭ и неотмеченные ВПР школы учитываются)")
    threshold_sd: float = T(1.1, LOCAL + "; выбрано на синтетических регионах 11–20 — настроечных, не контрольных: ближе всего к обеим целям (benchmarks/detection/README.md)", "низкое положение: сжатое отклонение от ожидаемого ниже −… стандартных отклонений между школами")


class ValueAddedConfig(_Model):
    interval_z: float = T(1.96, LOCAL, "ширина интервала ожидаемого результата (в σ остатка, 95 %)")


Reason = Literal["low_standing", "cluster_bottom", "region_bottom", "federal_risk", "below_expected"]


class ShnorConfig(_Model):
    all_of: list[Reason] = T(["low_standing"], SEED004_CLUSTER,
                             "школа в списке ШНОР, когда выполнены все эти основания …")
    any_of: list[Reason] = T([], LOCAL, "… или любое из этих")


class RiskProfileConfig(_Model):
    quantile: float = T(0.75, PROJECT500, "фактор риска отмечается, когда показатель школы в худшей четверти региона")


class DetectionConfig(_Model):
    objectivity: ObjectivityConfig = ObjectivityConfig()
    social: SocialConfig = SocialConfig()
    federal: FederalConfig = FederalConfig()
    clusters: ClusterConfig = ClusterConfig()
    standing: StandingConfig = StandingConfig()
    value_added: ValueAddedConfig = ValueAddedConfig()
    shnor: ShnorConfig = ShnorConfig()
    risk_profile: RiskProfileConfig = RiskProfileConfig()

    @classmethod
    def load(cls, path: Path | None) -> tuple[DetectionConfig | None, list[Issue]]:
        """Defaults, overridden by the YAML file when it exists; a broken file gives located issues."""
        return load_settings(cls, path)


def threshold_table(model: type[BaseModel] = DetectionConfig, prefix: str = "") -> list[tuple[str, object, str, str]]:
    """(dotted name, default, description, source) for every threshold, for the docs."""
    rows: list[tuple[str, object, str, str]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation is not SocialVariable:
            rows.extend(threshold_table(annotation, f"{prefix}{name}."))
            continue
        extra = field.json_schema_extra or {}
        source = extra.get("source", "") if isinstance(extra, dict) else ""
        default = field.default
        if isinstance(default, list) and default and isinstance(default[0], BaseModel):
            default = ", ".join(f"{v.name}×{v.weight:g}" for v in default)
        rows.append((prefix + name, default, field.description or "", source))
    return rows
