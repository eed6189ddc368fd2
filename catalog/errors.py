"""The one exception type the catalog raises for bad input: its message is a single line for the user."""


class CatalogError(Exception):
    """A problem with catalog input or the database, worded for the person who caused it."""
