"""Which submission counts and what lateness costs: read from a problem set's `policy` block.

```yaml
policy:
  counts: latest            # or: best
  deadline: 2026-12-01T23:59:00+01:00
  late_penalty_per_day: 0.1 # fraction of the score removed per started day late
  late_penalty_cap: 0.5     # never remove more than this fraction
```
"""

from __future__ import annotations

import difflib
import math
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grader.errors import SpecInvalid

DAY_SECONDS = 86_400


class Policy(BaseModel):
    """The grading policy of a problem set; every field has a lenient default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    counts: Literal["latest", "best"] = "latest"
    deadline: datetime | None = None
    late_penalty_per_day: float = Field(default=0.0, ge=0.0, le=1.0)
    late_penalty_cap: float = Field(default=1.0, ge=0.0, le=1.0)

    @field_validator("deadline")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        # A deadline without a zone is read as UTC, so comparisons never depend on the machine.
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, where: str = "policy") -> Policy:
        """Validate a policy block; errors name the field and suggest the nearest known one."""
        try:
            return cls.model_validate(data or {})
        except ValidationError as err:
            lines = []
            for item in err.errors():
                field = ".".join(str(p) for p in item["loc"]) or "(top level)"
                message = item["msg"]
                if item["type"] == "extra_forbidden":
                    near = difflib.get_close_matches(field, list(cls.model_fields), n=1)
                    message = "unknown field" + (f" (did you mean {near[0]!r}?)" if near else "")
                lines.append(f"{where}.{field}: {message}")
            raise SpecInvalid("The problem set's policy has errors:\n  " + "\n  ".join(lines)) from None

    def late_days(self, received_at: datetime) -> int:
        """Started days after the deadline (0 when on time or without a deadline)."""
        if self.deadline is None or received_at <= self.deadline:
            return 0
        return math.ceil((received_at - self.deadline).total_seconds() / DAY_SECONDS)

    def penalty_fraction(self, received_at: datetime) -> float:
        """The fraction of the score removed for lateness, capped."""
        return min(self.late_penalty_cap, self.late_penalty_per_day * self.late_days(received_at))
