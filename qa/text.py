"""Text hygiene at the edge: what no stored text may hold.

XML 1.0 cannot carry C0 control characters other than tab, line feed and carriage return, so
one in an answer broke the Atom feed for everyone; a line break in a name broke every page
that shows the name in a heading or a link.
"""

import re

from django.core.validators import RegexValidator
from django.urls.converters import StringConverter
from django.utils.translation import gettext_lazy as _

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS_AND_CONTROLS = "\x00-\x1f\x7f\x85\u2028\u2029"


def without_control_characters(text):
    """`text` with the control characters a text box never means dropped; tab and newlines
    stay."""
    return CONTROL_CHARACTERS.sub("", text)


validate_one_line = RegexValidator(
    f"[{LINE_BREAKS_AND_CONTROLS}]",
    inverse_match=True,
    message=_("Use one line, without tabs or control characters."),
    code="not_one_line",
)


class OneLineConverter(StringConverter):
    """A path segment that could be a name: a URL holding a control character names no one,
    and PostgreSQL refuses NUL in a query, so it must not reach one."""

    regex = f"[^{LINE_BREAKS_AND_CONTROLS}]+"
