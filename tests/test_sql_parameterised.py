"""SQL stays parameterised: no query in the bot is built from strings (issue 10).

Every query goes through SQLAlchemy expressions; the few hand-written statements (advisory
locks, health checks, SQLite pragmas) are string literals with bound parameters. This test
reads the source of the bot (not tests or bench, whose data generators build their own
tables) and fails on any SQL-taking call whose statement is not a plain literal, and on any
f-string, `%` or `.format` that looks like SQL wherever it is.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["bot.py", "kkgbot", "handlers", "migrations"]

# Calls whose first argument is SQL text.
SQL_CALLS = {"text", "literal_column", "exec_driver_sql", "execute", "executemany", "scalar"}
SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|DROP\s+TABLE|CREATE\s+TABLE|"
    r"ALTER\s+TABLE|PRAGMA|WHERE)\b"
)


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _built_string(node: ast.AST) -> bool:
    """An expression that makes a string at run time: f-string, `+`, `%` or `.format`."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return any(
            isinstance(side, ast.Constant | ast.JoinedStr) and _stringish(side)
            for side in (node.left, node.right)
        ) or _built_string(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and isinstance(node.func.value, ast.Constant)
    return False


def _stringish(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _literal_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) + _literal_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _literal_text(node.func.value)
    return ""


def problems_in(source: str, where: str) -> list[str]:
    """Each string-built SQL statement in `source`, as `where:line: what`."""
    found: dict[int, str] = {}
    for node in ast.walk(ast.parse(source)):
        call = isinstance(node, ast.Call) and _call_name(node) in SQL_CALLS and node.args
        if call and _built_string(node.args[0]):
            found.setdefault(node.lineno, f"{_call_name(node)}() of a built string")
        if _built_string(node) and SQL_WORDS.search(_literal_text(node)):
            found.setdefault(node.lineno, "SQL built in a string")
    return [f"{where}:{line}: {what}" for line, what in sorted(found.items())]


def python_files() -> list[Path]:
    files = []
    for name in SOURCES:
        path = ROOT / name
        files.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return files


def test_the_bots_sql_is_never_built_from_strings():
    files = python_files()
    assert len(files) > 50, "the scan found too few files to be looking in the right place"
    problems = [
        p for f in files for p in problems_in(f.read_text("utf-8"), str(f.relative_to(ROOT)))
    ]
    assert problems == []


def test_the_check_catches_what_it_is_meant_to_catch():
    bad = """
from sqlalchemy import text
async def f(session, name, table):
    await session.execute(text(f"SELECT * FROM people WHERE name = '{name}'"))
    await session.execute(text("SELECT * FROM " + table))
    await conn.exec_driver_sql("DELETE FROM people WHERE id = %s" % name)
    query = "UPDATE people SET name = '{}' WHERE id = 1".format(name)
    sql = f"DELETE FROM outbox WHERE id = {name}"
"""
    assert [p.split(": ", 1)[0] for p in problems_in(bad, "x.py")] == [
        "x.py:4",
        "x.py:5",
        "x.py:6",
        "x.py:7",
        "x.py:8",
    ]
    good = """
from sqlalchemy import text, select
async def f(session, key, name):
    await session.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
    await session.execute(select(Person).where(Person.name == name))
    cur.execute("PRAGMA secure_delete=ON")
    log.info(f"sent {name} where it was due")
"""
    assert problems_in(good, "y.py") == []
