"""Timeline figures: deals on a time axis, counts per period, swimlanes per organisation.

A deal's date is only as precise as the article says (``2025``, ``2025-04`` or
``2025-12-19``). A month- or year-precision date is drawn as a bar spanning the
whole period it covers, never as a point on a made-up day; a deal known to the
day is a diamond. Undated deals are left out of every figure here: the page
lists them in a table instead.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from atlas.dealcard import status_steps
from atlas.figures.style import font_size, type_colour
from atlas.models import DEAL_TYPES
from atlas.query import (
    DealIndex,
    date_bounds,
    date_precision,
    explode_parties,
    most_active,
    with_dates,
)
from atlas.safe_text import plotly_text

PERIODS = ("month", "quarter", "year")
PERIOD_FREQ = {"month": "M", "quarter": "Q", "year": "Y"}
PRECISION_RANK = {"day": 0, "month": 1, "year": 2}
EVIDENCE_LIMIT = 200
LABEL_LIMIT = 60
DAY_MS = 24 * 60 * 60 * 1000


precision_of = date_precision


def _with_spans(deals: pd.DataFrame) -> pd.DataFrame:
    """The deals with their date spans (``with_dates``); frames that have them
    already (the prepared table) are used as they are, not copied."""
    if "precision" in deals.columns and "date_start" in deals.columns:
        return deals
    return with_dates(deals)


def dated_deals(deals: pd.DataFrame) -> pd.DataFrame:
    """The deals that have a date, with ``date_start``/``date_end``/``date_label``/``precision``."""
    frame = _with_spans(deals)
    if frame.empty:
        return frame
    dated = frame["date_start"].notna()
    # Every deal dated (often so): the frame itself, not a copy (it is read, never changed).
    return frame if dated.all() else frame[dated]


def undated_deals(deals: pd.DataFrame) -> pd.DataFrame:
    """The deals with no known date (shown in a table, never on the time axis)."""
    frame = _with_spans(deals)
    if frame.empty:
        return frame
    return frame[frame["date_start"].isna()]


def parties_label(parties: object, *, limit: int = LABEL_LIMIT) -> str:
    names = [
        p for p in (parties if isinstance(parties, list | tuple) else []) if isinstance(p, str)
    ]
    return plotly_text(" + ".join(names) or "unknown parties", limit=limit)


def hover_text(row: pd.Series | dict) -> str:
    """Parties, type, date as precisely as known, and the evidence (escaped, truncated)."""
    precision = row.get("precision") or precision_of(row.get("deal_date"))
    label = row.get("date_label") or ""
    when = f"{plotly_text(label)} ({precision} precision)" if precision else "undated"
    return "<br>".join(
        [
            f"<b>{parties_label(row.get('parties'), limit=120)}</b>",
            plotly_text(row.get("type")),
            when,
            f"<i>{plotly_text(row.get('evidence'), limit=EVIDENCE_LIMIT)}</i>",
        ]
    )


_HOVER_COLUMNS = ("precision", "deal_date", "date_label", "parties", "type", "evidence")


def hover_texts(rows: pd.DataFrame) -> list[str]:
    """``hover_text`` of every row, read from column lists (no pandas row each)."""
    columns = [
        rows[c].tolist() if c in rows.columns else [None] * len(rows) for c in _HOVER_COLUMNS
    ]
    return [
        hover_text(dict(zip(_HOVER_COLUMNS, values, strict=True)))
        for values in zip(*columns, strict=True)
    ]


def _ordered_types(types: pd.Series) -> list[str]:
    present = set(types)
    return [t for t in DEAL_TYPES if t in present] + sorted(present - set(DEAL_TYPES))


def _span_traces(rows: pd.DataFrame, lane: pd.Series) -> list[go.BaseTraceType]:
    """Per deal type: bars spanning month/year-precision dates, diamonds for exact days.

    ``lane`` gives each row's y value. Bars end at the end of their last day so
    April is drawn 1 to 30 April inclusive.
    """
    traces: list[go.BaseTraceType] = []
    for deal_type in _ordered_types(rows["type"]):
        of_type = rows["type"] == deal_type
        colour = type_colour(deal_type)
        spans = rows[of_type & (rows["precision"] != "day")]
        days = rows[of_type & (rows["precision"] == "day")]
        if len(spans):
            length = (spans["date_end"] - spans["date_start"]) + pd.Timedelta(days=1)
            traces.append(
                go.Bar(
                    name=plotly_text(deal_type),
                    legendgroup=deal_type,
                    orientation="h",
                    base=spans["date_start"].dt.strftime("%Y-%m-%d").tolist(),
                    x=(length.dt.total_seconds() * 1000).tolist(),
                    y=lane[spans.index].tolist(),
                    marker={"color": colour, "line": {"color": colour, "width": 1}},
                    opacity=0.75,
                    hovertext=hover_texts(spans),
                    hovertemplate="%{hovertext}<extra></extra>",
                    customdata=spans["deal_id"].tolist(),
                )
            )
        if len(days):
            traces.append(
                go.Scatter(
                    name=plotly_text(deal_type),
                    legendgroup=deal_type,
                    showlegend=not len(spans),
                    mode="markers",
                    x=days["date_start"].dt.strftime("%Y-%m-%d").tolist(),
                    y=lane[days.index].tolist(),
                    marker={
                        "color": colour,
                        "symbol": "diamond",
                        "size": 13,
                        "line": {"color": "#ffffff", "width": 1},
                    },
                    hovertext=hover_texts(days),
                    hovertemplate="%{hovertext}<extra></extra>",
                    customdata=days["deal_id"].tolist(),
                )
            )
    return traces


def _empty_figure(message: str, *, presenter: bool) -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_layout(
        height=220,
        font={"size": font_size(presenter)},
        xaxis={"visible": False},
        yaxis={"visible": False},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    return figure


# Tick labels by tick spacing: days, months or years, never a time of day (deal
# dates have no time; plotly's default showed "23:59:59.999" when deals shared a day).
DATE_TICK_FORMATS = (
    {"dtickrange": [None, "M1"], "value": "%-d %b %Y"},
    {"dtickrange": ["M1", "M12"], "value": "%b %Y"},
    {"dtickrange": ["M12", None], "value": "%Y"},
)
# The time axis spans at least this many days, so plotly never spaces ticks hours apart.
MIN_AXIS_DAYS = 60


def _axis_range(rows: pd.DataFrame) -> list[str] | None:
    """The x range of ``rows`` widened to ``MIN_AXIS_DAYS`` around its middle when
    the deals fall within a few days (else None: plotly's own range)."""
    if rows.empty:
        return None
    first = rows["date_start"].min()
    last = rows["date_end"].max() + pd.Timedelta(days=1)
    if last - first >= pd.Timedelta(days=MIN_AXIS_DAYS):
        return None
    middle = first + (last - first) / 2
    half = pd.Timedelta(days=MIN_AXIS_DAYS / 2)
    return [(middle - half).strftime("%Y-%m-%d"), (middle + half).strftime("%Y-%m-%d")]


def _time_layout(
    figure: go.Figure,
    *,
    title: str,
    rows: int,
    presenter: bool,
    drawn: pd.DataFrame | None = None,
) -> go.Figure:
    """Layout of a chart over time; ``drawn``: the deals it draws (for the axis range)."""
    row_height = 34 if presenter else 26
    figure.update_layout(
        title=title,
        barmode="overlay",
        height=min(1800, max(300, row_height * rows + 150)),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font={"size": font_size(presenter)},
        legend={"title": {"text": "Deal type"}},
        hoverlabel={"align": "left"},
    )
    figure.update_xaxes(type="date", showgrid=True, tickformatstops=list(DATE_TICK_FORMATS))
    span = _axis_range(drawn) if drawn is not None else None
    if span:
        figure.update_xaxes(range=span)
    figure.update_yaxes(type="category", autorange="reversed", automargin=True)
    return figure


# Rows (pairs of parties) the "Deals by date" chart draws at most: at 26 px a row
# that fills its 1,800 px, and thousands of rows of labels froze the browser for
# seconds (3,000 deals at 100,000 articles).
MAX_TIMELINE_ROWS = 60


def latest_rows(deals: pd.DataFrame, max_rows: int = MAX_TIMELINE_ROWS) -> pd.DataFrame:
    """The dated deals of the ``max_rows`` pairs of parties that dealt most recently
    (all of their dated deals), for ``build_timeline_figure``."""
    rows = dated_deals(deals)
    if rows.empty:
        return rows
    # Only the two sort keys are sorted, and each distinct list of parties is labelled
    # once (a copy of every column and a label per deal cost a second at 175,000).
    latest = rows[["date_start", "deal_id"]].reset_index(drop=True)
    order = latest.sort_values(["date_start", "deal_id"], ascending=False).index.to_numpy()
    lanes = _lane_labels(rows["parties"])
    kept = set(list(dict.fromkeys(lanes[i] for i in order.tolist()))[:max_rows])
    return rows[np.fromiter((lane in kept for lane in lanes), dtype=bool, count=len(lanes))]


def latest_rows_of(
    index: DealIndex, rows: np.ndarray, max_rows: int = MAX_TIMELINE_ROWS
) -> pd.DataFrame:
    """``latest_rows`` of the frame ``index`` was made from, at row positions ``rows``
    (ascending): sorted as arrays and labelled once per distinct list of parties of
    the frame, so neither a filter change nor a new frame labels 175,000 cells."""
    dated = index.dated_rows(rows)
    if not len(dated):
        return index.take(dated)
    codes, _lists = index.distinct_lists("parties")
    lanes = index.memo("timeline.lanes", lambda: _lane_codes(index))[codes[dated]]
    starts = index.date_start.to_numpy()[dated].astype("datetime64[us]").astype(np.int64)
    ids = index.deal_ids[dated]
    # Newest first, by date then deal id (ties keep the frame's order, as pandas' does).
    order = np.lexsort((-ids, -starts))
    lanes_in_order = lanes[order]
    found, first = np.unique(lanes_in_order, return_index=True)
    kept = found[np.argsort(first, kind="stable")[:max_rows]]
    return index.take(dated[np.isin(lanes, kept)])


def _lane_codes(index: DealIndex) -> np.ndarray:
    """Per distinct list of parties of ``index``'s frame, a code of its lane's label
    (lists of one label share a lane, as in ``latest_rows``)."""
    _codes, lists = index.distinct_lists("parties")
    labels = [_label_of(key) if isinstance(key, tuple) else parties_label(key) for key in lists]
    return pd.factorize(pd.Series(labels, dtype=object))[0]


def _lane_labels(parties: pd.Series) -> list[str]:
    """``parties_label`` of every cell, computed once per distinct list of parties
    (and remembered across calls: a filter change asks again for most of them)."""
    return [
        _label_of(tuple(cell)) if isinstance(cell, list | tuple) else parties_label(cell)
        for cell in parties.tolist()
    ]


@lru_cache(maxsize=1 << 18)
def _label_of(parties: tuple) -> str:
    return parties_label(parties)


def build_timeline_figure(deals: pd.DataFrame, *, presenter: bool = False) -> go.Figure:
    """One row per pair of parties, earliest first; each dated deal a bar over
    the month or year its date covers, or a diamond on its exact day; coloured
    by deal type. Undated deals are not drawn. A deal a later article reports
    completed or terminated carries a dotted line to a star or a cross on that date."""
    rows = dated_deals(deals)
    if rows.empty:
        return _empty_figure("No dated deals", presenter=presenter)
    rows = rows.sort_values(["date_start", "deal_id"])
    lane = rows["parties"].map(parties_label)
    ends = lifecycle_ends(rows)
    figure = go.Figure(_span_traces(rows, lane) + _lifecycle_traces(rows, lane, ends))
    order = list(dict.fromkeys(lane.tolist()))
    figure.update_yaxes(categoryorder="array", categoryarray=order)
    drawn = rows[["date_start", "date_end"]]
    if ends:  # the axis reaches the latest completion or termination too
        later = [end for _d, _s, end, _st in ends]
        drawn = pd.concat([drawn, pd.DataFrame({"date_start": later, "date_end": later})])
    return _time_layout(
        figure, title="Deals by date", rows=len(order), presenter=presenter, drawn=drawn
    )


# How a later report of a deal's end is drawn: status -> marker symbol.
LIFECYCLE_MARKERS = {"completed": "star", "terminated": "x"}


def lifecycle_ends(rows: pd.DataFrame) -> list[tuple[object, pd.Timestamp, pd.Timestamp, str]]:
    """(deal_id, announced, ended, status) for each deal whose sources report it
    completed or terminated after it was announced: its last change of status
    (``atlas.dealcard.status_steps``), when that is an end with a date."""
    if "sources" not in rows.columns:
        return []
    ends = []
    for deal_id, start, sources in zip(
        rows["deal_id"], rows["date_start"], rows["sources"], strict=True
    ):
        steps = status_steps(sources) if isinstance(sources, list | tuple) else []
        status, when = steps[-1] if steps else (None, None)
        ended = date_bounds(when)[0] if status in LIFECYCLE_MARKERS and when else None
        if ended is not None and ended > start and status is not None:
            ends.append((deal_id, start, ended, status))
    return ends


def _lifecycle_traces(rows: pd.DataFrame, lane: pd.Series, ends: list) -> list[go.BaseTraceType]:
    """A dotted line from a deal's announcement to the later report that it was
    completed (a star) or terminated (a cross): the deal's lifecycle on its row
    (``ends``: ``lifecycle_ends(rows)``)."""
    if not ends:
        return []
    lanes = dict(zip(rows["deal_id"], lane, strict=True))
    xs: list = []
    ys: list = []
    traces: list[go.BaseTraceType] = []
    for deal_id, start, end, _status in ends:
        xs += [start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d"), None]
        ys += [lanes[deal_id], lanes[deal_id], None]
    traces.append(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"color": "#555555", "width": 1.5, "dash": "dot"},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for status, symbol in LIFECYCLE_MARKERS.items():
        of_status = [e for e in ends if e[3] == status]
        if of_status:
            traces.append(
                go.Scatter(
                    name=f"{status} later",
                    mode="markers",
                    x=[end.strftime("%Y-%m-%d") for _d, _s, end, _st in of_status],
                    y=[lanes[deal_id] for deal_id, *_rest in of_status],
                    marker={"symbol": symbol, "size": 12, "color": "#555555"},
                    hovertemplate=f"reported {status} %{{x|%-d %b %Y}}<extra></extra>",
                )
            )
    return traces


def swimlane_rows(deals: pd.DataFrame, organisations: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """One row per (dated deal, selected organisation), with the organisation in ``party``."""
    wanted = list(dict.fromkeys(organisations))
    frame = _with_spans(deals)
    if frame.empty or not wanted:
        return dated_deals(deals).iloc[0:0].assign(party=pd.Series(dtype=str))
    chosen = set(wanted)
    # Only the dated deals of the chosen organisations are taken and exploded (a few
    # lanes of 177,000 deals), in one selection.
    theirs = [not chosen.isdisjoint(parties or ()) for parties in frame["parties"].tolist()]
    rows = frame[frame["date_start"].notna().to_numpy() & np.array(theirs, dtype=bool)]
    exploded = explode_parties(rows)
    exploded = exploded[exploded["party"].isin(wanted)]
    return exploded.reset_index(drop=True)


# Deals a swimlane draws at most (its latest): a hub's thousands of bars in one lane
# are a smear, and 19,000 of them took the browser seconds (100,000 articles).
MAX_LANE_DEALS = 300


def latest_per_lane(rows: pd.DataFrame, max_per_lane: int = MAX_LANE_DEALS) -> pd.DataFrame:
    """``swimlane_rows`` keeping each organisation's ``max_per_lane`` latest deals."""
    if rows.empty:
        return rows
    ordered = rows.sort_values(["date_start", "deal_id"], ascending=False, kind="stable")
    return ordered.groupby("party", sort=False).head(max_per_lane).sort_index()


def build_swimlane_figure(
    deals: pd.DataFrame,
    organisations: list[str] | tuple[str, ...],
    *,
    presenter: bool = False,
    max_per_lane: int = MAX_LANE_DEALS,
) -> go.Figure:
    """One lane per organisation (in the order given) showing its dated deals over time
    (its ``max_per_lane`` latest)."""
    return swimlane_figure(
        swimlane_rows(deals, organisations),
        organisations,
        presenter=presenter,
        max_per_lane=max_per_lane,
    )


def swimlane_figure(
    rows: pd.DataFrame,
    organisations: list[str] | tuple[str, ...],
    *,
    presenter: bool = False,
    max_per_lane: int = MAX_LANE_DEALS,
) -> go.Figure:
    """``build_swimlane_figure`` from ``swimlane_rows`` already made (a page that also
    counts them need not make them twice)."""
    wanted = list(dict.fromkeys(organisations))
    rows = latest_per_lane(rows, max_per_lane)
    if rows.empty:
        return _empty_figure("No dated deals for these organisations", presenter=presenter)
    lane = rows["party"].map(lambda name: plotly_text(name, limit=LABEL_LIMIT))
    figure = go.Figure(_span_traces(rows, lane))
    shown = set(lane)
    order = [
        label for label in (plotly_text(n, limit=LABEL_LIMIT) for n in wanted) if label in shown
    ]
    figure.update_yaxes(categoryorder="array", categoryarray=order)
    return _time_layout(
        figure,
        title="Deals per organisation",
        rows=len(order) + 1,
        presenter=presenter,
        drawn=rows,
    )


def default_swimlanes(deals: pd.DataFrame, *, n: int = 5) -> list[str]:
    """The ``n`` organisations with the most dated deals."""
    return most_active(dated_deals(deals), n)["organisation"].tolist()


def _period_label(period: pd.Period, kind: str) -> str:
    if kind == "month":
        return period.strftime("%b %Y")
    if kind == "quarter":
        return f"Q{period.quarter} {period.year}"
    return str(period.year)


def period_counts(deals: pd.DataFrame, period: str = "month") -> pd.DataFrame:
    """Deals per period and type, with every period between the first and last
    present (zeros included) so gaps show.

    A deal is counted only when its date is at least as precise as the period:
    a deal dated ``2025`` is not put in any month. Columns: ``period`` (the
    first day), ``label``, ``type``, ``deals``.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    columns = ["period", "label", "type", "deals"]
    rows = countable_deals(deals, period, columns=["date_start", "type", "deal_id"])
    if rows.empty:
        return pd.DataFrame(columns=columns)
    freq = PERIOD_FREQ[period]
    rows = rows.assign(_period=rows["date_start"].dt.to_period(freq))
    span = pd.period_range(rows["_period"].min(), rows["_period"].max(), freq=freq)
    types = _ordered_types(rows["type"])
    counts = rows.groupby(["_period", "type"])["deal_id"].nunique().to_dict()
    records = [
        {
            "period": p.start_time,
            "label": _period_label(p, period),
            "type": t,
            "deals": int(counts.get((p, t), 0)),
        }
        for p in span
        for t in types
    ]
    return pd.DataFrame(records, columns=columns)


def countable_deals(
    deals: pd.DataFrame, period: str, *, columns: list[str] | None = None
) -> pd.DataFrame:
    """Dated deals whose date is at least as precise as ``period`` (only ``columns``
    when given: a copy of every column of 175,000 rows is what took the time)."""
    frame = _with_spans(deals)
    if frame.empty:
        return frame if columns is None else frame[columns]
    limit = {
        "month": PRECISION_RANK["month"],
        "quarter": PRECISION_RANK["month"],
        "year": PRECISION_RANK["year"],
    }[period]
    precise_enough = [name for name, rank in PRECISION_RANK.items() if rank <= limit]
    keep = (
        frame["date_start"].notna().to_numpy() & frame["precision"].isin(precise_enough).to_numpy()
    )
    return (frame if columns is None else frame[columns])[keep]


def too_coarse_for(deals: pd.DataFrame, period: str) -> int:
    """How many dated deals are too coarsely dated to be put in a ``period``."""
    frame = _with_spans(deals)
    if frame.empty:
        return 0
    dated = int(frame["date_start"].notna().sum())
    return dated - len(countable_deals(frame, period, columns=["date_start"]))


def build_period_counts_figure(
    deals: pd.DataFrame, *, period: str = "month", presenter: bool = False
) -> go.Figure:
    """Stacked bars: dated deals per month, quarter or year, one colour per deal type."""
    counts = period_counts(deals, period)
    if counts.empty:
        return _empty_figure(f"No deals dated to the {period}", presenter=presenter)
    return _stacked_by_type(
        counts,
        y=lambda rows: rows["deals"].tolist(),
        hover="%{x}: %{y}",
        title=f"Deals per {period}",
        yaxis={
            "title": "deals",
            "rangemode": "tozero",
            "dtick": 1 if counts["deals"].max() <= 10 else None,
        },
        presenter=presenter,
    )


def _stacked_by_type(
    table: pd.DataFrame, *, y, hover: str, title: str, yaxis: dict, presenter: bool
) -> go.Figure:
    """Stacked bars of a ``period_counts``-shaped table (``label``, ``type``, ``deals``):
    one trace per deal type, ``y(rows)`` its heights, ``hover`` after the type's name
    (``%{customdata}`` is the deal count)."""
    labels = list(dict.fromkeys(table["label"]))
    figure = go.Figure()
    for deal_type in dict.fromkeys(table["type"]):
        of_type = table[table["type"] == deal_type]
        figure.add_trace(
            go.Bar(
                name=plotly_text(deal_type),
                x=of_type["label"].tolist(),
                y=y(of_type),
                customdata=of_type["deals"].tolist(),
                marker_color=type_colour(deal_type),
                hovertemplate=f"{plotly_text(deal_type)}<br>{hover}<extra></extra>",
            )
        )
    figure.update_layout(
        title=title,
        barmode="stack",
        height=380 if not presenter else 480,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font={"size": font_size(presenter)},
        legend={"title": {"text": "Deal type"}},
        yaxis=yaxis,
    )
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    return figure


def _has_value(deals: pd.DataFrame) -> pd.Series:
    if "value_usd" not in deals.columns:
        return pd.Series(False, index=deals.index)
    return pd.to_numeric(deals["value_usd"], errors="coerce").notna()


def period_values(deals: pd.DataFrame, period: str = "quarter") -> pd.DataFrame:
    """Disclosed deal value (US dollars at each deal's date) per period and type, with
    every period between the first and last present, and how many deals it sums.
    Only deals that disclose a value and whose date is at least as precise as the
    period count. Columns: ``period``, ``label``, ``type``, ``value_usd``, ``deals``."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    columns = ["period", "label", "type", "value_usd", "deals"]
    if "value_usd" not in deals.columns:
        return pd.DataFrame(columns=columns)
    rows = countable_deals(deals, period, columns=["date_start", "type", "value_usd"])
    rows = rows[_has_value(rows)] if len(rows) else rows
    if rows.empty:
        return pd.DataFrame(columns=columns)
    freq = PERIOD_FREQ[period]
    rows = rows.assign(
        _period=rows["date_start"].dt.to_period(freq),
        _value=pd.to_numeric(rows["value_usd"], errors="coerce"),
    )
    span = pd.period_range(rows["_period"].min(), rows["_period"].max(), freq=freq)
    grouped = rows.groupby(["_period", "type"])["_value"].agg(["sum", "count"])
    sums, numbers = grouped["sum"].to_dict(), grouped["count"].to_dict()
    records = [
        {
            "period": p.start_time,
            "label": _period_label(p, period),
            "type": t,
            "value_usd": float(sums.get((p, t), 0.0)),
            "deals": int(numbers.get((p, t), 0)),
        }
        for p in span
        for t in _ordered_types(rows["type"])
    ]
    return pd.DataFrame(records, columns=columns)


def disclosed_count(deals: pd.DataFrame) -> int:
    """How many of ``deals`` disclose a value."""
    return int(_has_value(deals).sum()) if len(deals) else 0


def build_period_values_figure(
    deals: pd.DataFrame, *, period: str = "quarter", presenter: bool = False
) -> go.Figure:
    """Stacked bars: disclosed deal value in US dollars per period, one colour per type."""
    values = period_values(deals, period)
    if values.empty:
        return _empty_figure(
            f"No deal dated to the {period} discloses a value", presenter=presenter
        )
    return _stacked_by_type(
        values,
        y=lambda rows: (rows["value_usd"] / 1e6).round(1).tolist(),
        hover="%{x}: US$ %{y:,.1f} million<br>%{customdata} deal(s)",
        title=f"Disclosed deal value per {period} (US$ million)",
        yaxis={"title": "US$ million", "rangemode": "tozero"},
        presenter=presenter,
    )
