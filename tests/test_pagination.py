"""Paging: a page of a statement built once reuses its paged form (offset bound, not built
anew each request), and plain rows and mapped objects both page correctly."""

import sqlalchemy as sa

from portfolio import pagination
from portfolio.accounts.models import User
from portfolio.extensions import db
from portfolio.roles import Role

USERS = (
    sa.select(User.id, User.full_name)
    .where(User.role == sa.bindparam("role"))
    .order_by(User.full_name, User.id)
)


def test_pages_of_a_statement_built_once_reuse_its_paged_form(app, make_user):
    names = sorted(f"Learner {n:03}" for n in range(7))
    for name in names:
        make_user(Role.LEARNER, full_name=name)
    db.session.flush()
    seen = []
    before = pagination._paged.cache_info().hits  # noqa: SLF001
    for number in (1, 2, 3, 4):
        with app.test_request_context(f"/?page={number}"):
            page = pagination.paginate(USERS, rows=True, params={"role": Role.LEARNER}, per_page=3)
            seen.append([row.full_name for row in page.items])
            assert page.total == 7
    assert seen == [names[:3], names[3:6], names[6:], []]
    assert pagination._paged.cache_info().hits - before >= 3  # noqa: SLF001
    with app.test_request_context("/?page=2"):
        page = pagination.paginate(sa.select(User).order_by(User.full_name), per_page=3)
        assert [u.full_name for u in page.items] == names[3:6] and page.total == 7
        assert all(isinstance(u, User) for u in page.items)


def test_only_whole_entities_need_the_orm():
    """Pages of columns (mapped attributes too) run on the connection; a mapped class or an
    alias of one selected whole needs the session."""
    import sqlalchemy.orm as so

    assert pagination._paged(USERS, 3, True)[1]  # noqa: SLF001
    assert pagination._paged(sa.select(User.__table__.c.id), 3, True)[1]  # noqa: SLF001
    with_count = sa.select(User, sa.func.count().over().label("n"))
    assert not pagination._paged(with_count, 3, True)[1]  # noqa: SLF001
    assert not pagination._paged(sa.select(so.aliased(User)), 3, False)[1]  # noqa: SLF001
