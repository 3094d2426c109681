"""The README and docs point at files that exist (the layout moves; prose lags)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = (
    "config|delivery|routing|notifications|console|public|courier_app|tests|bench|docs"
)
# A path in backticks that starts at an app folder, e.g. `routing/core/solver.py`.
PATH = re.compile(rf"`((?:{APPS})/[\w./{{}},-]*)`")


def _expand(path: str) -> list[str]:
    """`sms/{id,en}/` stands for `sms/id/` and `sms/en/`."""
    braces = re.search(r"\{([^}]*)\}", path)
    if not braces:
        return [path]
    options = braces.group(1).split(",")
    return [path[: braces.start()] + o + path[braces.end() :] for o in options]


@pytest.mark.parametrize("document", ["README.md", "docs/apps.md", "bench/README.md"])
def test_every_path_a_document_names_exists(document):
    text = (ROOT / document).read_text()

    named = [p for match in PATH.findall(text) for p in _expand(match)]
    missing = [p for p in named if not (ROOT / p).exists()]

    assert named
    assert missing == []


def test_the_readme_links_the_map_of_the_apps():
    assert "(docs/apps.md)" in (ROOT / "README.md").read_text()
