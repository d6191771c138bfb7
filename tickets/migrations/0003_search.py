"""Full-text search in English and Chinese (see docs/search.md).

PostgreSQL's parsers do not segment Chinese, so every run of CJK characters is indexed as its
overlapping two-character bigrams (plus the run's last character on its own, so that a
one-character query can match as a prefix). English goes through the ``english`` configuration
(stemming, stop words). Tickets and messages get a STORED generated ``search_vector`` column with
a GIN index; because the columns are generated, rows loaded by COPY or the ORM are indexed
without any application code.

Nothing depends on the database's locale: full-width forms are NFKC-normalised (ＭＴ５ becomes
MT5), and CJK characters and non-ASCII punctuation are cut out of the English part. Under the
C locale PostgreSQL's parser takes every non-ASCII character for a letter, so 「登入」 or “login”
would otherwise become one glued word.

Articles get the same kind of column (titles A, texts B, both languages).

The columns are deliberately not model fields: the ORM would otherwise read the vectors with
every ticket, message and article it loads. Only ``tickets/selectors/search.py`` reads them, by
name.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# Han (with extension A, compatibility ideographs and the supplementary planes), kana and
# bopomofo. Kept in step with tickets.selectors.search.CJK_CHARACTERS.
CJK = (
    r"\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\U00020000-\U0003134f"
)
# Punctuation and symbols outside ASCII: Latin-1's, general punctuation (“ ” – …), arrows and
# shapes, CJK punctuation (「」，。), CJK compatibility and full-width forms, emoji.
SEPARATORS = (
    r"\u00a0-\u00bf\u2000-\u2bff\u3000-\u303f\ufe30-\ufe4f\uff00-\uffef"
    r"\U0001f000-\U0001faff"
)

# The SQL functions use SQL-standard bodies (PostgreSQL 14+), parsed once, here: the functions
# they call are bound by identity, not looked up through search_path when they run (PostgreSQL
# 17+ runs index builds, ANALYZE and VACUUM with search_path = pg_catalog). The PL/pgSQL one
# calls built-in functions only.
FUNCTIONS = [
    rf"""
CREATE FUNCTION supportdesk_search_document_unicode(input text, weight "char") RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  -- NFKC (full-width ＭＴ５ -> MT5) only where it can change something: it costs as much as
  -- the English parsing.
  normalized text := CASE WHEN input ~ '[\uf900-\ufaff\uff00-\uffef]'
                          THEN normalize(input, NFKC) ELSE input END;
  run text;
  pairs text[] := '{{}}';
BEGIN
  FOR run IN SELECT m[1] FROM regexp_matches(normalized, '[{CJK}]+', 'g') AS m LOOP
    -- Each run's overlapping pairs, then its last character alone (substr past the end).
    FOR i IN 1..char_length(run) LOOP
      pairs := pairs || substr(run, i, 2);
    END LOOP;
  END LOOP;
  RETURN setweight(
    to_tsvector('pg_catalog.english',
                regexp_replace(normalized, '[{CJK}{SEPARATORS}]+', ' ', 'g'))
    || to_tsvector('pg_catalog.simple', array_to_string(pairs, ' ')),
    weight);
END
$fn$
""",  # noqa: S608 - constant SQL
    """
COMMENT ON FUNCTION supportdesk_search_document_unicode(text, "char") IS
  'supportdesk_search_document() of a text that is not plain ASCII: NFKC where full-width forms '
  'or compatibility ideographs occur, English words without '
  'CJK or punctuation, and the bigrams of every CJK run, each run followed by its last '
  'character alone: 無法登入 -> 無法 法登 登入 入.'
""",
    r"""
CREATE FUNCTION supportdesk_search_document(input text, weight "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN input IS NULL OR input = '' THEN ''::tsvector
  WHEN input !~ '[^\u0001-\u007f]' THEN setweight(to_tsvector('pg_catalog.english', input), weight)
  ELSE supportdesk_search_document_unicode(input, weight)
END
""",
    """
COMMENT ON FUNCTION supportdesk_search_document(text, "char") IS
  'The search vector of a text: English words stemmed, CJK runs as bigrams, all with one weight.'
""",
    rf"""
CREATE FUNCTION supportdesk_search_query(input text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN querytree(query) = 'T' THEN NULL ELSE query END
  FROM (
    SELECT CASE
        WHEN numnode(latin) > 0 AND cjk IS NOT NULL THEN latin && cjk
        WHEN numnode(latin) > 0 THEN latin
        ELSE cjk
      END AS query
    FROM (
      SELECT
        CASE WHEN words ~ '\S' THEN websearch_to_tsquery('pg_catalog.english', words) END AS latin,
        (
          SELECT string_agg(
            CASE WHEN char_length(run.m[1]) = 1 THEN run.m[1] || ':*'
            ELSE (
              SELECT string_agg(substr(run.m[1], pos.i, 2), ' <-> ' ORDER BY pos.i)
              FROM generate_series(1, char_length(run.m[1]) - 1) AS pos(i)
            ) END,
            ' & ' ORDER BY run.n)::tsquery
          FROM regexp_matches(normalized, '[{CJK}]+', 'g') WITH ORDINALITY AS run(m, n)
        ) AS cjk
      FROM (
        SELECT normalized,
          regexp_replace(normalized, '[{CJK}{SEPARATORS}]+', ' ', 'g') AS words
        FROM (SELECT normalize(input, NFKC) AS normalized) AS nfkc
      ) AS split
    ) AS parts
  ) AS combined;
END
""",  # noqa: S608 - constant SQL
    """
COMMENT ON FUNCTION supportdesk_search_query(text) IS
  'The tsquery for what a user typed, parsed like the documents: English words as '
  'websearch_to_tsquery, each CJK run as a phrase of its bigrams (one character: a prefix), all '
  'required. NULL when nothing is searchable (empty, only stop words, or only negations, which '
  'no index can answer).'
""",
]

DROP_FUNCTIONS = [
    "DROP FUNCTION supportdesk_search_query(text)",
    'DROP FUNCTION supportdesk_search_document(text, "char")',
    'DROP FUNCTION supportdesk_search_document_unicode(text, "char")',
]

# New rows wait in a GIN index's pending list, which every search reads in full, until the
# inserting session or (auto)vacuum merges them. 1 MB instead of the default 4 MB keeps that read
# short; bulk loads merge a little more often. See docs/search.md.
PENDING_LIST_KB = 1024

COLUMNS = [
    """
ALTER TABLE tickets_ticket ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  supportdesk_search_document(subject, 'A') || supportdesk_search_document(description, 'B')
) STORED
""",
    (
        "CREATE INDEX ticket_search_idx ON tickets_ticket USING gin (search_vector)"
        f" WITH (gin_pending_list_limit = {PENDING_LIST_KB})"
    ),
    """
ALTER TABLE tickets_message ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  supportdesk_search_document(body, 'C')
) STORED
""",
    (
        "CREATE INDEX message_search_idx ON tickets_message USING gin (search_vector)"
        f" WITH (gin_pending_list_limit = {PENDING_LIST_KB})"
    ),
    """
ALTER TABLE tickets_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  supportdesk_search_document(title_en, 'A') || supportdesk_search_document(title_zh_hant, 'A')
  || supportdesk_search_document(body_en, 'B') || supportdesk_search_document(body_zh_hant, 'B')
) STORED
""",
    "CREATE INDEX article_search_idx ON tickets_article USING gin (search_vector)",
]

DROP_COLUMNS = [
    "ALTER TABLE tickets_article DROP COLUMN search_vector",
    "ALTER TABLE tickets_message DROP COLUMN search_vector",
    "ALTER TABLE tickets_ticket DROP COLUMN search_vector",
]


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_workspace"),
    ]

    operations = [
        # The knowledge-base suggestions use TrigramSimilarity.
        TrigramExtension(),
        migrations.RunSQL(FUNCTIONS, reverse_sql=DROP_FUNCTIONS),
        migrations.RunSQL(COLUMNS, reverse_sql=DROP_COLUMNS),
    ]
