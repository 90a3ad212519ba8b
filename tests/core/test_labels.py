"""The result choices agents pick from, and what each means for a problem's lifecycle."""

from core.labels import RESULT_CHOICES, RESULT_CHOICES_EN, RESULT_KINDS


def test_every_result_but_untouched_has_a_lifecycle_kind():
    assert set(RESULT_KINDS) == set(RESULT_CHOICES) - {"未处理"}
    assert set(RESULT_KINDS.values()) == {"contact", "resolved", "false_positive"}
    assert len(RESULT_CHOICES_EN) == len(RESULT_CHOICES)
