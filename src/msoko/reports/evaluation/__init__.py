"""Documents of the МУМ evaluation: the expert conclusion per municipality (DOCX/PDF), the regional statistical
справка (XLSX) and the analytical справка (DOCX/PDF). Built from plain data (`data.py`, filled by
msoko.web.evaluation.documents) into the reports' document tree and drawn by the existing renderers."""
