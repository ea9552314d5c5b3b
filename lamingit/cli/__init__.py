"""The ``lamingit`` command line (click): a thin shell over the API and the repository."""
