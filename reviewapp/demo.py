"""What the demo review contains beyond its team. Each capability adds its part here,
idempotently, so a newcomer's first look shows the product at work."""


def load_demo_content(*, review, users, stdout) -> None:
    """Nothing beyond the team yet."""
