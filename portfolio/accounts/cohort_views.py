"""A centre's cohorts: the list, creating and editing one (its members picked a page at a
time from the centre's learners), and deleting one set in error. Routes of the accounts
blueprint (centre admins only, see views._centre_admins_only)."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from wtforms import SelectChoice

from portfolio import authz
from portfolio.accounts import queries, services
from portfolio.accounts.errors import AccountError
from portfolio.accounts.forms import CohortForm
from portfolio.accounts.models import Cohort, User
from portfolio.accounts.views import bp
from portfolio.auth.forms import ReauthForm
from portfolio.control_characters import without_control_characters
from portfolio.extensions import db
from portfolio.pagination import paginate
from portfolio.record_ids import record_id
from portfolio.roles import Role
from portfolio.url_slots import url_slot


def _cohort(cohort_id: int) -> Cohort:
    """A cohort of the admin's own centre, or 404: another centre's IDs are never found."""
    return db.first_or_404(authz.cohorts_managed_by(current_user).where(Cohort.id == cohort_id))


@bp.get("/cohorts")
def cohorts():
    page = paginate(
        queries.centre_cohorts(), rows=True, params={"centre_id": current_user.centre_id}
    )
    return render_template(
        "accounts/cohorts.html",
        page=page,
        cohort_url=url_slot("accounts.edit_cohort", "cohort_id"),
        grid_url=url_slot("reports.cohort_grid_page", "cohort_id"),
    )


def _learners(ids: list[int]) -> list[User]:
    """The learners of the admin's own centre among these IDs (others are never found)."""
    if not ids:
        return []
    query = authz.users_managed_by(current_user).where(User.id.in_(ids), User.role == Role.LEARNER)
    return list(db.session.scalars(query))


# Which learners the members page lists: {value: (label, available when creating)}.
SHOW = {
    "members": ("Members of this cohort", False),
    "unassigned": ("Learners in no cohort", True),
    "all": ("All learners", True),
}


@dataclass
class Picker:
    """One page of learners to choose members from, and which of them are members."""

    page: Pagination
    show: str
    q: str
    shown: list[int]
    #: The members among `shown` when the page was loaded, as "1,2,3": the form carries it, so
    #: a save applies only the ticks the admin changed (see _posted_changes).
    was: str

    def rows(self, form: CohortForm) -> list[tuple[int, str, bool]]:
        """(id, label, ticked) for each learner listed: rendered as plain checkboxes, since
        rendering 50 WTForms option widgets costs more than the rest of the page."""
        ticked = set(form.members.data or ())
        return [(c.value, c.label, c.value in ticked) for c in form.members.choices]


def _picker_label(learner) -> str:
    """'Name (email)', saying so when the account is deactivated: the board and dashboard
    leave such a learner off, so the admin should know before adding them."""
    label = f"{learner.full_name} ({learner.email})"
    return label if learner.active else f"{label}, deactivated"


def _picker(form: CohortForm, cohort: Cohort | None) -> Picker:
    """Set the members field's choices to one page of the centre's learners (plus any posted
    learner of the centre) and, on a GET, tick the members: a fixed number of queries
    however many learners there are."""
    q = without_control_characters(request.args.get("q", "")[:100])
    show = request.args.get("show", "members" if cohort else "all")
    if show not in SHOW or (cohort is None and not SHOW[show][1]):
        show = "all"
    listed, count, params = queries.cohort_picker(current_user.centre_id, show=show, q=q)
    params["cohort_id"] = cohort.id if cohort else 0
    page = paginate(listed, rows=True, params=params, count=count)
    listed = [(u.id, _picker_label(u)) for u in page.items]
    posted = {i for v in request.form.getlist("members") if (i := record_id(v)) is not None}
    extra = _learners(sorted(posted - {i for i, _ in listed}))
    listed += [(u.id, _picker_label(u)) for u in extra]
    form.members.choices = [SelectChoice(i, label) for i, label in listed]
    members = [u.id for u in page.items if u.member]
    if request.method == "GET":
        form.members.data = members
    # A form sent back with a problem keeps what its page was loaded with.
    was = request.form.get("was")
    if was is None:
        was = ",".join(str(i) for i in members)
    return Picker(page, show, q, [u.id for u in page.items], was)


def _posted_changes(form: CohortForm, cohort: Cohort | None) -> tuple[list[User], list[User]]:
    """Learners to add (ticked) and to remove (listed on the page but unticked). A post that
    does not say which learners its page listed only adds. When the post says which of them
    were members as its page was loaded (`was`), only the ticks the admin changed apply: a
    learner another admin removed meanwhile, still ticked on this older page, is not put back,
    nor one added meanwhile taken out."""
    ticked = _learners(form.members.data or [])
    shown = [i for v in request.form.getlist("shown") if (i := record_id(v)) is not None]
    kept = {u.id for u in ticked}
    if cohort is None:
        return ticked, []
    raw = request.form.get("was")
    if raw is None:
        return ticked, _learners([i for i in shown if i not in kept])
    was = {i for v in raw.split(",") if (i := record_id(v)) is not None}
    added = [u for u in ticked if u.id not in was]
    return added, _learners([i for i in shown if i in was and i not in kept])


@bp.route("/cohorts/new", methods=["GET", "POST"])
def new_cohort():
    form = CohortForm()
    picker = _picker(form, None)
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(
                centre=current_user.centre, name=form.name.data, description=form.description.data
            )
            services.change_cohort_members(cohort, add=_posted_changes(form, None)[0], remove=[])
        except AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field or "name").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Created the cohort {cohort.name}.", "success")
            return redirect(url_for("accounts.edit_cohort", cohort_id=cohort.id))
    return render_template(
        "accounts/cohort_form.html", form=form, cohort=None, picker=picker, show_options=SHOW
    )


def _text(value: str | None) -> str:
    """A posted text as stored: trimmed, line breaks as LF (a textarea posts CRLF)."""
    return (value or "").replace("\r\n", "\n").strip()


def _apply_text_changes(cohort: Cohort, form: CohortForm) -> None:
    """Set the name and description the admin changed on the page. The page carries both as
    it loaded them (`was_name`, `was_description`): one left as loaded is not written back,
    so a rename or new description saved meanwhile by another admin (or another tab) stands."""
    for attr, field in (("name", form.name), ("description", form.description)):
        loaded = request.form.get(f"was_{attr}")
        if loaded is None or _text(field.data) != _text(loaded):
            setattr(cohort, attr, _text(field.data))


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
def edit_cohort(cohort_id: int):
    cohort = _cohort(cohort_id)
    # Not obj=cohort: that would read cohort.members, loading every member as an object for
    # a field the picker fills from one page of rows.
    shown = {"name": cohort.name, "description": cohort.description}
    form = CohortForm(data=shown if request.method == "GET" else None)
    picker = _picker(form, cohort)
    if form.validate_on_submit():
        try:
            _apply_text_changes(cohort, form)
            add, remove = _posted_changes(form, cohort)
            joined, left = services.change_cohort_members(cohort, add=add, remove=remove)
            db.session.flush()
        except AccountError as exc:
            db.session.rollback()
            form.members.errors.append(exc.message)
        except sa.exc.IntegrityError:
            db.session.rollback()
            form.name.errors.append("This centre already has a cohort with that name.")
        else:
            db.session.commit()
            flash(f"Saved the cohort {cohort.name}: {joined} joined, {left} left.", "success")
            # Back to the same view of the picker: only its own filters, so that another name
            # in the query string (cohort_id, _scheme) cannot break the redirect.
            kept = {k: v for k, v in request.args.items() if k in ("show", "q", "page")}
            return redirect(url_for("accounts.edit_cohort", cohort_id=cohort.id, **kept))
    return render_template(
        "accounts/cohort_form.html",
        form=form,
        cohort=cohort,
        picker=picker,
        show_options=SHOW,
        # The name and description as the page first loaded them (see _apply_text_changes).
        loaded={
            "name": request.form.get("was_name", cohort.name),
            "description": request.form.get("was_description", cohort.description),
        },
        member_count=picker.page.total
        if picker.show == "members" and not picker.q
        else queries.member_counts([cohort.id]).get(cohort.id, 0),
    )


@bp.get("/cohorts/<int:cohort_id>/delete")
def confirm_delete_cohort(cohort_id: int):
    """What deleting the cohort would do, and the button; or why it cannot go yet."""
    cohort = _cohort(cohort_id)
    deletion = services.cohort_deletion(cohort)
    return render_template(
        "accounts/cohort_delete.html",
        cohort=cohort,
        deletion=deletion,
        refusal=None if deletion.allowed else services.cohort_in_use_message(cohort, deletion),
        form=ReauthForm(),
    )


@bp.post("/cohorts/<int:cohort_id>/delete")
def delete_cohort(cohort_id: int):
    cohort = _cohort(cohort_id)
    name = cohort.name
    try:
        zips = services.delete_cohort(cohort, by=current_user)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("accounts.confirm_delete_cohort", cohort_id=cohort_id))
    except sa.exc.IntegrityError:
        # An exercise, export or member was added between the check and the commit: it stays.
        db.session.rollback()
        cohort = _cohort(cohort_id)
        deletion = services.cohort_deletion(cohort)
        if deletion.allowed:
            message = f"{cohort.name} changed while it was being deleted. Check it, then try again."
        else:
            message = services.cohort_in_use_message(cohort, deletion)
        flash(message, "error")
        return redirect(url_for("accounts.confirm_delete_cohort", cohort_id=cohort_id))
    services.discard_export_zips(zips)
    flash(f"Deleted the cohort {name}. Its learners' accounts and work are unchanged.", "success")
    return redirect(url_for("accounts.cohorts"))
