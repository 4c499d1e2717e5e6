"""A round's scores survive being stored as JSON: what the results pages read is what was scored."""

import json

from hypothesis import given

from consult.portal.scoring import score_round
from consult.portal.stored_scores import SCORES_FORMAT, scores_from_json, scores_to_json
from tests.unit.portal_fixtures import make_definition, respondent_lists

DEFINITION = make_definition()


@given(respondent_lists)
def test_any_scored_round_reads_back_equal_from_stored_json(respondents):
    result = score_round(DEFINITION, respondents)
    stored = json.loads(json.dumps(scores_to_json(result)))  # as the database gives it back
    assert scores_from_json(stored) == result


def test_nothing_stored_or_another_format_is_not_a_result():
    result = score_round(DEFINITION, [])
    assert scores_from_json(None) is None
    assert scores_from_json({**scores_to_json(result), "format": SCORES_FORMAT + 1}) is None
