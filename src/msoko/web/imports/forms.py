from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings

ALLOWED_SUFFIXES = {".csv", ".xlsx", ".json", ".txt"}

KIND_CHOICES = [
    ("results", "Результаты (ВПР, ОГЭ/ЕГЭ, Ф1 ФИС ОКО, сводные по организациям)"),
    ("context", "Контекст школ (context.csv)"),
    ("scales", "Шкалы перевода баллов (scales.csv)"),
    ("registry", "Реестр организаций (organisations.csv)"),
]


class UploadForm(forms.Form):
    file = forms.FileField(label="Файл CSV или XLSX")
    kind = forms.ChoiceField(label="Что загружается", choices=KIND_CHOICES)
    dry_run = forms.BooleanField(label="Только проверить, ничего не записывать", required=False)

    def __init__(self, *args, allowed_kinds: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [choice for choice in KIND_CHOICES if choice[0] in allowed_kinds]

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
