"""The back office's own pages draw their breadcrumbs as Django's admin does (an <ol> styled
in the header's bar); a <div class="breadcrumbs"> shows as plain text outside it."""

import re
from pathlib import Path

from django.conf import settings


def test_every_admin_template_draws_breadcrumbs_as_an_ordered_list():
    templates = Path(settings.BASE_DIR) / "templates" / "admin"
    drawn = {}
    for path in templates.rglob("*.html"):
        for tag in re.findall(r'<(\w+)[^>]*class="breadcrumbs"', path.read_text()):
            drawn.setdefault(tag, []).append(str(path.relative_to(templates)))
    assert drawn.keys() <= {"ol"}, drawn
    assert len(drawn.get("ol", [])) >= 10  # the pages of our own: found, not skipped
