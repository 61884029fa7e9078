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
    # a dot per unit on an axis fitted to the values (bars from zero made 86 % and 94 % look alike); the value
    # is written with the name on the axis, so no label can run into a reference rule
    base = alt.Chart(alt.Data(name="items")).encode(
        y=alt.Y("axis_label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("value:Q", title=axis_title, scale=alt.Scale(zero=False, nice=True, padding=12)),
        tooltip=[alt.Tooltip("name:N", title="Название"), alt.Tooltip("label:N", title="Значение")],
    )
    layers = [base.mark_point(filled=True, size=90, color="#2f5d8c", opacity=1)]
    for i in range(n_references):  # one layer each, captions stacked above the plot
        ref = alt.Chart(alt.Data(name=f"ref{i}"))
        dash = [6, 3] if i == 0 else [2, 2]
        layers.append(ref.mark_rule(strokeDash=dash, color="#1d2733").encode(x="value:Q"))
        layers.append(ref.mark_text(align="left", dx=3, baseline="bottom", y=-4 - 12 * i).encode(
            x="value:Q", text="caption:N"))
    return _finish(alt.layer(*layers).properties(height=100, title="—"))


def bars(chart_id: str, title: str, items: list[dict], references: list[dict], axis_title: str,
         columns: list[str], rows: list[list[str]]) -> Chart:
    """One dot per unit (`name`, `value`, `label`) on a fitted axis, with reference rules (`value`, `caption`)."""
    items = [{**item, "axis_label": f"{item['name']} — {item['label']}"} for item in items]
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


@lru_cache(maxsize=4)
def _score_histogram_template(n_bounds: int) -> dict:
    """Bars of the organisation's shares per primary score (each bar spans score ± 0.5), the region's shares
    as a dashed line with points, and the mark boundaries as labelled rules between two scores."""
    bars = alt.Chart(alt.Data(name="bars")).mark_bar(color="#6c8fb8", stroke="#3d5f86", strokeWidth=0.5).encode(
        x=alt.X("lo:Q", title="Первичный балл", scale=alt.Scale(nice=False), axis=alt.Axis(tickMinStep=1)),
        x2="hi:Q",
        y=alt.Y("share:Q", title="Доля участников, %"),
        y2=alt.datum(0),
        tooltip=[alt.Tooltip("score:Q", title="Балл"), alt.Tooltip("count:Q", title="Участников"),
                 alt.Tooltip("label:N", title="Доля")],
    )
    region = alt.Chart(alt.Data(name="region")).mark_line(
        color="#1d2733", strokeDash=[5, 3], point=alt.OverlayMarkDef(shape="diamond", filled=True, size=40,
                                                                     color="#1d2733")).encode(
        x="score:Q", y="share:Q",
        tooltip=[alt.Tooltip("score:Q", title="Балл"), alt.Tooltip("label:N", title="Доля в регионе")],
    )
    layers = [bars, region]
    if n_bounds:
        rules = alt.Chart(alt.Data(name="bounds"))
        layers.append(rules.mark_rule(color="#a33", strokeWidth=1.5, strokeDash=[2, 2]).encode(x="x:Q"))
        layers.append(rules.mark_text(align="left", dx=3, baseline="top", y=2, color="#a33", fontWeight="bold")
                      .encode(x="x:Q", text="caption:N"))
    return _finish(alt.layer(*layers).properties(height=220, title="—"))


def score_histogram(chart_id: str, title: str, bars: list[dict], region: list[dict], bounds: list[dict],
                    columns: list[str], rows: list[list[str]]) -> Chart:
    """`bars`: score, lo, hi, count, share (%), label; `region`: score, share (%), label; `bounds`: x, caption."""
    datasets = {"bars": bars, "region": region} | ({"bounds": bounds} if bounds else {})
    spec = _with_data(_score_histogram_template(len(bounds)), title, 220, datasets)
    spec["title"] = {"text": title, "subtitle": "столбцы — организация; пунктир с ромбами — регион; "
                                                "красные линии — границы отметок"}
    return Chart(chart_id, title, spec, columns, rows)


@lru_cache(maxsize=4)
def _tasks_template() -> dict:
    """Completion per task: the organisation as bars, the region as a black tick across each bar."""
    x = alt.X("name:N", sort=alt.SortField("order"), title="Задание (Б — базовый, П — повышенный уровень)",
              axis=alt.Axis(labelAngle=0))
    own = alt.Chart(alt.Data(name="tasks")).mark_bar(color="#6c8fb8").encode(
        x=x, y=alt.Y("own:Q", title="Выполнение, %", scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("name:N", title="Задание"), alt.Tooltip("own_label:N", title="Организация"),
                 alt.Tooltip("region_label:N", title="Регион")],
    )
    region = alt.Chart(alt.Data(name="tasks")).mark_tick(color="#1d2733", thickness=3, size=28).encode(
        x=x, y="region:Q")
    return _finish(alt.layer(own, region).properties(height=200, title="—"))


def task_completion(chart_id: str, title: str, tasks: list[dict], columns: list[str],
                    rows: list[list[str]]) -> Chart:
    """`tasks`: name, order, own (%), region (%), own_label, region_label."""
    spec = _with_data(_tasks_template(), title, 200, {"tasks": tasks})
    spec["title"] = {"text": title, "subtitle": "столбцы — организация; чёрная черта — регион"}
    return Chart(chart_id, title, spec, columns, rows)
