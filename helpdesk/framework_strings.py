"""Django's and DRF's own strings that customers read, put in our catalogue.

Django's catalogues leave some of them out for a language (Brazilian Portuguese has no
"- Select an option -") or say them in a way we would not; our catalogue comes first in
LOCALE_PATHS, so marking them here (never imported: makemessages reads this file) gives
each the translation we chose. `tests/test_portal_languages.py` fails when a page shows a
string missing from the language's own catalogue.
"""

from django.utils.translation import gettext_noop

FRAMEWORK_STRINGS = (
    # the empty choice of a select that may stay empty (django.forms.widgets)
    gettext_noop("- Select an option -"),
    # get_object_or_404's message, which DRF shows as an API error
    gettext_noop("No %s matches the given query."),
)
