"""Text answers re-flow a block scalar's lines into paragraphs before wrapping."""

from __future__ import annotations

from declog.render.history import _wrap


def test_lines_of_a_paragraph_are_joined_and_wrapped_once() -> None:
    text = "IDs are random. They\nare minted without coordination.\n\nA second paragraph.\n"
    assert _wrap(text, "  ", width=40) == [
        "  IDs are random. They are minted",
        "  without coordination.",
        "  ",
        "  A second paragraph.",
    ]


def test_list_items_stay_on_their_own_lines() -> None:
    assert _wrap("Steps:\n- one\n- two\n1. three", "", width=80) == ["Steps:", "- one", "- two", "1. three"]
