"""The local read makes tasks as its rows come (index order) and hands them back by id, as the sorted list did."""

from __future__ import annotations

from pathlib import Path

from collabsync.model import NewTask, Status, TaskSpec, marker
from collabsync.providers.base import ProviderContext
from collabsync.providers.local import LocalProvider


def test_tasks_come_back_by_id_whatever_order_the_rows_come_in(tmp_path: Path) -> None:
    with LocalProvider("local", {}, ProviderContext(home=tmp_path)) as local:
        c = local.ensure_container("inst", "Inst", "", {})
        specs = [TaskSpec(f"k{i}", f"T{i}", "sales", start=None) for i in range(6)]
        created = list(local.create_tasks(c, [NewTask(s, marker("inst", s.key)) for s in specs]))
        refs = [x.ref for x in created]
        assert all(refs)
        list(local.link_dependencies(c, [(refs[4], refs[1]), (refs[4], refs[0]), (refs[2], refs[5])]))
        # touched in reverse, so the container's index (by updated) gives the rows newest id first
        for ref in reversed(refs):
            local.set_status(c, str(ref), Status.IN_PROGRESS)
        rows = local.db.execute("SELECT id FROM tasks WHERE container_id = ?", (int(c.ref),)).fetchall()
        assert [r[0] for r in rows] != sorted(r[0] for r in rows)  # the case this test is about
        tasks = local.read_tasks(c)
        assert [t.ref for t in tasks] == sorted(refs, key=int)
        assert [t.key for t in tasks] == [s.key for s in specs]
        by_ref = {t.ref: t for t in tasks}
        assert sorted(by_ref[str(refs[4])].depends_on) == sorted([str(refs[0]), str(refs[1])])
        assert by_ref[str(refs[2])].depends_on == [str(refs[5])] and by_ref[str(refs[0])].depends_on == []
        assert {t.status for t in tasks} == {Status.IN_PROGRESS}
        assert local.read_tasks_for_counts(c) == [t.__class__(**{**vars(t), "depends_on": []}) for t in tasks]


def test_a_file_of_one_container_reads_the_same_dependencies_as_one_of_several(tmp_path: Path) -> None:
    with LocalProvider("local", {}, ProviderContext(home=tmp_path)) as local:
        c = local.ensure_container("inst", "Inst", "", {})
        specs = [TaskSpec(f"k{i}", f"T{i}", "sales") for i in range(5)]
        refs = [x.ref or "" for x in local.create_tasks(c, [NewTask(s, marker("inst", s.key)) for s in specs])]
        list(
            local.link_dependencies(c, [(refs[4], refs[3]), (refs[4], refs[0]), (refs[4], refs[2]), (refs[1], refs[0])])
        )
        alone = [t.depends_on for t in local.read_tasks(c)]  # every task of the file is the container's
        other = local.create_container("Other")
        (made,) = local.create_tasks(other, [NewTask(TaskSpec("x", "X", "sales"), "")])
        list(local.link_dependencies(other, [(made.ref or "", refs[1])]))
        assert [t.depends_on for t in local.read_tasks(c)] == alone  # read through the join to tasks
        assert alone == [[], [refs[0]], [], [], [refs[0], refs[2], refs[3]]]
        assert local.read_tasks(other)[0].depends_on == [refs[1]]
