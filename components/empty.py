"""What every page shows when there is nothing to show."""

from __future__ import annotations

import streamlit as st

INGEST_HINT = (
    "Add articles on the **Add articles** page, or from a terminal with "
    "`python -m atlas ingest path/to/articles` (the bundled sample: `python -m atlas ingest data/articles`)."
)


def store_is_empty(deals_count: int, articles_count: int) -> bool:
    """Say so and return True when the store holds no article."""
    if articles_count == 0:
        st.info("The store is empty. " + INGEST_HINT, icon=":material/inbox:")
        return True
    return False


def nothing_matches(frame_len: int, *, what: str = "deals") -> bool:
    """Say so and return True when there is nothing to show: the filters leave nothing,
    or (with no filter set) the stored articles hold none."""
    if frame_len:
        return False
    from components.filters import current

    if current().active:
        st.warning(f"No {what} match the filters in the sidebar.", icon=":material/filter_alt_off:")
    else:
        st.info(
            f"No {what} yet: none was found in the stored articles. " + INGEST_HINT,
            icon=":material/inbox:",
        )
    return True
