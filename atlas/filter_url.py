"""The sidebar filters in a URL: the query parameters a filter setting writes, and the
widget values a URL restores on a fresh session (pure Python; ``components/filters.py``
reads and writes ``st.query_params`` and the widget state with them).

Query parameters arrive as each name's list of values (a name may repeat:
``?type=licensing&type=merger``); a single-valued one takes its last value, as
``st.query_params`` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from atlas.query import DealFilters

# widget key -> query parameter name
MULTI_KEYS = {
    "filter_types": "type",
    "filter_countries": "country",
    "filter_areas": "area",
    "filter_organisations": "org",
}
PRESENTER_KEY = "presenter_mode"
# "Only deals between them" switches under the Countries and Organisations boxes:
# widget key -> (the multiselect it qualifies, query parameter).
BETWEEN_KEYS = {
    "filter_countries_between": ("filter_countries", "country_match"),
    "filter_organisations_between": ("filter_organisations", "org_match"),
}
# The "Disclosed value at least" choices, in US dollars (0: any deal, disclosed or not).
VALUE_STEPS = (0, 1e6, 1e7, 5e7, 1e8, 2.5e8, 5e8, 1e9, 5e9)
_DATE_KEYS = (("filter_date_from", "from"), ("filter_date_to", "to"))
# Every query parameter the filters own (the pages' own controls have others).
FILTER_PARAMS = frozenset(
    {
        *MULTI_KEYS.values(),
        *(param for _key, param in _DATE_KEYS),
        *(param for _select, param in BETWEEN_KEYS.values()),
        "conf",
        "value",
        "undated",
        "present",
    }
)

Params = Mapping[str, Sequence[str]]


def _last(params: Params, name: str) -> str:
    values = params.get(name) or ()
    return values[-1] if values else ""


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _single_values(params: Params) -> dict[str, object]:
    """Dates, confidence, value, undated and presenter mode from ``params``."""
    state: dict[str, object] = {}
    for key, param in _DATE_KEYS:
        try:
            state[key] = date.fromisoformat(_last(params, param))
        except ValueError:
            pass
    confidence = _number(_last(params, "conf")) if _last(params, "conf") else None
    if confidence is not None:
        state["filter_min_confidence"] = min(1.0, max(0.0, confidence))
    value = _number(_last(params, "value")) if _last(params, "value") else None
    if value in VALUE_STEPS:
        state["filter_min_value"] = value
    if _last(params, "undated") == "1":
        state["filter_include_undated"] = True
    if _last(params, "present") == "1":
        state[PRESENTER_KEY] = True
    return state


def restored_state(params: Params, choices: Mapping[str, Sequence[str]]) -> dict[str, object]:
    """Widget key -> value from the URL's query ``params``, for a fresh session.
    ``choices`` are the values each multiselect offers (``atlas.query.options``:
    ``types``, ``countries``, ``areas``, ``organisations``); values it does not
    offer, and dates or numbers that do not parse, are left out."""
    state: dict[str, object] = {}
    for key, param in MULTI_KEYS.items():
        allowed = set(choices[key.removeprefix("filter_")])
        values = [v for v in params.get(param) or () if v in allowed]
        if values:
            state[key] = values
    state.update(_single_values(params))
    for key, (_select, param) in BETWEEN_KEYS.items():
        if _last(params, param) == "between":
            state[key] = True
    return state


def filter_params(
    filters: DealFilters, chosen: Mapping[str, Sequence[str]], *, presenter: bool
) -> dict[str, str | list[str]]:
    """The query parameters for ``filters`` (``chosen``: each multiselect's widget
    key -> its values, as chosen): only what differs from the defaults."""
    wanted: dict[str, str | list[str]] = {
        param: list(chosen[key]) for key, param in MULTI_KEYS.items() if chosen.get(key)
    }
    optional: dict[str, object] = {
        "from": filters.date_from,
        "to": filters.date_to,
        "conf": f"{filters.min_confidence:.2f}" if filters.min_confidence else None,
        "country_match": "between" if filters.countries_between else None,
        "org_match": "between" if filters.organisations_between else None,
        "value": f"{filters.min_value_usd:g}" if filters.min_value_usd else None,
        "undated": "1"
        if filters.include_undated and (filters.date_from or filters.date_to)
        else None,
        "present": "1" if presenter else None,
    }
    wanted.update({param: str(value) for param, value in optional.items() if value})
    return wanted


def url_changes(
    present: Params, wanted: Mapping[str, str | list[str]]
) -> tuple[list[str], dict[str, str | list[str]]]:
    """What to do to the URL's query parameters (``present``) so the filters' ones are
    ``wanted``: the filter parameters to remove, and those to set (only the ones
    whose values change, so an unchanged URL is left alone)."""
    removed = [name for name in present if name in FILTER_PARAMS and name not in wanted]
    changed = {
        name: value
        for name, value in wanted.items()
        if list(present.get(name) or ()) != (value if isinstance(value, list) else [value])
    }
    return removed, changed
