"""Program eligibility rules (placeholder until the rules land)."""


def close_statements(period_id: int, end_date) -> list[tuple[str, object]]:
    """The close's eligibility statements: (name, run(connection)) pairs, in order."""
    return []
