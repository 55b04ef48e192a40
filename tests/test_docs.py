"""The README must not name files, folders or commands that do not exist."""

from __future__ import annotations

import re

import pytest

from atlas.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path",
    sorted(
        {
            m
            for m in re.findall(
                r"`((?:atlas|components|views|data|tests|bench|static)/[\w./-]*|[\w-]+\.(?:py|md|toml))`",
                README,
            )
            # The store and its prepared tables are generated and git-ignored.
            if not m.endswith((".db", ".db.cache/"))
        }
    ),
)
def test_named_paths_exist(path):
    folders = (ROOT, ROOT / "atlas", ROOT / "components", ROOT / "data" / "lexicon")
    assert any((folder / path).exists() for folder in folders), path


def test_named_cli_commands_exist():
    commands = set(re.findall(r"python -m atlas (\w+)", README))
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    assert commands and commands <= set(subparsers.choices)


def test_make_targets_exist():
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"^make (\w+)", README, flags=re.M):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target
