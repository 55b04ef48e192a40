"""Page widgets mirrored in the URL, so a copied link reopens the same view.

The sidebar filters do this in ``components.filters``; a page's own controls (the
Deals search, the Timeline's period, the Network's focus and pair, the Articles
search) use these two helpers: ``restore`` before the widget is drawn (once per
session, from the link it was opened with), ``mirror`` after (the URL follows the
widget). Values from the URL are untrusted: only allowed ones are taken.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import streamlit as st


def restore(
    key: str,
    param: str,
    *,
    allowed: Collection | None = None,
    parse: Callable[[str], object] = str,
) -> None:
    """On the first run of a session that shows this widget, set its state from the
    URL parameter ``param`` when that parses and is ``allowed``; otherwise leave it."""
    flag = f"_url_restored_{key}"
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    raw = st.query_params.get(param)
    if raw is None:
        return
    try:
        value = parse(raw)
    except (TypeError, ValueError):
        return
    if allowed is not None and value not in allowed:
        return
    st.session_state[key] = value


def mirror(param: str, value: object, *, default: object = None) -> None:
    """Write ``value`` to the URL parameter ``param``, or remove it when the value is
    empty or the default (so a plain view keeps a plain link)."""
    if value is None or value == "" or value == default:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != str(value):
        st.query_params[param] = str(value)
