"""Keyword search over a case's title and description.

Chinese keywords are mostly two characters (欠薪, 噪音), too short for trigram indexes. On
PostgreSQL each case's text is indexed by its distinct character pairs (a GIN index over
`concord_bigrams(title, description)`, migration 0013): a keyword's pairs narrow the cases
through the index, then the substring match decides. A one-character keyword, and SQLite,
match the substring alone.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import connections, models
from django.db.models import F, Func, Q, QuerySet

FUNCTION = "concord_bigrams"
INDEX = "case_text_bigrams_gin"

CREATE_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(title text, body text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{{}}')
    FROM (SELECT lower(title || ' ' || body) AS t) AS text,
         generate_series(1, char_length(t) - 1) AS i
$$;
SET LOCAL maintenance_work_mem = '256MB';
CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case USING gin ({FUNCTION}(title, description));
"""
DROP_SQL = f"DROP INDEX IF EXISTS {INDEX}; DROP FUNCTION IF EXISTS {FUNCTION}(text, text);"


class TextBigrams(Func):
    """The SQL side of `bigrams`: the expression the GIN index is built on."""

    function = FUNCTION
    output_field = ArrayField(models.TextField())


def bigrams(text: str) -> list[str]:
    text = text.lower()
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


def matching(cases: QuerySet, text: str) -> QuerySet:
    """The case whose tracking code is `text`, else the cases whose title or description
    contains it."""
    code = text.upper()
    if code.isascii() and code.isalnum() and cases.filter(tracking_code=code).exists():
        return cases.filter(tracking_code=code)
    contains = Q(title__icontains=text) | Q(description__icontains=text)
    pairs = bigrams(text)
    if not pairs or connections[cases.db].vendor != "postgresql":
        return cases.filter(contains)
    # Apart from the words, not OR-ed with them: the index answers the pairs, and the pairs
    # are not computed again for every row the words are checked on.
    cases = cases.alias(text_bigrams=TextBigrams(F("title"), F("description")))
    cases = cases.filter(text_bigrams__contains=pairs)
    if len(text) == 2 and not text[0].isspace() and not text[1].isspace():
        # Two characters are their one pair: the words need no second look (and the
        # planner's guess for LIKE, far too low, stays out of its plans).
        return cases
    return cases.filter(contains)
