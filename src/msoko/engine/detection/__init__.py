"""Detection: signs of non-objective results, ШНОР and ШНСУ lists, risk profiles, with explanations.

    from msoko.engine.detection import run, DetectionResults
    run(ws)                                   # compute and store under ws.results / "detection"
    res = DetectionResults.open(ws.results)   # None until run has stored something
    res.objectivity(year=2025, flagged_only=True)

One module per rule or concept: `journal` (a), `peaks` (b), `confirmation` (c), `tasks` (d), `jump` (e),
`repeated` (f), combined in `objectivity`; `social` (ШНСУ index), `federal`, `clusters`, `value_added`
(ШНОР), `risk_profile` («500+»), `lists`, `explain`; thresholds in `config`, storage in `store`.
"""

from msoko.engine.detection.config import DetectionConfig
from msoko.engine.detection.runner import load_config, run
from msoko.engine.detection.store import DetectionResults

__all__ = ["DetectionConfig", "DetectionResults", "load_config", "run"]
