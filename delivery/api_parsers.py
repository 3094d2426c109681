"""The API's JSON parser: bodies that would crash later are refused here with a 400.

The stdlib parser raises RecursionError (not ValueError) on deeply nested input, which
DRF does not catch; and JSON may carry lone surrogates ("\\ud800") that no database or
renderer can encode. Both are bad input, so both are a ParseError.
"""

import json
from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """JSONParser that refuses too deep nesting and lone surrogates with a 400."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            text = json.dumps(data, ensure_ascii=False)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
        try:
            # Encoding fails on a lone surrogate anywhere, keys included.
            text.encode("utf-8")
        except UnicodeEncodeError:
            message = _("The JSON holds an invalid character (a lone surrogate).")
            raise ParseError(message) from None
        return data
