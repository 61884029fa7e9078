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


def bars(chart_id: str, title: str, items: list[dict], references: list[dict], axis_title: str,
         columns: list[str], rows: list[list[str]]) -> Chart:
    """Horizontal bars (`name`, `value`, `label`), with reference rules (`what`, `value`, `label`)."""
    data = alt.Data(values=items)
    base = alt.Chart(data).encode(
        y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("value:Q", title=axis_title),
        tooltip=[alt.Tooltip("name:N", title="Название"), alt.Tooltip("label:N", title="Значение")],
    )
    layers = [base.mark_bar(color="#6c8fb8"), base.mark_text(align="left", dx=3).encode(text="label:N")]
    for i, reference in enumerate(references):  # one layer each, captions stacked above the plot
        ref = alt.Chart(alt.Data(values=[reference]))
        dash = [6, 3] if i == 0 else [2, 2]
        layers.append(ref.mark_rule(strokeDash=dash, color="#1d2733").encode(x="value:Q"))
        layers.append(ref.mark_text(align="left", dx=3, baseline="bottom", y=-4 - 12 * i).encode(
            x="value:Q", text="caption:N"))
    height = max(60, 22 * len(items))
    spec = _finish(alt.layer(*layers).properties(height=height, title=title))
    return Chart(chart_id, title, spec, columns, rows)


def lines(chart_id: str, title: str, points: list[dict], axis_title: str, columns: list[str],
          rows: list[list[str]]) -> Chart:
    """Dynamics over the years: one line per `series`, points shaped by series, labelled values."""
    chart = alt.Chart(alt.Data(values=points)).mark_line(point=alt.OverlayMarkDef(filled=True, size=70)).encode(
        x=alt.X("year:O", title="Учебный год (весна)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=axis_title, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", columns=2, labelLimit=320)),
        shape=alt.Shape("series:N", title=None),  # the same legend: shape as well as colour
        strokeDash=alt.StrokeDash("series:N", title=None),
        tooltip=[alt.Tooltip("series:N", title="Ряд"), alt.Tooltip("year:O", title="Год"),
                 alt.Tooltip("label:N", title="Значение")],
    )
    return Chart(chart_id, title, _finish(chart.properties(height=260, title=title)), columns, rows)


def histogram(chart_id: str, title: str, bins: list[dict], axis_title: str, columns: list[str],
              rows: list[list[str]]) -> Chart:
    """Counts of organisations per value bin (`bin`, `count`, `order`)."""
    base = alt.Chart(alt.Data(values=bins)).encode(
        x=alt.X("bin:N", sort=alt.SortField("order"), title=axis_title, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("count:Q", title="Число организаций"),
        tooltip=[alt.Tooltip("bin:N", title="Интервал"), alt.Tooltip("count:Q", title="Организаций")],
    )
    chart = alt.layer(base.mark_bar(color="#6c8fb8"), base.mark_text(dy=-6).encode(text="count:Q"))
    return Chart(chart_id, title, _finish(chart.properties(height=240, title=title)), columns, rows)
