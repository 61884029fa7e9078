"""`msoko export objectivity|risk` — owned by detection (issue 5); registers onto the export group."""
