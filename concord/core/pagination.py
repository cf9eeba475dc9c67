"""Lists that count at most so many rows.

Counting a county's million cases costs more than showing a page of them, and nobody reads
past the first few hundred. A list counts up to `LIST_COUNT_LIMIT` rows and then says "more
than": the pages stay as fast for the whole county as for one village.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


def capped_count(rows: QuerySet, limit: int) -> tuple[int, bool]:
    """The number of rows, at most `limit`, and whether that is all of them."""
    # Only the ids, in no order: the database may count from any index, skipping annotations.
    counted = rows.order_by().values("pk")[: limit + 1].count()
    return min(counted, limit), counted <= limit


def count_limit() -> int:
    return settings.CONCORD["LIST_COUNT_LIMIT"]


class CappedPaginator(Paginator):
    """A paginator whose `count` stops at the limit; `capped` says it did."""

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        return capped_count(self.object_list, count_limit())

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def capped(self) -> bool:
        return not self._counted[1]
