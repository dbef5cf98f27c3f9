"""Form helpers every app's pages share."""

from django.core.exceptions import ValidationError


def add_service_error(form, error: ValidationError, renamed: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the form: on the field it names when the form has that field
    (``renamed`` maps a service's field name to the form's), else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    renamed = renamed or {}
    for field, errors in error.error_dict.items():
        name = renamed.get(field, field)
        form.add_error(name if name in form.fields else None, errors)
