"""The problem details (RFC 9457) every error answer carries, as the OpenAPI document shows them:
each route lists the problems it may answer with (``responses=problems(404, 422)``), under
``application/problem+json``, the media type ``api/errors.py`` sends."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

PROBLEM_JSON = "application/problem+json"


class FieldProblem(BaseModel):
    """What is wrong with one field of the request."""

    field: str = Field(description="Where: `body.workflow_id`, `query.limit`, `cursor`…")
    message: str


class Problem(BaseModel):
    """An error answer: RFC 9457 problem details."""

    type: str = Field(
        description="A URI naming the kind of problem", examples=["/problems/not-found"]
    )
    title: str = Field(examples=["Not found"])
    status: int = Field(description="The HTTP status", examples=[404])
    detail: str = Field(examples=["session 'abc' not found"])
    errors: list[FieldProblem] = Field(
        default_factory=list, description="The fields at fault (present on 422 answers)"
    )


DESCRIPTIONS: dict[int, str] = {
    404: "Not found: nothing has that id",
    409: "Not allowed now: the lifecycle table refuses this move; the detail says what may follow",
    413: "The body is larger than the server accepts",
    422: "Invalid input: `errors` names each field at fault",
}


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema with its ``$defs`` put in place: a ``responses`` entry cannot point into
    ``components`` without a model, and a model would also list the schema under
    ``application/json``, which these answers never use."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


PROBLEM_SCHEMA = _inlined(Problem.model_json_schema(mode="serialization"))


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that may answer with these problem statuses.

    >>> sorted(problems(404, 422))
    [404, 422]
    >>> list(problems(404)[404]["content"])
    ['application/problem+json']
    """
    return {
        status: {
            "description": DESCRIPTIONS[status],
            "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }
