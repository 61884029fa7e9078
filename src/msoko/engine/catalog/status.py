"""Data status of each indicator: computed, data present but not yet computed, or waiting for a dataset.

A dataset msoko derives itself (`risk_lists`, from the ШНОР/ШНСУ lists detection stores) is not waiting for
an import: once the warehouse has the results detection reads, the next `msoko compute` produces it."""

from __future__ import annotations

from msoko.core.workspace import Workspace
from msoko.engine.catalog.model import Catalog
from msoko.engine.catalog.validate import dataset_specs
from msoko.engine.pipeline import DERIVED_FROM
from msoko.engine.results import ResultStore
from msoko.engine.warehouse import Warehouse


def data_status(ws: Workspace, catalog: Catalog) -> dict[str, str]:
    warehouse = Warehouse(ws.warehouse)
    specs = dataset_specs(catalog)
    store = ResultStore(ws.results)
    computed, absent = store.computed_indicators(), store.absent()
    status = {}
    for indicator in catalog.indicators:
        spec = specs.get(indicator.dataset)
        source = spec.source if spec else indicator.dataset
        inputs, maker = DERIVED_FROM.get(source, ((), ""))
        if indicator.code in computed:
            status[indicator.code] = "рассчитан"
        elif indicator.code in absent:
            status[indicator.code] = f"не рассчитан: {absent[indicator.code]}"
        elif warehouse.has(source):
            status[indicator.code] = "данные есть, выполните msoko compute"
        elif any(warehouse.has(name) for name in inputs):
            status[indicator.code] = f"данные есть ({maker}), выполните msoko compute"
        else:
            status[indicator.code] = f"ожидает набор данных {indicator.dataset}"
    return status
