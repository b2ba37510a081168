"""Importing a centre's users from a CSV file, and the example file to start from. Routes of
the accounts blueprint (centre admins only, see views._centre_admins_only)."""

from flask import Response, make_response, render_template
from flask_login import current_user

from portfolio.accounts import user_import
from portfolio.accounts.forms import UserImportForm
from portfolio.accounts.views import bp
from portfolio.extensions import db


@bp.route("/users/import", methods=["GET", "POST"])
def import_users():
    form = UserImportForm()
    checked = file_name = None
    if form.validate_on_submit():
        upload = form.file.data
        file_name = (upload.filename or "the file")[:120]
        # One byte over the limit is enough to know the file is too large.
        data = upload.read(user_import.MAX_BYTES + 1)
        checked = user_import.check_file(data, centre=current_user.centre)
        if checked.ok:
            issued = user_import.import_people(checked, centre=current_user.centre)
            db.session.commit()
            # The passwords are shown once: a shared PC's Back button or cache must not.
            response = make_response(
                render_template("accounts/import_done.html", issued=issued, file_name=file_name)
            )
            response.headers["Cache-Control"] = "no-store"
            return response
        db.session.rollback()
    return render_template(
        "accounts/import.html",
        form=form,
        checked=checked,
        file_name=file_name,
        shown=user_import.MAX_PROBLEMS_SHOWN,
        columns=user_import.COLUMNS,
    )


@bp.get("/users/import/example.csv")
def import_example():
    return Response(
        user_import.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=users-example.csv"},
    )
