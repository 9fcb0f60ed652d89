"""Hypothesis strategies shared by the test modules (one home for each generator)."""

from hypothesis import strategies as st

from netalgebra.pattern import SparsityPattern


@st.composite
def mask_lists(draw, max_depth=4, max_width=3, min_width=1):
    """Masks of a random pattern: 1..max_depth layers, widths in [min_width, max_width]."""
    depth = draw(st.integers(1, max_depth))
    widths = draw(st.lists(st.integers(min_width, max_width), min_size=depth + 1, max_size=depth + 1))
    masks = []
    for l in range(depth):
        bits = draw(st.lists(st.integers(0, 1), min_size=widths[l] * widths[l + 1],
                             max_size=widths[l] * widths[l + 1]))
        masks.append([bits[r * widths[l]:(r + 1) * widths[l]] for r in range(widths[l + 1])])
    return masks


@st.composite
def patterns(draw, max_depth=4, max_width=3, min_width=1, named=False):
    """A :class:`SparsityPattern` on :func:`mask_lists`; ``named`` also draws a short name."""
    masks = draw(mask_lists(max_depth=max_depth, max_width=max_width, min_width=min_width))
    name = draw(st.one_of(st.none(), st.text(max_size=8))) if named else None
    return SparsityPattern(masks, name)
