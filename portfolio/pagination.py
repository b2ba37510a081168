"""Paging lists: the page number from a request (bad input never reaches the database), and
one page of a select, as objects or as plain rows."""

import functools
from typing import Any

import sqlalchemy as sa
from flask import request
from flask_sqlalchemy.pagination import Pagination, SelectPagination

from portfolio.extensions import db

MAX_PAGE = 100_000
PER_PAGE = 50


def page_number() -> int:
    """The `page` query argument as a positive whole number; anything else reads as page 1."""
    raw = request.args.get("page", "1")
    try:
        value = int(raw)
    except ValueError:
        return 1
    return min(max(value, 1), MAX_PAGE)


class _Page(SelectPagination):
    """Flask-SQLAlchemy's select pagination, able to page plain rows as well as objects (a
    select of columns costs far less to load than ORM objects)."""

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        result = self._query_args["session"].execute(select, self._query_args["params"])
        return list(result.all() if self._query_args["rows"] else result.unique().scalars())

    def _query_count(self) -> int:
        """SELECT count(*) over the same FROM and WHERE: wrapping the select in a subquery
        (the default) rebuilds its column collection on every request, which costs more than
        the count itself. Grouped or distinct selects still count their subquery."""
        select = self._query_args["select"]
        if select._group_by_clauses or select._distinct:  # noqa: SLF001
            return super()._query_count()
        return self._query_args["session"].scalar(_count_of(select), self._query_args["params"])


@functools.lru_cache(maxsize=128)
def _count_of(select: sa.Select) -> sa.Select:
    """The COUNT for a select, remembered for statements built once (working out a select's
    FROM list is the costly part). Statements are immutable, so this caches no state."""
    count = sa.select(sa.func.count()).select_from(*select.get_final_froms())
    return count if select.whereclause is None else count.where(select.whereclause)


def paginate(
    select: sa.Select, *, rows: bool = False, params: dict | None = None, per_page: int = PER_PAGE
) -> Pagination:
    """One page (the request's `page` argument) of a select: ORM objects, or with `rows` the
    selected columns as rows; `params` for its bound parameters."""
    return _Page(
        select=select,
        session=db.session(),
        rows=rows,
        params=params or {},
        page=page_number(),
        per_page=per_page,
        error_out=False,
    )
