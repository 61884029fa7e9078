"""Forms of the cycle's stages, with Russian labels and errors. Choices come from the catalog (indicators,
datasets) and from the organisations the cycle may address."""

from __future__ import annotations

import re
from pathlib import Path

from django import forms

from msoko.engine.catalog.model import Catalog
from msoko.engine.datasets import BUILTIN
from msoko.web.cycle import uploads
from msoko.web.cycle.models import (
    Analysis,
    CollectionMethod,
    CycleIndicator,
    Decision,
    Document,
    EffectivenessReview,
    Goal,
    Measure,
    MonitoringEvent,
    Recommendation,
)
from msoko.web.dashboards.data import Snapshot

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})
ID_MIN, ID_MAX = -(2 ** 63), 2 ** 63 - 1  # what an id column holds (SQLite INTEGER, PostgreSQL bigint)


def _is_id(value) -> bool:
    try:
        return ID_MIN <= int(str(value).strip()) <= ID_MAX
    except ValueError:
        return False


class OrganisationChoiceField(forms.ModelChoiceField):
    """A choice of organisation whose posted id the database cannot hold (out of its integer range) is an
    invalid choice, not a database OverflowError (HTTP 500)."""

    def to_python(self, value):
        if value not in self.empty_values and not _is_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class OrganisationsChoiceField(forms.ModelMultipleChoiceField):
    """Several organisations: each posted id is checked as OrganisationChoiceField does."""

    def _check_values(self, value):
        for item in value or ():
            if not _is_id(item):
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                            params={"value": item})
        return super()._check_values(value)


def indicator_choices(snap: Snapshot, system: str | None = None) -> list[tuple[str, str]]:
    """Every catalog indicator: the system's first, then the other computed ones, then the rest;
    «есть данные» marks those with computed values."""
    computed = set(snap.computed)

    def label(code: str) -> str:
        ind = snap.indicators.get(code)
        name = ind.name if ind else code
        return f"{code} — {name}{' (есть данные)' if code in computed else ''}"

    own = [c for c, ind in snap.indicators.items() if system and ind.system == system]
    others = [c for c in snap.computed if c not in own]
    rest = [c for c in snap.indicators if c not in own and c not in others]
    return [(c, label(c)) for c in own + others + rest]


def dataset_choices(catalog: Catalog | None) -> list[tuple[str, str]]:
    out = [(spec.name, f"{spec.title} ({spec.name})") for spec in BUILTIN.values()]
    if catalog:
        out += [(d.name, f"{d.title} ({d.name})") for d in catalog.datasets if d.name not in BUILTIN]
    return out


class CycleCreateForm(forms.Form):
    system = forms.ChoiceField(label="Система")
    track = forms.ChoiceField(label="Трек", required=False)

    def __init__(self, *args, catalog: Catalog | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalog = catalog
        systems = catalog.systems if catalog else ()
        self.fields["system"].choices = [(s.code, f"{s.code} — {s.name}") for s in systems]
        tracks = [("", "вся система")]
        for s in systems:
            tracks += [(t.code, f"{s.code}: {t.name}") for t in s.tracks]
        self.fields["track"].choices = tracks

    def clean(self):
        data = super().clean()
        system, track = data.get("system"), data.get("track") or ""
        if system and track and self.catalog:
            found = self.catalog.system(system)
            if found is None or track not in {t.code for t in found.tracks}:
                self.add_error("track", "Этот трек не относится к выбранной системе.")
        data["track"] = track
        return data


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["text", "justification", "realism"]
        widgets = {"text": TEXT, "justification": TEXT, "realism": TEXT}


class CycleIndicatorForm(forms.ModelForm):
    indicator = forms.ChoiceField(label="Показатель из каталога")
    target = forms.DecimalField(label="Целевое значение (для долей — в процентах, например 12,5)",
                                max_digits=14, decimal_places=4, localize=True)

    class Meta:
        model = CycleIndicator
        fields = ["indicator", "year", "target"]

    def __init__(self, *args, snap: Snapshot, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.snap, self.cycle = snap, cycle
        self.fields["indicator"].choices = indicator_choices(snap, cycle.system)
        if self.instance.pk and self._is_share(self.instance.indicator):
            self.initial["target"] = round(self.instance.target * 100, 4)

    def _is_share(self, code: str) -> bool:
        ind = self.snap.indicators.get(code)
        return ind is not None and str(ind.kind) == "share"

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("Укажите год от 2000 до 2100 (учебный год называется по весне: 2026 = 2025/26).")
        return year

    def clean(self):
        data = super().clean()
        code, target = data.get("indicator"), data.get("target")
        if code and target is not None:
            value = float(target)
            if self._is_share(code):
                if not 0 <= value <= 100:
                    self.add_error("target", "Доля задаётся в процентах от 0 до 100.")
                value /= 100
            data["target"] = value
        year = data.get("year")
        if code and year and CycleIndicator.objects.filter(cycle=self.cycle, indicator=code, year=year).exclude(
                pk=self.instance.pk).exists():
            self.add_error("year", "Цель по этому показателю на этот год уже задана — измените её.")
        return data

    def save(self, commit=True):
        self.instance.target = self.cleaned_data["target"]
        return super().save(commit)


class CollectionMethodForm(forms.ModelForm):
    dataset = forms.ChoiceField(label="Набор данных")

    class Meta:
        model = CollectionMethod
        fields = ["dataset", "method", "periodicity", "responsible"]
        widgets = {"method": TEXT}

    def __init__(self, *args, snap: Snapshot, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = dataset_choices(snap.catalog)


class MonitoringEventForm(forms.ModelForm):
    class Meta:
        model = MonitoringEvent
        fields = ["what", "when", "who"]
        widgets = {"when": DATE}


class AnalysisForm(forms.ModelForm):
    indicators = forms.MultipleChoiceField(label="Показатели, на которых основан анализ", required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 6}))

    class Meta:
        model = Analysis
        fields = ["year", "date", "indicators", "conclusions", "report"]
        widgets = {"date": DATE, "conclusions": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, snap: Snapshot, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = indicator_choices(snap, cycle.system)


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["organisation", "text", "status"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        field_classes = {"organisation": OrganisationChoiceField}

    def __init__(self, *args, snap: Snapshot, cycle, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MeasureForm(forms.ModelForm):
    indicators = forms.MultipleChoiceField(label="Показатели, которые мероприятие должно улучшить", required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 6}))

    class Meta:
        model = Measure
        fields = ["title", "start", "deadline", "responsible", "participants", "organisations", "indicators",
                  "status", "evidence", "before_year", "after_year"]
        widgets = {"start": DATE, "deadline": DATE, "participants": TEXT, "evidence": TEXT,
                   "organisations": forms.SelectMultiple(attrs={"size": 8})}
        field_classes = {"organisations": OrganisationsChoiceField}
        help_texts = {"before_year": "Если пусто — последняя весна до начала мероприятия.",
                      "after_year": "Если пусто — первая весна после срока мероприятия."}

    def __init__(self, *args, snap: Snapshot, cycle, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations
        self.fields["indicators"].choices = indicator_choices(snap, cycle.system)

    def clean(self):
        data = super().clean()
        start, deadline = data.get("start"), data.get("deadline")
        if start and deadline and start > deadline:
            self.add_error("deadline", "Срок не может быть раньше начала мероприятия.")
        before, after = data.get("before_year"), data.get("after_year")
        if before and after and before >= after:
            self.add_error("after_year", "Год «после» должен быть позже года «до».")
        return data


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["number", "date", "content", "responsible", "deadline", "participants"]
        widgets = {"date": DATE, "deadline": DATE, "content": TEXT, "participants": TEXT}


class ReviewForm(forms.ModelForm):
    class Meta:
        model = EffectivenessReview
        fields = ["date", "conclusions"]
        widgets = {"date": DATE, "conclusions": forms.Textarea(attrs={"rows": 8})}


class DocumentForm(forms.ModelForm):
    upload = forms.FileField(label=f"Файл ({', '.join(sorted(uploads.ALLOWED))}; до {uploads.MAX_MB} МБ)",
                             required=False)

    class Meta:
        model = Document
        fields = ["stage", "kind", "title", "number", "date", "decisions", "deadlines", "responsible", "participants"]
        widgets = {"date": DATE, "decisions": TEXT, "deadlines": TEXT, "responsible": TEXT, "participants": TEXT}

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        problem = uploads.check(Path(upload.name).name, upload.size, upload)
        if problem:
            raise forms.ValidationError(problem)
        return upload

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not re.search(r"\w", title):
            raise forms.ValidationError("Укажите название документа.")
        return title
