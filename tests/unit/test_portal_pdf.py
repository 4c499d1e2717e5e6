"""The portal's PDF report: real pages, the round's content and footer, safe markup, no answers."""

from __future__ import annotations

import io
import pathlib
import subprocess
import sys
from dataclasses import dataclass
from datetime import date

import pytest

from consult.portal.definition_loading import load_definition
from consult.portal.figures import score_text
from consult.portal.report_pdf import build_report_pdf
from consult.portal.scoring import Respondent, score_round

SHIPPED = (
    pathlib.Path(__file__).resolve().parents[2]
    / "content"
    / "assessments"
    / "partnership-readiness.yaml"
)
SITE_URL = "https://partner.example.org"


@dataclass(frozen=True)
class Action:
    """Stands in for the portal's ActionItem rows: only the attributes the report reads."""

    phase_days: int
    title: str
    why: str
    steps: list[str]
    dimension: str = "presence"
    effort: str = "low"
    impact: str = "high"
    status: str = "not_started"
    status_reason: str | None = None
    due_on: date | None = None


@pytest.fixture(scope="module")
def definition():
    return load_definition(SHIPPED)


def answers(definition, point: int, urgency: int = 4) -> dict:
    """Answers giving every scale question the same effective point (reverse-worded flipped)."""
    scale = {
        q.key: (6 - point if q.reverse else point)
        for q in definition.questions
        if q.kind == "scale"
    }
    return scale | {q.key: urgency for q in definition.questions if q.kind == "importance"}


def respondents(definition) -> list[Respondent]:
    """Leaders who score high, a front line that scores low, and two small groups (three people)."""
    made = [
        Respondent(f"exec-{n}", "executive-leadership", answers(definition, 5 - n % 2))
        for n in range(4)
    ]
    made += [Respondent(f"staff-{n}", "staff", answers(definition, 2 + n % 2)) for n in range(3)]
    made += [Respondent(f"provider-{n}", "providers", answers(definition, 3)) for n in range(3)]
    made += [
        Respondent(f"clinical-{n}", "clinical-leadership", answers(definition, 4)) for n in range(2)
    ]
    return made + [Respondent("advisor-0", "patient-family-advisors", answers(definition, 1))]


ACTIONS = [
    Action(
        30,
        "Hold listening sessions",
        "People want to be heard first.",
        ["Book a room.", "Invite the front line."],
        due_on=date(2025, 4, 1),
    ),
    Action(
        30,
        "Share the results",
        "Openness builds trust.",
        ["Send the summary."],
        dimension="transparency",
        status="in_progress",
    ),
    Action(
        60,
        "Try decision aids",
        "Choices need tools.",
        ["Pick one aid.", "Pilot it.", "Review it."],
        dimension="shared-decisions",
        status="not_doing",
        status_reason="No budget this year.",
    ),
    Action(
        90,
        "Measure what patients value",
        "What is counted gets done. " * 20,
        [f"Step {n}." for n in range(1, 7)],
        dimension="measuring",
        status="done",
    ),
]


def report(
    definition,
    result,
    *,
    organisation="Riverside Health",
    actions=ACTIONS,
    practice="Partner Practice",
) -> bytes:
    return build_report_pdf(
        organisation_name=organisation,
        round_name="Spring 2025",
        closed_on="31 March 2025",
        definition=definition,
        result=result,
        actions=actions,
        practice_name=practice,
        site_url=SITE_URL,
    )


def pages_text(pdf: bytes) -> list[str]:
    """The text of each page, runs of whitespace made single spaces so wrapped lines still match."""
    pypdf = pytest.importorskip("pypdf")
    return [
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
    ]


def test_the_report_is_a_pdf_of_several_pages(definition):
    pdf = report(definition, score_round(definition, respondents(definition)))
    assert pdf.startswith(b"%PDF")
    assert len(pages_text(pdf)) >= 2


def test_the_report_holds_the_round_its_scores_and_its_plan(definition):
    text = " ".join(
        pages_text(report(definition, score_round(definition, respondents(definition))))
    )
    for expected in (
        "Riverside Health",
        "Spring 2025",
        "31 March 2025",
        "13 people",
        "Overall readiness",
        "Presence and listening",
        "Measuring what matters",
        "Hold listening sessions",
        "The first 30 days",
        "The first 60 days",
        "The first 90 days",
        "1 April 2025",
        "Why not: No budget this year.",
        "1 of 4 done",
    ):
        assert expected in text, expected


def test_every_page_has_the_footer(definition):
    pages = pages_text(report(definition, score_round(definition, respondents(definition))))
    for number, text in enumerate(pages, start=1):
        assert "Partner Practice" in text and SITE_URL in text and f"Page {number}" in text


def test_the_metadata_names_the_round_and_the_practice(definition):
    pypdf = pytest.importorskip("pypdf")
    metadata = pypdf.PdfReader(
        io.BytesIO(report(definition, score_round(definition, respondents(definition))))
    ).metadata
    assert metadata.author == "Partner Practice"
    assert "Riverside Health" in metadata.title and "Spring 2025" in metadata.title


def test_small_groups_show_no_figures_and_gaps_are_put_in_words(definition):
    text = " ".join(
        pages_text(report(definition, score_round(definition, respondents(definition))))
    )
    assert (
        "Clinical leadership, Patient and family advisors: fewer than 3 respondents, so not shown."
        in text
    )
    assert "leaders score" in text and "higher than the front line" in text


def test_text_that_looks_like_markup_is_printed_as_written(definition):
    tricky = Action(
        30,
        "Fix <b>this</b> & that",
        "Because 1 < 2 & 3 > 2.",
        ["Use <br/> & &amp; literally."],
        status_reason="A <i>reason</i> & more",
    )
    pdf = report(
        definition,
        score_round(definition, respondents(definition)),
        organisation="Smith <&> Jones",
        actions=[tricky],
        practice="A & B <Consulting>",
    )
    text = " ".join(pages_text(pdf))
    for expected in (
        "Smith <&> Jones",
        "Fix <b>this</b> & that",
        "Because 1 < 2 & 3 > 2.",
        "Use <br/> & &amp; literally.",
        "A & B <Consulting>",
    ):
        assert expected in text, expected


def test_text_beyond_latin_1_and_control_characters_do_not_break_it(definition):
    pdf = report(
        definition,
        score_round(definition, respondents(definition)),
        organisation="Zoë’s Clinic — 中文 ✓\x00\x07",
        actions=[Action(30, "Ünïcode\x0btitle", "Why\non two lines", [])],
    )
    assert pdf.startswith(b"%PDF")
    assert "Zoë’s Clinic" in " ".join(pages_text(pdf))


def test_a_round_without_answers_gives_a_short_pdf_saying_so(definition):
    pdf = report(definition, score_round(definition, []), actions=[])
    pages = pages_text(pdf)
    assert pdf.startswith(b"%PDF") and len(pages) == 1
    assert (
        "No answers were submitted" in pages[0]
        and "Riverside Health" in pages[0]
        and "Page 1" in pages[0]
    )


def test_a_round_with_fewer_respondents_than_a_group_shows_no_figures(definition):
    few = [
        Respondent(f"exec-{n}", "executive-leadership", answers(definition, 5)) for n in range(2)
    ]
    text = " ".join(pages_text(report(definition, score_round(definition, few))))
    assert "Fewer than 3 people submitted answers" in text
    assert "Overall readiness" not in text and "Role groups compared" not in text
    assert "Hold listening sessions" in text


def test_a_dimension_nobody_could_score_still_draws(definition):
    unsure = [
        Respondent(
            f"staff-{n}",
            "staff",
            answers(definition, 3) | {q.key: None for q in definition.scale_questions("presence")},
        )
        for n in range(3)
    ]
    text = " ".join(pages_text(report(definition, score_round(definition, unsure))))
    assert "A dimension without enough answers sits at the centre." in text


def test_the_modules_load_neither_flask_nor_the_database_layer():
    code = (
        "import sys, consult.portal.report_pdf\n"  # which imports the other report modules
        "print(','.join(m for m in ('flask', 'sqlmodel', 'sqlalchemy') if m in sys.modules))\n"
    )
    result = subprocess.run(  # noqa: S603  this very Python, on the fixed snippet above
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


@pytest.mark.parametrize(
    "name",
    [
        "Νοσοκομείο Αγίας Σοφίας, Θεσσαλονίκη",  # Greek
        "İstanbul Şişli Sağlık Ağı, Çağrı Merkezi ığüö",  # Turkish: dotted İ, dotless ı, ğ, ş
        "Bệnh viện Đa khoa Tỉnh Quảng Ngãi, Phòng khám Ưu tiên",  # Vietnamese: stacked marks
    ],
)
def test_names_in_other_scripts_print_as_written_in_an_embedded_unicode_font(definition, name):
    pdf = report(
        definition,
        score_round(definition, respondents(definition)),
        organisation=name,
        actions=[Action(30, f"Listen first at {name}", "Because.", [])],
        practice=name,
    )
    text = " ".join(pages_text(pdf))
    assert f"Results for {name}" in text and f"Listen first at {name}" in text
    assert f"{name} · {SITE_URL}" in text  # the footer, drawn straight on the canvas
    pypdf = pytest.importorskip("pypdf")
    fonts = {
        str(font["/BaseFont"]).split("+")[-1]
        for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    # Embedded subsets of DejaVu Sans, and no built-in Latin-1 font left anywhere.
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold"} and "DejaVuSans" in fonts


def test_bands_and_the_change_since_the_previous_round_follow_the_shown_figures(definition):
    result = score_round(definition, respondents(definition))
    first = definition.dimensions[0]
    shown = int(score_text(result.dimension(first.key).mean))
    pdf = build_report_pdf(
        organisation_name="Riverside Health",
        round_name="Spring 2025",
        closed_on="31 March 2025",
        definition=definition,
        result=result,
        actions=[],
        practice_name="Partner Practice",
        site_url=SITE_URL,
        change={first.key: 13, definition.dimensions[1].key: -2},
    )
    text = " ".join(pages_text(pdf))
    band = definition.band_for(shown).name
    assert f"{first.name} {shown} {band}" in text
    assert "Change" in text and "up 13" in text and "down 2" in text
