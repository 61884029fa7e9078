"""One declarative Vega-Lite spec per chart, built with Altair; the page renders it with the locally served
bundle (static/msoko/vendor/vega-bundle.js) and always shows the same data as a table next to it.

The bundle (Vega, Vega-Lite, Vega-Embed; no network access) is generated from the Vega-Lite version Altair
targets, with the dev dependency vl-convert-python:

    python3 -m uv run python -c "import altair as alt, vl_convert as vlc; \
        open('src/msoko/web/static/msoko/vendor/vega-bundle.js', 'w').write(\
        vlc.javascript_bundle(vl_version=alt.SCHEMA_VERSION.rsplit('.', 1)[0]))"

Marks carry shape and text as well as colour (points + labels, dashed reference rules with a caption).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import altair as alt

WIDTH = 640


@dataclass
class Chart:
    id: str
    title: str
    spec: dict
    columns: list[str]
    rows: list[list[str]]

    @property
    def spec_id(self) -> str:
        return f"spec-{self.id}"


def _finish(chart: alt.TopLevelMixin) -> dict:
    return chart.properties(width=WIDTH).configure_view(stroke=None).to_dict(validate=False)


def _with_data(template: dict, title: str, height: int, datasets: dict[str, list[dict]]) -> dict:
    """The cached spec with this request's title, height and inline data (Vega-Lite top-level `datasets`)."""
    spec = dict(template)
    spec.update(title=title, height=height, datasets=datasets)
    return spec


# Building a spec through Altair costs milliseconds (its schema objects validate themselves), so each chart
# shape is built once and reused; a request only supplies the named data. Never per-request strings here.
@lru_cache(maxsize=64)
def _bars_template(axis_title: str, n_references: int) -> dict:
    base = alt.Chart(alt.Data(name="items")).encode(
        y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("value:Q", title=axis_title),
        tooltip=[alt.Tooltip("name:N", title="Название"), alt.Tooltip("label:N", title="Значение")],
    )
    layers = [base.mark_bar(color="#6c8fb8"), base.mark_text(align="left", dx=3).encode(text="label:N")]
    for i in range(n_references):  # one layer each, captions stacked above the plot
        ref = alt.Chart(alt.Data(name=f"ref{i}"))
        dash = [6, 3] if i == 0 else [2, 2]
        layers.append(ref.mark_rule(strokeDash=dash, color="#1d2733").encode(x="value:Q"))
        layers.append(ref.mark_text(align="left", dx=3, baseline="bottom", y=-4 - 12 * i).encode(
            x="value:Q", text="caption:N"))
    return _finish(alt.layer(*layers).properties(height=100, title="—"))


def bars(chart_id: str, title: str, items: list[dict], references: list[dict], axis_title: str,
         columns: list[str], rows: list[list[str]]) -> Chart:
    """Horizontal bars (`name`, `value`, `label`), with reference rules (`value`, `caption`)."""
    datasets = {"items": items} | {f"ref{i}": [r] for i, r in enumerate(references)}
    spec = _with_data(_bars_template(axis_title, len(references)), title, max(60, 22 * len(items)), datasets)
    return Chart(chart_id, title, spec, columns, rows)


@lru_cache(maxsize=16)
def _lines_template(axis_title: str) -> dict:
    chart = alt.Chart(alt.Data(name="points")).mark_line(point=alt.OverlayMarkDef(filled=True, size=70)).encode(
        x=alt.X("year:O", title="Учебный год (весна)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=axis_title, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", columns=2, labelLimit=320)),
        # dash pattern as well as colour, in the same legend
        strokeDash=alt.StrokeDash("series:N", title=None, legend=alt.Legend(orient="bottom", columns=2,
                                                                          labelLimit=320)),
        tooltip=[alt.Tooltip("series:N", title="Ряд"), alt.Tooltip("year:O", title="Год"),
                 alt.Tooltip("label:N", title="Значение")],
    )
    return _finish(chart.properties(height=260, title="—"))


def lines(chart_id: str, title: str, points: list[dict], axis_title: str, columns: list[str],
          rows: list[list[str]]) -> Chart:
    """Dynamics over the years: one line per `series`, differing by dash pattern as well as colour."""
    spec = _with_data(_lines_template(axis_title), title, 260, {"points": points})
    return Chart(chart_id, title, spec, columns, rows)


@lru_cache(maxsize=16)
def _histogram_template(axis_title: str) -> dict:
    base = alt.Chart(alt.Data(name="bins")).encode(
        x=alt.X("bin:N", sort=alt.SortField("order"), title=axis_title, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("count:Q", title="Число организаций"),
        tooltip=[alt.Tooltip("bin:N", title="Интервал"), alt.Tooltip("count:Q", title="Организаций")],
    )
    chart = alt.layer(base.mark_bar(color="#6c8fb8"), base.mark_text(dy=-6).encode(text="count:Q"))
    return _finish(chart.properties(height=240, title="—"))


def histogram(chart_id: str, title: str, bins: list[dict], axis_title: str, columns: list[str],
              rows: list[list[str]]) -> Chart:
    """Counts of organisations per value bin (`bin`, `count`, `order`)."""
    spec = _with_data(_histogram_template(axis_title), title, 240, {"bins": bins})
    return Chart(chart_id, title, spec, columns, rows)
