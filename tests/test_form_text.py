"""Every text a user types into a form is checked for control characters beside its field
(accounts.forms.plain_text): PostgreSQL refuses a NUL (a server error) and SQLite stores it,
so a field without the check behaves differently on the two and shows garbage in PDFs."""

import importlib
import inspect
import pkgutil

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField

import portfolio
from portfolio.accounts.forms import plain_text

# Fields whose text is not stored as typed: an address the Email validator already limits to
# printable characters, a password (hashed, never shown), a hidden value the page set.
NOT_STORED_AS_TYPED = (EmailField, PasswordField, HiddenField)


def _forms() -> list[type[FlaskForm]]:
    forms = []
    for module in pkgutil.walk_packages(portfolio.__path__, "portfolio."):
        if ".migrations" in module.name:
            continue
        loaded = importlib.import_module(module.name)
        forms += [
            cls
            for _, cls in inspect.getmembers(loaded, inspect.isclass)
            if issubclass(cls, FlaskForm) and cls.__module__ == module.name
        ]
    return forms


def test_every_typed_text_field_refuses_control_characters(app):
    unchecked = []
    forms = _forms()
    assert len(forms) > 20
    for form in forms:
        for name, unbound in vars(form).items():
            kind = getattr(unbound, "field_class", None)
            if kind is None or not issubclass(kind, StringField):
                continue
            if issubclass(kind, NOT_STORED_AS_TYPED):
                continue
            validators = unbound.kwargs.get("validators") or (unbound.args[1:2] or [()])[0]
            if plain_text not in validators:
                unchecked.append(f"{form.__module__}.{form.__name__}.{name}")
    assert not unchecked, unchecked
