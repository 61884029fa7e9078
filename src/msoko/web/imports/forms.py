from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings

ALLOWED_SUFFIXES = {".csv", ".xlsx", ".json", ".txt", ".zip"}

KIND_CHOICES = [
    ("results", "Результаты (ВПР, ОГЭ/ЕГЭ, Ф1 ФИС ОКО, сводные по организациям)"),
    ("context", "Контекст школ (context.csv)"),
    ("scales", "Шкалы перевода баллов (scales.csv)"),
    ("registry", "Реестр организаций (organisations.csv)"),
]


class UploadForm(forms.Form):
    file = forms.FileField(label="Файл CSV или XLSX")
    kind = forms.ChoiceField(label="Что загружается", choices=KIND_CHOICES)
    tasks_meta = forms.FileField(
        label="Задания ВПР (vpr_tasks_meta.csv: year, subject, grade, task, max_score, level) — необязательно",
        required=False,
    )
    dry_run = forms.BooleanField(label="Только проверить, ничего не записывать", required=False)
    replace_all = forms.BooleanField(
        label="Заменить целиком годы и процедуры из файла (данные организаций, которых в файле нет, будут удалены)",
        required=False,
    )
    confirm_replace_all = forms.BooleanField(
        label="Подтверждаю: прежние данные всех организаций за эти годы и процедуры заменяются этим файлом",
        required=False,
    )

    def __init__(self, *args, allowed_kinds: set[str], may_replace_all: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [choice for choice in KIND_CHOICES if choice[0] in allowed_kinds]
        if not may_replace_all:  # replacing a whole partition is for region roles only
            del self.fields["replace_all"]
            del self.fields["confirm_replace_all"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("replace_all") and not cleaned.get("confirm_replace_all"):
            raise forms.ValidationError(
                "Замена целиком удаляет данные организаций, которых нет в файле: подтвердите её отдельной отметкой."
            )
        return cleaned

    def clean_tasks_meta(self):
        upload = self.cleaned_data.get("tasks_meta")
        if upload is None:
            return None
        if Path(upload.name).suffix.lower() not in {".csv", ".txt"}:
            raise forms.ValidationError("Файл заданий ВПР принимается в формате CSV.")
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Файл заданий больше допустимого размера.")
        return upload

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                f"Файлы «{suffix or 'без расширения'}» не принимаются; допустимы: {', '.join(sorted(ALLOWED_SUFFIXES))}."
            )
        if upload.size > settings.MAX_UPLOAD_BYTES:
            limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"Файл больше допустимых {limit} МБ.")
        return upload
