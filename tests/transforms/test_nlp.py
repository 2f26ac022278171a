"""Tests of transforms.nlp: sentence splitting."""

from __future__ import annotations

from transforms.nlp import split_sentences


def test_plain_sentences_split_on_terminal_punctuation() -> None:
    text = "Rivian cut prices. Lucid did not! Will Polestar follow? Nobody knows."
    assert split_sentences(text) == ["Rivian cut prices.", "Lucid did not!", "Will Polestar follow?", "Nobody knows."]


def test_legal_suffixes_do_not_end_sentences_before_names() -> None:
    text = "Kia Corp. and Mazda Motor Co. Ltd. agreed on Tuesday. They gave no figures."
    assert split_sentences(text) == ["Kia Corp. and Mazda Motor Co. Ltd. agreed on Tuesday.", "They gave no figures."]


def test_ambiguous_abbreviation_ends_sentence_only_before_an_opener() -> None:
    text = "U.S. Commerce Secretary Ann Lee visited the U.S. The trip was short."
    assert split_sentences(text) == ["U.S. Commerce Secretary Ann Lee visited the U.S.", "The trip was short."]


def test_months_titles_and_initials_never_end_sentences() -> None:
    text = "On Sept. 3 Dr. Ng met J. K. Rowe in St. Louis. Talks went well."
    assert split_sentences(text) == ["On Sept. 3 Dr. Ng met J. K. Rowe in St. Louis.", "Talks went well."]


def test_closing_quote_ends_sentence_and_paragraphs_never_join() -> None:
    text = 'He said "we are done." Then he left\n\nA new paragraph.'
    assert split_sentences(text) == ['He said "we are done."', "Then he left", "A new paragraph."]


def test_sentences_are_exact_substrings() -> None:
    text = "Shares rose 3.5% in Hong Kong.  Analysts, e.g. at Jefferies, cheered.\nEnd."
    assert all(s in text for s in split_sentences(text))
    assert len(split_sentences(text)) == 3
