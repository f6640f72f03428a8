"""The pieces of text that the search index stores, and the pieces a query term needs.

Korean glues particles to words (로드밸런싱은), so search matches a term anywhere in a text,
never as a whole word, and two-letter words (캐시, 교착) are common. Trigram indexes cannot
serve those, so a text is indexed by every single character and every pair of neighbouring
characters ("grams"). A text holding a term holds all of the term's grams; the few texts that
hold them all without holding the term are ruled out by comparing the text itself.
"""


def fold(text):
    """Text as search compares it: letter case and runs of whitespace do not matter."""
    return " ".join(text.casefold().split())


def text_grams(folded):
    """Every character and pair of neighbouring characters of a folded text, space-separated.

    A query term never holds a space, so pieces with one are left out; sorted so that the
    same text always gives the same value.
    """
    pieces = set(folded)
    pieces.update(map("".join, zip(folded, folded[1:])))
    return " ".join(sorted(piece for piece in pieces if " " not in piece))


def term_grams(term):
    """The grams that every text holding the folded `term` holds: all it has, up to two long."""
    if len(term) <= 2:
        return {term}
    return {term[i : i + 2] for i in range(len(term) - 1)}
