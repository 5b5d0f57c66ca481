"""Registers every console view and API; the order here is the menu's order."""


def register_views(appbuilder) -> None:
    pass
