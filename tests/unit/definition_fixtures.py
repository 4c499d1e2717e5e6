"""A minimal assessment definition as plain data, and helpers to break it, for its tests."""

import pytest

from consult.portal.definition import DefinitionError
from consult.portal.definition_loading import parse_definition

DIMENSIONS = [f"d{i}" for i in range(6)]
BANDS = [("low", 0), ("mid", 50), ("high", 75)]


def minimal() -> dict:
    """The smallest definition that passes every rule: 6 dimensions, 32 questions, 3 bands."""

    def scale(d, n, reverse=False):
        return {
            "key": f"{d}-q{n}",
            "kind": "scale",
            "dimension": d,
            "text": f"Statement {n} about {d}.",
            "reverse": reverse,
        }

    sections = [
        {
            "key": f"s-{d}",
            "title": f"Section {d}",
            "intro": "About this.",
            "questions": [
                scale(d, 1, reverse=i < 3),
                scale(d, 2),
                scale(d, 3),
                scale(d, 4),
                {
                    "key": f"{d}-importance",
                    "kind": "importance",
                    "dimension": d,
                    "text": "How important now?",
                },
            ],
        }
        for i, d in enumerate(DIMENSIONS)
    ]
    sections.append(
        {
            "key": "words",
            "title": "In your words",
            "intro": "Optional.",
            "questions": [
                {"key": "words-1", "kind": "text", "text": "One change?"},
                {"key": "words-2", "kind": "text", "text": "Anything else?"},
            ],
        }
    )
    return {
        "key": "mini",
        "version": 1,
        "title": "Mini",
        "intro": "Answer alone.",
        "scale_labels": ["SD", "D", "N", "A", "SA"],
        "importance_labels": ["0", "1", "2", "3", "4"],
        "role_groups": [
            {"key": "leaders", "name": "Leaders", "kind": "leadership"},
            {"key": "staff", "name": "Staff", "kind": "front_line"},
        ],
        "dimensions": [
            {"key": d, "name": d.upper(), "description": f"About {d}."} for d in DIMENSIONS
        ],
        "sections": sections,
        "bands": [
            {"key": key, "name": key.title(), "min_score": score, "description": "."}
            for key, score in BANDS
        ],
        "recommendations": [
            {
                "key": f"{d}-{band}",
                "dimension": d,
                "bands": [band],
                "title": "Do a thing",
                "why": "Because.",
                "steps": ["First.", "Second."],
                "horizon_days": 30,
                "effort": "low",
                "impact": "high",
                "blog_tags": ["Listening"],
                "consultation_type": "working-session",
            }
            for d in DIMENSIONS
            for band, _ in BANDS
        ],
    }


def problems_of(data) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    return caught.value.problems


def broken(change) -> list[str]:
    data = minimal()
    change(data)
    return problems_of(data)


def question(data, section, index):
    return data["sections"][section]["questions"][index]
