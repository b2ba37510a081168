"""Paging lists: the page number from a request (bad input never reaches the database), and
one page of a select, as objects or as plain rows."""

import functools
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, request
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
    """Flask-SQLAlchemy's select pagination, changed in two ways: it can page plain rows as
    well as objects (a select of columns costs far less to load than ORM objects), and the page
    query carries the total as `count(*) OVER ()`, so a page is one statement instead of two
    (a separate COUNT is run only for a page past the end)."""

    def _query_items(self) -> list[Any]:
        select, params = self._query_args["select"], self._query_args["params"]
        self._window_total = None
        windowed = self._query_args["count_select"] is None
        paged, plain = _paged(select, self.per_page, windowed)
        params = {**params, "page_offset": self._query_offset}
        session = self._query_args["session"]
        if self._query_args["rows"] and plain:
            session.flush()  # as the session's autoflush would, before reading around it
            rows = session.connection().execute(paged, params).all()
        elif self._query_args["rows"]:
            rows = session.execute(paged, params).all()
        else:
            rows = session.execute(paged, params).unique().all()
        if not windowed:
            return rows if self._query_args["rows"] else [row[0] for row in rows]
        self._window_total = rows[0][-1] if rows else None
        # Rows keep their trailing page_total column (rows have names, so templates and
        # callers reading them by name are unaffected); objects come out on their own.
        return rows if self._query_args["rows"] else [row[0] for row in rows]

    def _query_count(self) -> int:
        if self._query_args["count_select"] is not None:
            counted = (
                self._query_args["session"]
                .connection()
                .execute(self._query_args["count_select"], self._query_args["params"])
            )
            return counted.scalar()
        if self._window_total is not None:
            return self._window_total
        if self.page == 1:
            return 0
        select = self._query_args["select"]
        if select._group_by_clauses or select._distinct:  # noqa: SLF001
            return super()._query_count()
        return self._query_args["session"].scalar(_count_of(select), self._query_args["params"])


@functools.lru_cache(maxsize=256)
def _paged(select: sa.Select, per_page: int, windowed: bool) -> tuple[sa.Select, bool]:
    """A page of the select, the offset bound as :page_offset (with `windowed`, the total as
    a window count too), and whether it selects plain columns only (no mapped entity), which
    can run on the session's connection, skipping the ORM's result machinery
    (portfolio.reads). Remembered for statements built once: building it anew cost about as
    much as running it."""
    paged = select.add_columns(sa.func.count().over().label("page_total")) if windowed else select
    paged = paged.limit(per_page).offset(sa.bindparam("page_offset", type_=sa.Integer))
    # A mapped class or alias selected whole needs the ORM; columns (mapped attributes too)
    # come out the same from the connection.
    plain = not any(_is_entity(d["expr"]) for d in select.column_descriptions)
    return paged, plain


def _is_entity(expr: object) -> bool:
    return isinstance(expr, (type, so.util.AliasedClass))


@functools.lru_cache(maxsize=128)
def _count_of(select: sa.Select) -> sa.Select:
    """The COUNT for a select (working out a select's FROM list is the costly part, so it is
    remembered for statements built once; statements are immutable, so this caches no
    state)."""
    count = sa.select(sa.func.count()).select_from(*select.get_final_froms())
    return count if select.whereclause is None else count.where(select.whereclause)


def paginate(
    select: sa.Select,
    *,
    rows: bool = False,
    params: dict | None = None,
    count: sa.Select | None = None,
    per_page: int | None = None,
) -> Pagination:
    """One page (the request's `page` argument) of a select: ORM objects, or with `rows` the
    selected columns as rows; `params` for its bound parameters; `per_page` rows a page (by
    default the PER_PAGE setting). The total comes with the page
    (a window count), unless `count` gives a cheaper COUNT statement: pass one for long lists,
    where the window would make the database read every row rather than the first page."""
    return _Page(
        select=select,
        session=db.session(),
        rows=rows,
        params=params or {},
        count_select=count,
        page=page_number(),
        per_page=per_page or current_app.config.get("PER_PAGE", PER_PAGE),
        error_out=False,
    )
