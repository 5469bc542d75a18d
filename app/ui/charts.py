"""The answer's pictures, as Altair charts the page shows in ``gr.Plot``: the timeline of
the cited and related articles, and the question's coverage over time.

Timeline: one point per article, x its date as published (its own wall-clock time),
y its outlet, filled for a cited article and hollow for a related one; hovering shows
the headline, outlet, date and markers, and clicking a point follows its ``href`` to
the sources panel entry (``#source-n``, ``#related-n``), which the page highlights.
Coverage: matching articles per day or week across the archive. Vega's tooltip
escapes what it shows, so a headline holding HTML is text there too. No drawing by
hand: Altair writes the Vega-Lite spec and gradio renders it.
"""

from __future__ import annotations

from app.answer.timeline import Coverage, Timeline

# Pixels: the plot area, so that with the outlet labels (~80 px) the chart fits the sources
# column at 1280 px (vega's "container" width reads 0 when the plot first renders in a
# hidden block); one row of points per outlet.
WIDTH = 340
# Pixels between the time axis' ends and the first and last point, so a point on the
# first day is not drawn on the outlet axis.
EDGE_PIXELS = 14
ROW_PIXELS = 34
MIN_HEIGHT = 90
COVERAGE_HEIGHT = 130
DATE_FORMAT = "%d %b %Y"
KINDS, SHAPES = ["cited", "related"], ["circle", "diamond"]


def timeline_chart(timeline: Timeline):
    """The answer's articles on a time axis by outlet; None when none is dated."""
    if not timeline.points:
        return None
    import altair as alt
    import pandas as pd

    rows = [
        {
            "date": p.published.replace(tzinfo=None).isoformat(timespec="minutes"),
            "outlet": p.outlet,
            "headline": p.title,
            "article": "cited" if p.cited else "related",
            "markers": p.label,
            "href": f"#{p.anchor}",
        }
        for p in timeline.points
    ]
    outlets = sorted({r["outlet"] for r in rows})
    title = "The answer's articles in time"
    if timeline.undated:
        title += f" ({timeline.undated} undated not shown)"
    chart = (
        alt.Chart(pd.DataFrame(rows), title=alt.TitleParams(title, anchor="start", fontSize=13))
        .mark_point(size=150, filled=True, opacity=0.85, cursor="pointer")
        .encode(
            x=alt.X(
                "date:T",
                title=None,
                scale=alt.Scale(padding=EDGE_PIXELS),
                axis=alt.Axis(format=DATE_FORMAT, labelAngle=0, tickCount=5),
            ),
            y=alt.Y("outlet:N", title=None, sort=outlets),
            color=alt.Color(
                "article:N",
                scale=alt.Scale(domain=KINDS, range=["#d9480f", "#868e96"]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            shape=alt.Shape("article:N", scale=alt.Scale(domain=KINDS, range=SHAPES), legend=None),
            tooltip=[
                alt.Tooltip("headline:N", title="headline"),
                alt.Tooltip("outlet:N", title="outlet"),
                alt.Tooltip("date:T", title="published", format=f"{DATE_FORMAT} %H:%M"),
                alt.Tooltip("markers:N", title="sources"),
            ],
            href="href:N",
        )
        .properties(width=WIDTH, height=max(MIN_HEIGHT, ROW_PIXELS * len(outlets) + 40))
    )
    return _as_svg(chart)


def coverage_chart(coverage: Coverage):
    """Matching articles per day or week across the archive; None when nothing matches."""
    if not coverage.counts:
        return None
    import altair as alt
    import pandas as pd

    rows = [{"period": day.isoformat(), "articles": n} for day, n in coverage.counts]
    per = coverage.unit
    n = coverage.articles
    title = f"Coverage over time: {n} matching article{'s' * (n != 1)}, by {per}"
    chart = (
        alt.Chart(pd.DataFrame(rows), title=alt.TitleParams(title, anchor="start", fontSize=13))
        .mark_bar(color="#4c6ef5", size=8)
        .encode(
            x=alt.X("period:T", title=None, axis=alt.Axis(format=DATE_FORMAT, labelAngle=0, tickCount=5)),
            y=alt.Y("articles:Q", title="articles", axis=alt.Axis(values=_whole_ticks(coverage), format="d")),
            tooltip=[
                alt.Tooltip("period:T", title=f"{per} of", format=DATE_FORMAT),
                alt.Tooltip("articles:Q", title="articles"),
            ],
        )
        .properties(width=WIDTH, height=COVERAGE_HEIGHT)
    )
    return _as_svg(chart)


def _whole_ticks(coverage: Coverage) -> list[int]:
    """Axis ticks at whole numbers of articles (about four of them)."""
    top = max(n for _, n in coverage.counts)
    step = max(1, -(-top // 4))
    return list(range(0, top + step, step))


def _as_svg(chart):
    """Draw as SVG, not canvas (vega-embed takes options from the spec's ``usermeta``):
    each point is then an element with its description, which tests and screen readers
    can find."""
    return chart.properties(usermeta={"embedOptions": {"renderer": "svg", "actions": False}})
