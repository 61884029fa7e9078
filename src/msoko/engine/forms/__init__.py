"""Collection forms as versioned definitions (no Django): the model, the loader of the catalog's `forms/`
folder, value checking, the check language (`checks.py`) and the mapping between versions.

    from msoko.engine.forms import load_forms, check_values
"""

from msoko.engine.forms.load import default_forms, form_for_dataset, load_forms
from msoko.engine.forms.model import Form, FormField, Roster
from msoko.engine.forms.values import Checked, check_values, parse_value

__all__ = ["Checked", "Form", "FormField", "Roster", "check_values", "default_forms", "form_for_dataset",
           "load_forms", "parse_value"]
