"""How the fake Stripe API speaks: bracketed form parameters in, Stripe errors out, prefixed ids."""

from __future__ import annotations

import itertools
import re
import secrets
from typing import Any


class StripeApiError(Exception):
    """Answered as Stripe does: an HTTP status and {"error": {"type", "message", "code", "param"}}.

    Empty fields are left out.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {
                k: v
                for k, v in {"type": type, "message": message, "code": code, "param": param}.items()
                if v
            }
        }


def nest_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Rebuild Stripe's bracketed form keys into dicts and lists of strings.

    `line_items[0][price_data][unit_amount]=5` becomes
    `{"line_items": [{"price_data": {"unit_amount": "5"}}]}`.
    """
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key) or [key]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    """Dicts whose keys are all indexes become lists."""
    if not isinstance(node, dict):
        return node
    items = {key: _listify(value) for key, value in node.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


def integer_param(name: str, value: Any) -> int:
    """The form value `value` of parameter `name` as an integer, or Stripe's 400 error."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeApiError(400, f"Invalid integer: {value}", param=name) from None


_counter = itertools.count(1)


def new_id(prefix: str) -> str:
    """A fresh object id in Stripe's style: `<prefix>_` then a counter and random hex."""
    return f"{prefix}_{next(_counter):04d}{secrets.token_hex(8)}"
