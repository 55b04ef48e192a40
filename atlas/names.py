"""Names as text: bidirectional controls removed, and a name typed by a user cleaned
and bounded before it is stored (below both ``atlas.lexicon``, which checks the names
added to ``organisations.csv``, and ``atlas.organisations``)."""

from __future__ import annotations

import re

# Unicode's bidirectional formatting characters (embeddings, overrides, isolates and
# the invisible direction marks): "deal\u202efdp.exe" reads as "dealexe.pdf". A name
# or file name needs none of them, so they are removed wherever one is shown or stored.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")
# Longest organisation name a correction may give: the longest in the lexicon is
# under 100 characters; a name of thousands only breaks every page that lists it.
MAX_NAME_CHARS = 200


class InvalidName(ValueError):
    """A name typed by a user that cannot be stored, with a one-line reason."""


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters (see ``BIDI_CONTROLS``)."""
    return _BIDI_RE.sub("", text)


def clean_name(name: object) -> str:
    """An organisation name typed by a user, as it is stored: no bidirectional
    controls, whitespace collapsed. Raises ``InvalidName`` when nothing is left or
    it is longer than ``MAX_NAME_CHARS``."""
    text = " ".join(strip_bidi(str(name or "")).split())
    if not text:
        raise InvalidName("the name is empty")
    if len(text) > MAX_NAME_CHARS:
        raise InvalidName(
            f"the name is {len(text):,} characters long; at most {MAX_NAME_CHARS} are allowed"
        )
    return text
