"""click, in Italian: help screens, usage lines and usage errors.

click marks its strings for gettext, but gettext picks the language from the environment
(`LANGUAGE`, `LANG`…), and Archivio speaks Italian whatever the locale says. So the
classes below use click's own extension points instead: a `HelpFormatter` for `Uso:`,
`Command.format_options` for the section titles, `get_help_option` for the help text,
parameter types with Italian messages, and usage errors rebuilt from the exception's
fields (`NoSuchOption.option_name`…) rather than from click's English sentence.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Sequence
from typing import Any

import click
from click.exceptions import NoArgsIsHelpError

from search.printable import one_line, printable

HELP_TEXT = "Mostra questo aiuto ed esce."
VERSION_TEXT = "Mostra la versione ed esce."
VERSION_MESSAGE = "%(prog)s, versione %(version)s"


class ItalianFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Uso: " if prefix is None else prefix)


class ItalianContext(click.Context):
    formatter_class = ItalianFormatter


class ItalianCommand(click.Command):
    """A command whose help and usage errors are Italian."""

    context_class = ItalianContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPZIONI]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_section(self, ctx, formatter, "Opzioni", click.Option)

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_section(self, ctx, formatter, "Argomenti", click.Argument)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            error.ctx = error.ctx or ctx  # some parser errors come without it: no usage line
            raise


class QueryCommand(ItalianCommand):
    """`archivio search Umerov -Trump`: a word starting with `-` that is not one of the
    command's options belongs to the query (click would read `-Trump` as `-T -r …`).

    Options keep working anywhere on the line, `--` still ends them, and an unknown long
    option (`--lmit`) is still an error: only single-dash words are taken as query words.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: set[str] = set()
        flags: set[str] = set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                names = {*param.opts, *param.secondary_opts}
                (flags if param.is_flag or param.count else takes_value).update(names)
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            name = arg.split("=", 1)[0]
            if arg == "--":
                words.extend(rest)
            elif name in takes_value:
                options.append(arg)
                if "=" not in arg:
                    value = next(rest, None)
                    if value is None:
                        raise ItalianUsageError(f"l'opzione {arg} vuole un valore", ctx)
                    options.append(value)
            elif name in flags or arg.startswith("--"):
                options.append(arg)
            else:
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words])


class ItalianGroup(ItalianCommand, click.Group):
    """The `archivio` group: Italian help, and every usage error shown in Italian."""

    command_class = ItalianCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "COMANDO [ARGOMENTI]...")
        super().__init__(*args, **kwargs)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_section(self, ctx, formatter, "Opzioni", click.Option)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Comandi"):
                formatter.write_dl(rows)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise italian_usage_error(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise italian_usage_error(error) from None


def _format_section(
    command: click.Command,
    ctx: click.Context,
    formatter: click.HelpFormatter,
    title: str,
    kind: type[click.Parameter],
) -> None:
    records = [
        record
        for param in command.get_params(ctx)
        if isinstance(param, kind) and (record := param.get_help_record(ctx)) is not None
    ]
    if records and (kind is click.Option or any(r[1] for r in records)):
        with formatter.section(title):
            formatter.write_dl(records)


class ItalianUsageError(click.UsageError):
    """A usage error shown as `Uso: …`, `Aiuto: … -h`, then `Errore: …` (exit code 2)."""

    def show(self, file: Any = None) -> None:
        if self.ctx is not None:
            click.echo(self.ctx.get_usage(), err=True)
            help_name = self.ctx.help_option_names[0] if self.ctx.help_option_names else None
            if help_name:
                click.echo(f"Aiuto: {self.ctx.command_path} {help_name}", err=True)
            click.echo(err=True)
        click.echo(f"Errore: {one_line(self.message)}", err=True)


def italian_usage_error(error: click.UsageError) -> click.UsageError:
    """`error` with its message in Italian (already Italian ones pass unchanged)."""
    if isinstance(error, ItalianUsageError | NoArgsIsHelpError):
        return error
    return ItalianUsageError(_italian_message(error), error.ctx)


def _italian_message(error: click.UsageError) -> str:
    if isinstance(error, click.NoSuchOption):
        return f"opzione sconosciuta: {error.option_name}" + _did_you_mean(error.possibilities)
    if isinstance(error, click.exceptions.NoSuchCommand):
        return f"comando sconosciuto: {error.command_name}" + _did_you_mean(error.possibilities)
    if isinstance(error, click.MissingParameter):
        return f"manca {_describe(error.param, error.ctx)}"
    if isinstance(error, click.BadParameter):
        return f"valore non valido per {_describe(error.param, error.ctx)}: {error.message}"
    if isinstance(error, click.BadOptionUsage):
        if error.message.endswith("does not take a value."):
            return f"l'opzione {error.option_name} non vuole un valore"
        if " requires " in error.message:
            return f"l'opzione {error.option_name} vuole un valore"
    for pattern, italian in _GENERAL:
        if match := pattern.fullmatch(error.message):
            return italian.format(**match.groupdict())
    return error.message


# Usage errors click raises with only a sentence (`ctx.fail`).
_GENERAL = (
    (re.compile(r"Got unexpected extra arguments? \((?P<args>.*)\)"), "argomenti in più: {args}"),
    (re.compile(r"Missing command\."), "manca il comando"),
)


def _did_you_mean(possibilities: Sequence[str] | None) -> str:
    if not possibilities:
        return ""
    return f" (forse {' o '.join(sorted(possibilities))}?)"


def _describe(param: click.Parameter | None, ctx: click.Context | None) -> str:
    if isinstance(param, click.Argument):
        return f"l'argomento {param.make_metavar(ctx) if ctx else param.name}".rstrip(".")
    if isinstance(param, click.Option):
        return f"l'opzione {' / '.join(param.opts)}"
    return "un parametro"


class Count(click.ParamType):
    """A whole number in [low, high], with Italian messages."""

    name = "numero"

    def __init__(self, low: int, high: int | None = None) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            number = value
        elif re.fullmatch(r"\s*[+-]?[0-9]{1,9}\s*", str(value)):
            number = int(value)
        else:
            self.fail(f"«{value}» non è un numero intero", param, ctx)
        if number < self.low or (self.high is not None and number > self.high):
            span = f"da {self.low} " + (f"a {self.high}" if self.high is not None else "in su")
            self.fail(f"{number} è fuori dall'intervallo ({span})", param, ctx)
        return number


class Choice(click.Choice):
    """click's Choice, with an Italian message that lists the valid values."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        self.fail(f"«{value}»; valori validi: {', '.join(map(str, self.choices))}", param, ctx)


class Number(click.ParamType):
    """A decimal number (`0.5`) from `low` up, with Italian messages."""

    name = "numero"

    def __init__(self, low: float) -> None:
        self.low = low

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            self.fail(f"«{value}» non è un numero (per esempio 2 o 0.5)", param, ctx)
        if number < self.low:
            self.fail(f"{value} è fuori dall'intervallo (da {self.low:g} in su)", param, ctx)
        return number


class PathType(click.Path):
    """click's Path, with Italian messages: click's own are English sentences, so on a
    failure the path is looked at again to say why."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(self._problem(value), param, ctx)

    def _problem(self, value: str | os.PathLike[str]) -> str:
        shown = f"«{printable(os.fsdecode(value))}»"
        try:
            mode = os.stat(value).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return f"{shown} non esiste"
        except OSError:
            return f"{shown} non si può aprire"
        if not self.file_okay and stat.S_ISREG(mode):
            return f"{shown} è un file, non una cartella"
        if not self.dir_okay and stat.S_ISDIR(mode):
            return f"{shown} è una cartella, non un file"
        if self.readable and not os.access(value, os.R_OK):
            return f"{shown} non si può leggere (permessi)"
        if self.writable and not os.access(value, os.W_OK):
            return f"{shown} non si può scrivere (permessi)"
        return f"{shown} non si può usare"


class Text(click.ParamType):
    """Text typed on the command line, made valid: bytes that are not UTF-8 (which Python
    keeps as lone surrogates, `$'\\xff\\xfe'`) become U+FFFD instead of failing later."""

    name = "testo"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            try:
                text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            except UnicodeEncodeError:
                text = printable(text)
        return text


TEXT = Text()
