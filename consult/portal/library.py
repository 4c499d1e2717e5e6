"""The assessment definitions in content/assessments/, validated once at start.

A file that cannot be used is left out with its problems; nothing it holds stops the site.
"""

from __future__ import annotations

import logging
from pathlib import Path

from consult.frontmatter import printable
from consult.portal.definition import AssessmentDefinition, DefinitionError
from consult.portal.definition_loading import load_definition

log = logging.getLogger("consult.portal")
DEFAULT_ASSESSMENT = "partnership-readiness"


class AssessmentLibrary:
    """Every valid definition by (key, version); the problems of the others."""

    def __init__(self, directory: Path):
        self.definitions: dict[tuple[str, int], AssessmentDefinition] = {}
        self.problems: list[str] = []
        try:
            paths = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
        except OSError as error:
            paths = []
            self.problems.append(f"assessments: cannot be read ({error.strerror})")
        for path in paths:
            try:
                definition = load_definition(path)
            except DefinitionError as error:
                self.problems.extend(
                    f"assessments/{path.name}: {problem}" for problem in error.problems
                )
                continue
            except Exception as error:  # a case the checks do not know yet: the file's problem
                log.exception("assessment definition %s could not be loaded", path.name)
                self.problems.append(
                    f"assessments/{path.name}: could not be loaded ({type(error).__name__})"
                )
                continue
            self.definitions[(definition.key, definition.version)] = definition
        for problem in self.problems:
            log.warning("assessment definition left out: %s", printable(problem))

    def current(self, key: str = DEFAULT_ASSESSMENT) -> AssessmentDefinition | None:
        """The newest version of the assessment, for new rounds."""
        versions = [
            definition for (found, _), definition in self.definitions.items() if found == key
        ]
        return max(versions, key=lambda definition: definition.version, default=None)

    def get(self, key: str, version: int) -> AssessmentDefinition | None:
        """The exact version a round was opened with."""
        return self.definitions.get((key, version))
