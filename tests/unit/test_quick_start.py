"""The README's quick start as a newcomer follows it: a virtual environment first, a run command
that installs only what running needs, a test command that adds the test tools, and the
accessibility screenshots where the README says they are.

The run command itself is exercised by the browser tests, which start the site exactly so, on a
port other than 5000 and without SITE_URL (tests/browser/conftest.py).
"""

import re
import tomllib

from consult.config import PROJECT_ROOT
from tests.browser.accessibility import SCREENSHOTS

README = (PROJECT_ROOT / "README.md").read_text()
QUICK_START = README[README.index("## Quick start") : README.index("## Developing")]
PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=~! ;]", requirement, maxsplit=1)[0].lower()


def test_the_virtual_environment_comes_before_any_install():
    assert QUICK_START.index("python3 -m venv .venv") < QUICK_START.index("python -m pip install")


def test_running_installs_the_site_alone_and_testing_adds_the_dev_extra():
    run = re.search(r"^python -m pip install (.+?) && flask --app consult run$", QUICK_START, re.M)
    test = re.search(r"^python -m pip install (.+?) && python -m pytest$", QUICK_START, re.M)
    assert run and run.group(1) == "-e ."
    assert test and test.group(1) == "-e '.[dev]'"


def test_no_test_or_lint_tool_is_needed_to_run_the_site():
    running = {_name(requirement) for requirement in PYPROJECT["project"]["dependencies"]}
    testing = {
        _name(requirement) for requirement in PYPROJECT["project"]["optional-dependencies"]["dev"]
    }
    assert {"pytest", "playwright", "hypothesis", "ruff", "mypy"} <= testing
    assert running.isdisjoint(testing)


def test_the_readme_names_the_screenshots_folder_and_git_ignores_it():
    folder = SCREENSHOTS.relative_to(PROJECT_ROOT).as_posix()
    assert f"`{folder}/<journey>/`" in README
    ignored = (PROJECT_ROOT / ".gitignore").read_text().split()
    assert f"/{folder.split('/')[0]}/" in ignored
