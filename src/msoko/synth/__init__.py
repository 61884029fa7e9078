"""Генератор синтетического региона и страны для демонстрации, тестов и нагрузочных замеров.

The synthetic data generator: a seeded, reproducible region in canonical CSV (`generate_region`), the
native ФИС ОКО «Ф1» XLSX for importer tests (`write_f1_xlsx`, `write_f1_from_region`), and a country
streamed to Parquet in bounded memory (`generate_country`). See docs/decisions/0003-synthetic-region.md.
"""

from msoko.synth.country import GeneratedCountry, generate_country
from msoko.synth.f1 import F1Row, write_f1_from_region, write_f1_xlsx
from msoko.synth.region import GeneratedRegion, generate_region

__all__ = [
    "F1Row",
    "GeneratedCountry",
    "GeneratedRegion",
    "generate_country",
    "generate_region",
    "write_f1_from_region",
    "write_f1_xlsx",
]
