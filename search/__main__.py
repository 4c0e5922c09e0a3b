"""`python -m search …` is `archivio …`."""

from search.cli import main

main(prog_name="archivio")
