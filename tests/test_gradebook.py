"""The gradebook: one row per student x assignment x test; grading again replaces, never duplicates."""
from autograder.reports.gradebook import Gradebook
from autograder.grading.results import SubmissionResult, TestResult, failed_everywhere, read_result, write_result


def result(student, scores, assignment="01_bayes"):
    tests = tuple(TestResult(f"t{i}", 2.0, s, "passed" if s == 2.0 else "failed") for i, s in enumerate(scores))
    return SubmissionResult(student, assignment, tests, content_hash="abc", suite_hash="def")


def test_regrading_replaces_rows(tmp_path):
    with Gradebook(tmp_path / "g.sqlite") as book:
        book.record([result("ana", [2, 0, 2]), result("bo", [0, 0, 0])])
        book.record([result("ana", [2, 2])])  # re-graded with a suite that lost a test
        assert book.count_tests() == 5
        rows = {r.student: r for r in book.rows("01_bayes")}
        assert rows["ana"].score == 4 and rows["ana"].max_score == 4 and rows["bo"].score == 0
        assert book.problems() == []


def test_integrity_check_catches_a_tampered_score(tmp_path):
    with Gradebook(tmp_path / "g.sqlite") as book:
        book.record([result("ana", [2, 0])])
        book.db.execute("UPDATE submissions SET score = 100")
        assert book.problems() == ["ana/01_bayes: score 100.0 but its 2 tests add up to 2.0"]


def test_pass_rates_hardest_first(tmp_path):
    with Gradebook(tmp_path / "g.sqlite") as book:
        book.record([result("ana", [2, 0]), result("bo", [2, 0]), result("cy", [0, 2])])
        assert [(t, round(r, 2)) for t, _, r, _ in book.pass_rates("01_bayes")] == [("t1", 0.33), ("t0", 0.67)]


def test_grades_one_entry_per_student_and_assignment(tmp_path):
    with Gradebook(tmp_path / "g.sqlite") as book:
        book.record([result("ana", [2, 2]), result("bo", [2, 0]), result("ana", [2], "02_gradient_descent")])
        assert book.grades() == {"ana": {"01_bayes": 4, "02_gradient_descent": 2}, "bo": {"01_bayes": 2}}


def test_results_json_is_gradescope_shaped_and_roundtrips(tmp_path):
    original = result("ana", [2, 0])
    path = write_result(tmp_path, original)
    data = __import__("json").loads(path.read_text())
    assert set(data) >= {"score", "max_score", "execution_time", "output", "tests"}
    assert all(set(t) == {"name", "score", "max_score", "output", "visibility", "status"} for t in data["tests"])
    assert data["score"] == 2 and data["max_score"] == 4
    assert read_result(path) == original
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_failed_submission_still_lists_every_test():
    tests = [TestResult("a", 3.0), TestResult("b", 2.0, visibility="after_published")]
    failed = failed_everywhere("ana", "01_bayes", tests, "not_loaded", "bad notebook")
    assert failed.score == 0 and failed.max_score == 5
    assert [(t.name, t.output, t.visibility) for t in failed.tests] == [("a", "bad notebook", "visible"),
                                                                         ("b", "bad notebook", "after_published")]


def test_a_writer_killed_before_its_rename_leaves_nothing_once_the_result_is_written(tmp_path):
    (tmp_path / "ana").mkdir()
    (tmp_path / "ana" / ".results.json.k1ll3d.tmp").write_text('{"score": ')
    path = write_result(tmp_path, result("ana", [2, 0]))
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]
