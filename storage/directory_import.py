"""Reading role files: CSV (`;` or `,`, with or without BOM), XLSX, and the KITOS usage export.

Every row is validated before anything is imported; problems carry the file's line number.
The result is a list of `ImportRow`s for `storage.directory_apply.apply_import`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from knowledge.schema import Pack
from storage.directory_apply import ImportRow
from storage.identity import clean_email

# Header names (compared lower-case, spaces collapsed, trailing "#" dropped) per field.
COLUMNS: dict[str, tuple[str, ...]] = {
    "system": ("system", "it-system", "it system", "systemnavn"),
    "role": ("rolle", "role"),
    "name": ("navn", "name"),
    "email": ("email", "e-mail", "mail", "e-mailadresse"),
    "org_unit": ("enhed", "org unit", "org. unit", "organisationsenhed", "org unit name"),
    "aliases": ("aliaser", "aliases", "alias"),
}
REQUIRED = ("system", "role", "name", "email")
KITOS_SYSTEM = ("it system", "it-system", "itsystem")
KITOS_ALIAS = ("lokal kaldenavn",)
KITOS_UNIT = ("ansv. organisationsenhed", "ansvarlig organisationsenhed")
KITOS_EMAIL_SUFFIXES = (" email", " e-mail", " emails", " e-mails")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file, at a line (0: the file as a whole)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"linje {self.line}: {self.message}" if self.line else self.message


class ImportFileError(Exception):
    """The file cannot be imported; `problems` lists every reason with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Table:
    """The cells of a file: a header and rows with their line numbers."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    header_line: int = 1


def _header_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().rstrip("#").strip().casefold()


def _cell(value: object) -> str:
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value).replace("\u00a0", " ")).strip()


def read_table(path: Path) -> Table:
    """The header and rows of a CSV or XLSX file (the first sheet)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    return read_csv(path.read_bytes())


def read_csv(data: bytes) -> Table:
    """A CSV table; UTF-8 with or without BOM, `;` or `,` taken from the header line."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            [Problem(line, "filen er ikke UTF-8 (gem den som 'CSV UTF-8' i Excel)")]
        ) from None
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)

    def numbered() -> Iterator[tuple[int, Iterable[object]]]:
        start = 1
        for cells in reader:  # a quoted cell may span lines: a row starts where the last ended
            yield start, cells
            start = reader.line_num + 1

    return _table(numbered(), empty="filen er tom")


def _table(lines: Iterable[tuple[int, Iterable[object]]], *, empty: str) -> Table:
    """The first non-blank line as the header, the later ones as rows; `empty` when none."""
    header: tuple[str, ...] | None = None
    header_line = 1
    rows: list[tuple[int, tuple[str, ...]]] = []
    for line, cells in lines:
        values = tuple(_cell(c) for c in cells)
        if not any(values):
            continue
        if header is None:
            header, header_line = values, line
        else:
            rows.append((line, values))
    if header is None:
        raise ImportFileError([Problem(0, empty)])
    return Table(header, tuple(rows), header_line)


def _read_xlsx(path: Path) -> Table:
    # Imported here: only a workbook import needs openpyxl, not `govbot serve` (demo data).
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError([Problem(0, f"kan ikke læse regnearket: {exc}")]) from None
    try:
        rows = enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
        return _table(rows, empty="regnearkets første ark er tomt")
    finally:
        workbook.close()


def parse_rows(table: Table, pack: Pack) -> list[ImportRow]:
    """Validated rows of the simple or the KITOS format; raises ImportFileError."""
    keys = [_header_key(h) for h in table.header]
    if any(k in KITOS_SYSTEM for k in keys) and not any(k in COLUMNS["role"] for k in keys):
        return _parse_kitos(table, keys, pack)
    return _parse_simple(table, keys, pack)


def _parse_simple(table: Table, keys: list[str], pack: Pack) -> list[ImportRow]:
    positions: dict[str, int] = {}
    for field_name, names in COLUMNS.items():
        for i, key in enumerate(keys):
            if key in names and field_name not in positions:
                positions[field_name] = i
    missing = [f for f in REQUIRED if f not in positions]
    if missing:
        wanted = ", ".join(f"'{COLUMNS[f][0].capitalize()}'" for f in missing)
        raise ImportFileError(
            [Problem(table.header_line, f"overskriften mangler kolonnen {wanted}")]
        )
    checker = _Checker(pack)
    rows: list[ImportRow] = []
    for line, cells in table.rows:

        def get(field_name: str, cells: tuple[str, ...] = cells) -> str:
            i = positions.get(field_name)
            return cells[i] if i is not None and i < len(cells) else ""

        system = get("system") or None
        aliases = tuple(a.strip() for a in get("aliases").split("|") if a.strip())
        rows.extend(
            checker.rows(
                line,
                role=get("role"),
                name=get("name"),
                email=get("email"),
                system=system,
                org_unit=get("org_unit") or None,
                aliases=aliases,
            )
        )
    checker.raise_if_any()
    return rows


def _parse_kitos(table: Table, keys: list[str], pack: Pack) -> list[ImportRow]:
    system_at = next(i for i, k in enumerate(keys) if k in KITOS_SYSTEM)
    alias_at = next((i for i, k in enumerate(keys) if k in KITOS_ALIAS), None)
    unit_at = next((i for i, k in enumerate(keys) if k in KITOS_UNIT), None)
    checker = _Checker(pack)
    roles: list[tuple[str, int, int]] = []  # role name, names column, emails column
    for i, header in enumerate(table.header):
        role = pack.role_by_name(header) if keys[i] not in KITOS_SYSTEM else None
        if role is None or keys[i].endswith(KITOS_EMAIL_SUFFIXES):
            continue
        emails_at = next(
            (j for j, k in enumerate(keys) if k in {keys[i] + s for s in KITOS_EMAIL_SUFFIXES}),
            None,
        )
        if emails_at is None:
            checker.problems.append(
                Problem(table.header_line, f"kolonnen '{header}' mangler kolonnen '{header} Email'")
            )
            continue
        roles.append((header, i, emails_at))
    if not roles:
        checker.problems.append(
            Problem(
                table.header_line, "ingen rollekolonner (fx 'Systemejer' og 'Systemejer Email')"
            )
        )
    checker.raise_if_any()

    def at(cells: tuple[str, ...], i: int | None) -> str:
        return cells[i] if i is not None and i < len(cells) else ""

    rows: list[ImportRow] = []
    for line, cells in table.rows:
        system = at(cells, system_at)
        if not system:
            checker.problems.append(Problem(line, "'IT System' er tom"))
            continue
        alias = at(cells, alias_at)
        for header, names_at, emails_at in roles:
            names = _split(at(cells, names_at))
            emails = _split(at(cells, emails_at))
            if len(names) != len(emails):
                checker.problems.append(
                    Problem(
                        line,
                        f"{header}: {len(names)} navn(e) men {len(emails)} e-mail(s) "
                        "— navne og e-mails skal stå i samme rækkefølge og passe sammen",
                    )
                )
                continue
            for name, email in zip(names, emails, strict=True):
                rows.extend(
                    checker.rows(
                        line,
                        role=header,
                        name=name,
                        email=email,
                        system=system,
                        aliases=(alias,) if alias and alias != system else (),
                        system_org_unit=at(cells, unit_at) or None,
                    )
                )
    checker.raise_if_any()
    return rows


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class _Checker:
    """Validates cells into rows and collects every problem."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.problems: list[Problem] = []
        self._names: dict[str, tuple[str, int]] = {}
        self._allowed = ", ".join(role.label_da for role in pack.roles)

    def rows(
        self,
        line: int,
        *,
        role: str,
        name: str,
        email: str,
        system: str | None,
        org_unit: str | None = None,
        aliases: tuple[str, ...] = (),
        system_org_unit: str | None = None,
    ) -> Iterator[ImportRow]:
        found = self.pack.role_by_name(role) if role else None
        problems: list[str] = []
        if not role:
            problems.append("rollen mangler")
        elif found is None:
            problems.append(f"ukendt rolle '{role}' (tilladte: {self._allowed})")
        elif found.scope != "organisation" and not system:
            problems.append(f"rollen '{found.label_da}' kræver et system")
        if not name:
            problems.append("navnet mangler")
        address = clean_email(email)
        if not address:
            problems.append("e-mailen mangler")
        else:
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError:
                problems.append(f"ugyldig e-mail '{email}'")
            else:
                known = self._names.setdefault(address, (name, line))
                if name and known[0] != name:
                    problems.append(
                        f"'{address}' har navnet '{known[0]}' i linje {known[1]} men '{name}' her"
                    )
        if problems:
            self.problems.extend(Problem(line, p) for p in problems)
            return
        assert found is not None
        for role_key in self.pack.expand_role(found.key):
            yield ImportRow(
                line=line,
                role_key=role_key,
                name=name,
                email=address,
                system=system,
                org_unit=org_unit,
                aliases=aliases,
                system_org_unit=system_org_unit,
            )

    def raise_if_any(self) -> None:
        if self.problems:
            raise ImportFileError(sorted(self.problems, key=lambda p: p.line))


def read_import(path: Path, pack: Pack) -> list[ImportRow]:
    """Read and validate an import file; raises ImportFileError listing every problem."""
    if not path.is_file():
        raise ImportFileError([Problem(0, f"filen findes ikke: {path}")])
    return parse_rows(read_table(path), pack)
