"""Hostile dependency files (GENERATED here, not real projects): devices, FIFOs, long lines,
include chains, large locks and credentials end in one line or are read, in bounded time
and memory, and no credential is ever stored or shown."""

from __future__ import annotations

import os

import msgspec
import pytest

from catalog.stacks.files import read_stack
from catalog.stacks.model import MAX_GROUP_DEPTH, MAX_INCLUDES, StackFileError
from eventstore import Store
from tests.support.cli import run_djp


def refused(path) -> str:
    with pytest.raises(StackFileError) as raised:
        read_stack([path])
    message = str(raised.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_not_read_named_linked_or_included(tmp_path, device):
    assert "not a dependency file" in refused(type(tmp_path)(device))
    linked = tmp_path / "linked" / "requirements.txt"  # a file name djp reads, on a device
    linked.parent.mkdir()
    linked.symlink_to(device)
    assert "not a regular file" in refused(linked)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"django\n-r {device}\n")
    assert "not a regular file" in refused(requirements)


def test_a_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "requirements.txt"
    os.mkfifo(fifo)
    assert refused(fifo).endswith("not a regular file; djp reads only files")


def test_a_file_over_the_limit_is_refused_whole(tmp_path):
    big = tmp_path / "requirements.txt"
    big.write_bytes(b"# padding\n" * (600 * 1024))  # 6 MB of comments
    assert "more than 5 MB" in refused(big)


@pytest.mark.parametrize(
    "line",
    [
        "django" + " " * 1_000_000 + "x",  # backtracked in the option stripping: > 120 s
        "django" + " -" * 500_000,
        "django==1.0 " + "\t" * 1_000_000 + "--hash=sha256:00",
    ],
)
def test_any_line_is_read_in_linear_time(tmp_path, line):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(line + "\n")
    try:
        stack = read_stack([requirements])
    except StackFileError as exc:  # refused in one line is fine too
        assert "\n" not in str(exc)
    else:
        assert list(stack.dependencies) == ["django"]


def test_a_requirement_past_the_limit_is_refused(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("a" * 20_000 + "\n")
    assert "a requirement of 20,000 characters; djp reads up to 10,000" in refused(requirements)


def groups_file(tmp_path, lines: list[str]):
    path = tmp_path / "pyproject.toml"
    path.write_text("[dependency-groups]\n" + "\n".join(lines) + "\n")
    return path


def test_groups_that_include_each_other_are_each_read_once(tmp_path):
    # each includes the next two: exponential when every path was read (25: 36 s)
    lines = [f'g{i} = [{{include-group = "g{i + 1}"}}, {{include-group = "g{i + 2}"}}, "p{i}"]'
             for i in range(25)]  # fmt: skip
    path = groups_file(tmp_path, [*lines, 'g25 = ["p25"]', 'g26 = ["p26"]'])
    assert len(read_stack([path]).dependencies) == 27


def test_a_deep_include_chain_and_a_cycle_are_refused_in_one_line(tmp_path):
    chain = [f'g{i} = [{{include-group = "g{i + 1}"}}]' for i in range(3000)] + ['g3000 = ["x"]']
    assert f"include each other more than {MAX_GROUP_DEPTH} deep" in refused(
        groups_file(tmp_path, chain)
    )
    cycle = ['a = [{include-group = "b"}]', 'b = [{include-group = "c"}]',
             'c = [{include-group = "a"}]']  # fmt: skip
    assert "dependency group a includes itself (a -> b -> c -> a)" in refused(
        groups_file(tmp_path, cycle)
    )


def test_a_lock_of_ten_thousand_packages_is_read(tmp_path):
    lock = tmp_path / "uv.lock"
    packages = "".join(
        f'\n[[package]]\nname = "generated-{i}"\nversion = "1.{i}"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        for i in range(10_000)
    )
    lock.write_text("version = 1\n" + packages)
    stack = read_stack([lock])
    assert len(stack.dependencies) == 10_000
    assert stack.dependencies["generated-9999"].source == f"uv.lock:{5 * 9999 + 4}"


def test_the_include_limit_is_what_it_says(tmp_path):
    def chain(count: int):
        for i in range(count):
            (tmp_path / f"r{i}.txt").write_text(f"-r r{i + 1}.txt\npkg{i}\n")
        (tmp_path / f"r{count}.txt").write_text("last\n")
        top = tmp_path / "requirements.txt"
        top.write_text("-r r0.txt\n")
        return top

    assert len(read_stack([chain(MAX_INCLUDES - 1)]).dependencies) == MAX_INCLUDES
    assert f"more than {MAX_INCLUDES} included files" in refused(chain(MAX_INCLUDES))


def test_credentials_are_never_stored_or_shown(tmp_path, store_path):
    project = tmp_path / "mysite"
    project.mkdir()
    (project / "requirements.txt").write_text(
        "--index-url https://alice:s3cr3t-index@pypi.example/simple\n"
        "private @ https://bob:s3cr3t-url@files.example/private-1.0.whl\n"
        "-e git+https://s3cr3t-token@github.com/org/tool.git#egg=tool\n"
        "django==5.2\n"
    )
    outputs = []
    for argv in (["stack", project, "--no-pypi"], ["stack", project, "--no-pypi", "--json"],
                 ["history", "stack:mysite"], ["log", "--json"]):  # fmt: skip
        code, out, err = run_djp("--store", store_path, *argv)
        assert code == 0, err
        outputs.append(out + err)
    assert not any("s3cr3t" in text for text in outputs)
    assert "https://bob:***@files.example/private-1.0.whl" in outputs[1]
    assert "git+https://***@github.com/org/tool.git" in outputs[1]
    with Store.open(store_path) as store:
        assert not any(b"s3cr3t" in msgspec.msgpack.encode(e.event) for e in store.read_all())


def test_credentials_in_an_error_are_hidden_too(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("-r https://carol:s3cr3t@example.com/base.txt\n")
    message = refused(requirements)
    assert "s3cr3t" not in message and "https://carol:***@example.com" in message


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_a_file_with_a_byte_order_mark_is_read_as_pip_reads_it(tmp_path, encoding):
    requirements = tmp_path / "requirements.txt"
    text = "django==5.2\ndjango-crispy-forms>=2\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # Python's utf-16-be writes no mark
    requirements.write_bytes(data)
    assert list(read_stack([requirements]).dependencies) == ["django", "django-crispy-forms"]


def test_an_undecodable_byte_names_its_line(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_bytes(b"django\nflask\ncaf\xe9-tools\n")
    assert refused(requirements) == f"{requirements}:3: not UTF-8 text (invalid continuation byte)"
