"""Reading a project's dependency files: requirements (includes, constraints, hashes, markers,
continuations, -e/VCS/URL/path lines), PEP 621 pyproject with groups, Poetry, uv.lock,
pylock.toml; malformed files are one line naming the file and the line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog.stacks.files import poetry_specifier, project_files, read_stack
from catalog.stacks.model import StackFileError

STACKS = Path(__file__).resolve().parents[1] / "support" / "fixtures" / "stacks"


def deps(path: Path) -> dict[str, tuple[str, str | None, str]]:
    stack = read_stack([path])
    return {n: (d.requirement, d.pinned, d.kind) for n, d in stack.dependencies.items()}


def test_requirements_with_includes_constraints_hashes_and_markers():
    got = deps(STACKS / "reqs" / "requirements.txt")
    assert got["django"] == ("Django==1.10", "1.10", "pypi")  # continued over three lines
    assert got["django-crispy-forms"] == ("django-crispy-forms==1.6.0", "1.6.0", "pypi")
    assert got["djangorestframework"][1] == "3.4.4"  # a trailing comment dropped
    assert got["django-redis"] == (
        'django-redis==4.4.4 ; python_version >= "3.6"',
        "4.4.4",
        "pypi",
    )
    assert got["redis"] == ("redis>=2.10.0", None, "pypi")
    assert got["psycopg2"][1] == "2.6.2"  # extras
    assert got["requests"] == ("requests==2.11.0", "2.11.0", "pypi")  # from -r
    assert got["whitenoise"] == ("whitenoise>=3.2", "3.2.1", "pypi")  # pinned by -c
    assert got["django-local"][2] == "editable"
    assert got["local-tool"][2] == "url" and got["bar"][2] == "path"
    assert "pytest" not in got  # the index option is not a dependency
    stack = read_stack([STACKS / "reqs" / "requirements.txt"])
    assert stack.dependencies["django"].source.endswith("requirements.txt:6")
    assert stack.dependencies["requests"].source.endswith("base.txt:1")


def test_lines_not_from_pypi_are_named_after_what_they_install(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text(
        "https://files.example/dist/django_thing-2.0-py3-none-any.whl\n"
        "./vendor/django-other-1.4.tar.gz\n"
        "celery @ https://files.example/celery.zip\n"
        "git+https://github.com/example/tool.git@v1#egg=Django_Tool\n"
        "/opt/src/plainpkg/\n"
    )
    got = deps(path)
    assert got["django-thing"][2] == "url"  # the wheel's project, not its file name
    assert got["django-other"][2] == "path"  # the sdist's project, without its version
    assert got["celery"] == ("celery @ https://files.example/celery.zip", None, "url")
    assert got["django-tool"][2] == "vcs" and got["plainpkg"][2] == "path"


@pytest.mark.parametrize(
    "included, says",
    [
        ("-r missing.txt\n", "missing.txt: No such file"),
        ("-r ../requirements.txt\n", "requirements.txt includes itself"),  # a cycle
    ],
)
def test_an_include_that_cannot_be_read_names_the_line_that_includes_it(tmp_path, included, says):
    (tmp_path / "requirements.txt").write_text("django==5.2\n-r sub/more.txt\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "more.txt").write_text(included)
    with pytest.raises(StackFileError) as caught:
        read_stack([tmp_path / "requirements.txt"])
    error = str(caught.value)
    assert error.startswith(f"{tmp_path / 'sub' / 'more.txt'}:1: ")  # the -r line, first
    assert says in error and "\n" not in error


def test_pep621_with_extras_and_dependency_groups():
    got = deps(STACKS / "pep621" / "pyproject.toml")
    assert got["django"] == ("Django>=4.2,<5.0", None, "pypi")
    assert got["djangorestframework"][1] == "3.13.1"
    assert got["django-redis"][1] == "5.2.0"  # an optional dependency
    assert got["pytest"][0] == "pytest>=8" and got["ruff"][1] == "0.6.0"  # include-group


def test_poetry_constraints_become_pep_440():
    got = deps(STACKS / "poetry" / "pyproject.toml")
    assert "python" not in got
    assert got["django"] == ("django>=4.2,<5", None, "pypi")
    assert got["djangorestframework"] == ("djangorestframework==3.13.1", "3.13.1", "pypi")
    assert got["django-crispy-forms"][0] == "django-crispy-forms>=1.14.0,<1.15"
    assert got["django-local"][2] == "vcs"
    assert got["pytest"][0] == "pytest>=7.0,<8"  # a group
    assert poetry_specifier("^0.2.3") == ">=0.2.3,<0.3"
    assert poetry_specifier("~1") == ">=1,<2"
    assert poetry_specifier(">=1.2,<2.0") == ">=1.2,<2.0"
    assert poetry_specifier("*") == ""


def test_uv_lock_locks_every_package_but_the_project():
    got = deps(STACKS / "uvproj" / "uv.lock")
    assert set(got) == {
        "asgiref", "django", "django-crispy-forms", "djangorestframework", "pytz", "sqlparse"
    }  # fmt: skip
    assert got["django"] == ("django==4.2.11", "4.2.11", "pypi")
    source = read_stack([STACKS / "uvproj" / "uv.lock"]).dependencies["sqlparse"].source
    path, line = source.rsplit(":", 1)  # its own [[package]], not a dependency list's line
    assert path == "uv.lock"  # relative to the project directory
    lines = (STACKS / "uvproj" / path).read_text().splitlines()
    assert lines[int(line) - 1] == 'name = "sqlparse"'


def test_pylock(tmp_path):
    path = tmp_path / "pylock.toml"
    path.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\n\n'
        '[[packages]]\nname = "django"\nversion = "5.2.1"\n'
        '[[packages.wheels]]\nurl = "https://files.example/django-5.2.1-py3-none-any.whl"\n'
        'hashes = {sha256 = "' + "a" * 64 + '"}\n\n'
        '[[packages]]\nname = "local"\n[packages.directory]\npath = "./local"\n'
    )
    got = deps(path)
    assert got["django"] == ("django==5.2.1", "5.2.1", "pypi")
    assert got["local"][2] == "path"


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("requirements.txt", "django==1.2\ndjango>=>2\n", "requirements.txt:2: "),
        ("requirements.txt", "-r missing.txt\n", "missing.txt: No such file"),
        ("requirements.txt", "--frobnicate\n", "requirements.txt:1: unknown option --frobnicate"),
        ("requirements.txt", "-r requirements.txt\n", "includes itself"),
        (
            "requirements.txt",
            "django==5.2\n-r https://example.org/more.txt\n",
            "requirements.txt:2: -r https://example.org/more.txt: djp reads no file from the "
            "network; download it and name that file",
        ),
        ("pyproject.toml", "[project\ndependencies = []\n", "pyproject.toml:1: not valid TOML"),
        ("pyproject.toml", '[project]\ndependencies = ["django>=>2"]\n', "pyproject.toml:2: "),
        ("uv.lock", "version = 1\n", "no [[package]] tables"),
        ("pylock.toml", 'lock-version = "9.0"\n', "not a valid pylock file"),
        ("setup.cfg", "[metadata]\n", "not a dependency file djp reads"),
    ],
)
def test_a_malformed_file_is_one_line_naming_file_and_line(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(StackFileError) as caught:
        read_stack([path])
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_copy_elsewhere_reads_its_includes_relative_to_itself(tmp_path):
    shutil.copytree(STACKS / "reqs", tmp_path / "project")
    got = deps(tmp_path / "project" / "requirements.txt")
    assert got["requests"][1] == "2.11.0" and got["whitenoise"][1] == "3.2.1"


@pytest.mark.parametrize("name", ["requirements.txt", "pyproject.toml"])
def test_a_byte_order_mark_and_windows_line_ends_are_read_past(tmp_path, name):
    text = (
        "django==5.2.1\ndjango-crispy-forms>=2  # forms\n"
        if name == "requirements.txt"
        else '[project]\ndependencies = ["django==5.2.1", "django-crispy-forms>=2"]\n'
    )
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    got = deps(path)
    assert got["django"] == ("django==5.2.1", "5.2.1", "pypi")
    assert got["django-crispy-forms"] == ("django-crispy-forms>=2", None, "pypi")


def test_poetry_extras_stay_in_the_requirement(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        "[tool.poetry.dependencies]\n"
        'django-crispy-forms = { version = "~1.14.0", extras = ["bootstrap4", "x"] }\n'
        'celery = { version = "5.4.0", extras = ["redis"] }\n'
    )
    got = deps(path)
    assert got["django-crispy-forms"][0] == "django-crispy-forms[bootstrap4,x]>=1.14.0,<1.15"
    assert got["celery"] == ("celery[redis]==5.4.0", "5.4.0", "pypi")
    path.write_text(
        '[tool.poetry.dependencies]\ncelery = { version = "5", extras = ["no good"] }\n'
    )
    with pytest.raises(StackFileError, match=r"pyproject.toml:2: celery: "):
        read_stack([path])


def test_files_and_sources_are_kept_relative_to_the_project(tmp_path, monkeypatch):
    """The same files read by an absolute path, or from another directory, are the same
    stack: nothing in the record names where djp was run from."""
    project = tmp_path / "site"
    shutil.copytree(STACKS / "reqs", project)
    monkeypatch.chdir(tmp_path)
    by_relative = read_stack([Path("site/requirements.txt")])
    monkeypatch.chdir(project)
    by_absolute = read_stack([project / "requirements.txt"])
    assert by_relative.files == by_absolute.files
    assert by_relative.files[0] == "requirements.txt"
    sources = {d.source for d in by_absolute.dependencies.values()}
    assert sources == {d.source for d in by_relative.dependencies.values()}
    assert all(not s.startswith("/") for s in sources), sources


def test_a_directory_stands_for_its_dependency_files(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["django"]\n')
    (tmp_path / "requirements-dev.txt").write_text("pytest\n")
    (tmp_path / "uv.lock").write_text("version = 1\n")
    (tmp_path / "notes.txt").write_text("not read\n")
    assert [p.name for p in project_files(tmp_path)] == [
        "pyproject.toml",
        "requirements-dev.txt",
        "uv.lock",
    ]  # what it declares, then its lock
    (tmp_path / "empty").mkdir()
    with pytest.raises(StackFileError, match=r"empty: no pyproject\.toml, requirements"):
        project_files(tmp_path / "empty")
