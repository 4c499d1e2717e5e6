"""The results page's figures agree with each other: one rounding rule, bands, the role groups.

The change since the previous round is read off the two results pages themselves, so any drift
between a shown figure and the arithmetic behind another one fails here.
"""

import io
import random
import re

import pytest

from consult.accounts.service import create_user
from consult.db import get_session
from consult.portal import service
from consult.portal.figures import whole
from consult.portal.models import Organisation, Response
from consult.portal.rounds import close_round
from consult.portal.scoring import Respondent, score_round
from tests.conftest import TEST_PASSWORD, signed_in_client
from tests.web.portal_fixtures import definition

ROW = re.compile(r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>')


def random_answers(app, seed: int, people: int) -> list[dict]:
    """Seeded answers of 1 to 5 to every scored question, one sheet per person."""
    chooser = random.Random(seed)  # noqa: S311  repeatable test data, not a secret
    questions = [q for q in definition(app).questions if q.kind != "text"]
    return [{q.key: chooser.randint(1, 5) for q in questions} for _ in range(people)]


def closed_round(app, clock, organisation, people, groups, sheets):
    """A round that `people` (in `groups`) answered with `sheets`, closed now; its public id."""
    with app.app_context():
        db = get_session()
        assessment_round = service.open_round(
            session=db,
            organisation=db.get(Organisation, organisation.id),
            definition=definition(app),
            name=f"Round {clock().isoformat()}",
            closes_on=clock().date(),
            today=clock().date(),
            now=clock(),
        )
        for person, group, answers in zip(people, groups, sheets, strict=True):
            db.add(
                Response(
                    round_id=assessment_round.id,
                    user_id=person.id,
                    role_group=group,
                    answers=answers,
                    started_at=clock(),
                    updated_at=clock(),
                    submitted_at=clock(),
                )
            )
        db.flush()
        close_round(
            session=db, assessment_round=assessment_round, definition=definition(app), now=clock()
        )
        db.commit()
        return assessment_round.public_id


@pytest.fixture
def clinic(app, clock):
    """An organisation with four members, all of them owners (so each may read the results)."""
    with app.app_context():
        db = get_session()
        organisation = service.create_organisation(session=db, name="Harbour Clinic", now=clock())
        people = []
        for number in range(4):
            person = create_user(
                session=db,
                email=f"p{number}@harbour.example",
                name=f"Person {number}",
                password=TEST_PASSWORD,
                role="client",
                now=clock(),
            )
            service.add_member(
                session=db,
                organisation=organisation,
                user=person,
                role="owner",
                role_group="staff",
                now=clock(),
            )
            people.append(person)
        db.commit()
        return organisation, people


def results_page(app, organisation, person, round_id) -> str:
    path = f"/portal/o/{organisation.public_id}/r/{round_id}/results"
    return signed_in_client(app, person).get(path).get_data(as_text=True)


def scores_table(html: str) -> str:
    start = html.index("Scores out of 100")
    return html[start : html.index("</table>", start)]


def changes_shown(table: str) -> dict[str, tuple[int, str]]:
    """Dimension name → (its score, its change in words), read from the scores table."""
    shown = {}
    for row in re.findall(r"<tr>\s*(.*?)</tr>", table, re.S)[1:]:
        name = re.search(r'<th scope="row">([^<]+)</th>', row).group(1)
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        shown[name] = (int(cells[0]), re.sub(r"<[^>]+>|[▲▼]", "", cells[-1]).strip())
    return shown


def test_the_change_is_the_difference_of_the_figures_the_two_pages_show(app, clock, clinic):
    organisation, people = clinic
    groups = ["staff"] * 4
    earlier_answers, later_answers = random_answers(app, 1, 4), random_answers(app, 2, 4)
    # These answers were chosen because, on some dimensions, the unrounded change rounds to
    # another number than the difference of the rounded figures: the case that used to read
    # "69 vs 56, up 12".
    score = lambda sheets: score_round(  # noqa: E731
        definition(app), [Respondent(str(n), "staff", a) for n, a in enumerate(sheets)]
    )
    before, after = score(earlier_answers), score(later_answers)
    assert any(
        round(b.mean - a.mean) != whole(b.mean) - whole(a.mean)
        for a, b in zip(before.dimensions, after.dimensions, strict=True)
    )
    earlier = closed_round(app, clock, organisation, people, groups, earlier_answers)
    clock.advance(days=90)
    later = closed_round(app, clock, organisation, people, groups, later_answers)

    shown_before = {
        name: int(value)
        for name, value, _ in ROW.findall(
            scores_table(results_page(app, organisation, people[0], earlier))
        )
    }
    html = results_page(app, organisation, people[0], later)
    table = scores_table(html)
    assert '<th scope="col">Change</th>' in table
    shown = changes_shown(table)
    assert len(shown) == len(definition(app).dimensions)
    for name, (now, change) in shown.items():
        delta = now - shown_before[name]
        expected = "no change" if delta == 0 else f"{'up' if delta > 0 else 'down'} {abs(delta)}"
        assert change == expected, (name, now, shown_before[name], change)


def test_every_dimension_shows_the_band_of_its_shown_score(app, clock, clinic):
    organisation, people = clinic
    round_id = closed_round(
        app, clock, organisation, people, ["staff"] * 4, random_answers(app, 3, 4)
    )
    html = results_page(app, organisation, people[0], round_id)
    assessment = definition(app)
    rows = ROW.findall(scores_table(html))
    assert '<th scope="col">Band</th>' in scores_table(html)
    assert len(rows) == len(assessment.dimensions)
    for _, score, band in rows:
        assert band == assessment.band_for(int(score)).name
    assert "What the bands mean" in html


def test_a_role_group_table_with_nothing_to_show_is_a_sentence_instead(app, clock, clinic):
    organisation, people = clinic
    # Four people in four groups: no group reaches three, and neither side has three to compare.
    groups = ["staff", "providers", "executive-leadership", "patient-family-advisors"]
    round_id = closed_round(app, clock, organisation, people, groups, random_answers(app, 4, 4))
    html = results_page(app, organisation, people[0], round_id)
    assert "Mean score by role group" not in html
    assert "No role group figures are shown for this round" in html
    assert re.search(r"Not shown, with fewer than 3 respondents: [^<]*Staff", html)


def test_the_table_comes_before_the_chart_and_a_compact_chart_has_a_key(app, clock, clinic):
    organisation, people = clinic
    round_id = closed_round(
        app, clock, organisation, people, ["staff"] * 4, random_answers(app, 5, 4)
    )
    html = results_page(app, organisation, people[0], round_id)
    assert html.index("Scores out of 100") < html.index("<svg")
    assert 'class="chart-wide"' in html and 'class="chart-compact"' in html
    key = re.search(r'<ol class="chart-key"[^>]*>(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r"<li>([^<]+)</li>", key) == [
        dimension.name.replace("'", "&#39;") for dimension in definition(app).dimensions
    ]
    assert 'id="scores-wide-title"' in html and 'id="scores-compact-title"' in html


def test_the_pdf_shows_the_change_by_the_same_rule(app, clock, clinic):
    pypdf = pytest.importorskip("pypdf")

    organisation, people = clinic
    groups = ["staff"] * 4
    closed_round(app, clock, organisation, people, groups, random_answers(app, 1, 4))
    clock.advance(days=90)
    later = closed_round(app, clock, organisation, people, groups, random_answers(app, 2, 4))
    shown = changes_shown(scores_table(results_page(app, organisation, people[0], later)))
    pdf = (
        signed_in_client(app, people[0])
        .get(f"/portal/o/{organisation.public_id}/r/{later}/report.pdf")
        .get_data()
    )
    text = " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )
    assert "Change" in text
    for _, change in shown.values():
        assert change in text
