"""OpenAPI post-processing: document the error answers each operation can give.

drf-spectacular documents only an operation's success. Clients (and the schema fuzz
test) need the refusals too, in the shape the exception handler gives them: input
errors as {"field": ["message"]}, every other refusal as {"detail": "message"}.
"""

from typing import Any

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# Field names map to lists of messages; a whole-body error may also be a bare detail.
INPUT_ERRORS = {
    "type": "object",
    "additionalProperties": True,
    "description": "Messages per field (non_field_errors for the whole request).",
}


def _answer(description: str, component: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{component}"}
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _errors_of(method: str, operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    places = {parameter["in"] for parameter in operation.get("parameters", [])}
    public = {} in operation.get("security", [{}])
    errors = {}
    if method == "post" or "query" in places:
        errors["400"] = _answer(
            "Invalid input, or a step the rules refuse", "InputErrors"
        )
    if not public:
        errors["403"] = _answer("Not signed in, or the role may not do this", "Detail")
    if "path" in places:
        errors["404"] = _answer("No such object visible to the caller", "Detail")
    if method == "post" and "path" in places:
        errors["409"] = _answer("The object's status does not allow this", "Detail")
    return errors


def document_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Add the 400/403/404/409 answers (where they can happen) to every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Detail", DETAIL)
    schemas.setdefault("InputErrors", INPUT_ERRORS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code, answer in _errors_of(method, operation).items():
                responses.setdefault(code, answer)
    return result
