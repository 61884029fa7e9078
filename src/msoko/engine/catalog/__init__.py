"""The indicator catalog: typed models, the YAML pipeline (parse → normalise → type → validate)."""

from msoko.engine.catalog.load import DEFAULT_CATALOG, default_catalog, load_catalog
from msoko.engine.catalog.model import Catalog, Direction, Indicator, Kind, Level

__all__ = ["DEFAULT_CATALOG", "Catalog", "Direction", "Indicator", "Kind", "Level", "default_catalog", "load_catalog"]
