"""Tests for the prompt decomposer: one group per rule, then properties (hypothesis).

All prompts here are small examples written for these tests.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routesmith_mcp.engine.capabilities import HARD_DEBUGGING_SIGNALS
from routesmith_mcp.engine.decompose import _is_git_chore, decompose
from routesmith_mcp.engine.types import STEP_TYPES, DraftStep


def types(prompt: str) -> list[str]:
    return [s.type for s in decompose(prompt)]


def by_type(steps: list[DraftStep], t: str) -> DraftStep:
    return next(s for s in steps if s.type == t)


def check_invariants(prompt: str, steps: list[DraftStep]) -> None:
    seen: set[str] = set()
    for n, s in enumerate(steps, 1):
        assert s.id == f"s{n}"
        assert s.type in STEP_TYPES
        assert 0.0 <= s.confidence <= 1.0
        assert s.text
        if s.start >= 0:
            assert prompt[s.start : s.end] == s.text
        else:
            assert s.text in prompt
        assert set(s.depends_on) <= seen, "depends_on must name earlier steps only"
        seen.add(s.id)
    for s in steps:
        assert s.type != "debugging" or set(s.signals) <= HARD_DEBUGGING_SIGNALS


# --------------------------------------------------------------------------------------------- canonical
def test_canonical_plan_code_test_docs() -> None:
    prompt = "Plan this feature, implement it, add tests, and write docs"
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert [s.type for s in steps] == ["planning", "coding", "testing", "documentation"]
    plan, code, test, docs = steps
    assert code.id in test.depends_on
    assert plan.id in code.depends_on
    assert docs.depends_on and all(d in {plan.id, code.id, test.id} for d in docs.depends_on)
    assert code.id in docs.depends_on
    for s in steps:
        assert s.text != prompt and s.text in prompt
        assert s.confidence >= 0.7


# --------------------------------------------------------------------------------------------- splitting
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Add a logout button and then write tests for it.", ["coding", "testing"]),
        ("Explain how the cache works. Also refactor the cache module.", ["analysis", "refactor"]),
        ("1. Fix the crash on startup\n2. Update the README with the new flag", ["debugging", "documentation"]),
        ("- refactor the parser\n- add unit tests for the parser", ["refactor", "testing"]),
        (
            "First, design the schema. Then implement the migration. Finally, document it in the wiki.",
            ["planning", "coding", "documentation"],
        ),
        ("Rename the utils module, after that run the linter", ["refactor", "formatting"]),
    ],
)
def test_splits_into_requests(prompt: str, expected: list[str]) -> None:
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert [s.type for s in steps] == expected


def test_two_features_are_two_coding_steps() -> None:
    prompt = "Add a dark mode toggle to the settings page. Also add a CSV export button to the reports view."
    assert types(prompt) == ["coding", "coding"]


def test_sub_bullets_of_one_deliverable_are_one_step() -> None:
    prompt = "Create the user profile page with:\n- an avatar\n- a display name field\n- a bio section"
    steps = decompose(prompt)
    assert [s.type for s in steps] == ["coding"]
    assert steps[0].text.startswith("Create the user profile page")


def test_never_echoes_whole_prompt_when_several_things_are_asked() -> None:
    prompt = "fix the off-by-one in the pager and update the changelog"
    steps = decompose(prompt)
    assert [s.type for s in steps] == ["debugging", "documentation"]
    assert all(s.text != prompt for s in steps)


def test_list_under_a_header_without_a_request_keeps_its_items() -> None:
    prompt = "Here's what I need:\n1. Add a --dry-run flag\n2. Write tests for the flag\n3. Document it in the README"
    assert types(prompt) == ["coding", "testing", "documentation"]


def test_items_describing_a_document_are_its_content() -> None:
    prompt = "Write a CONTRIBUTING guide that covers:\n- how to explain a bug report\n- how to run the tests"
    assert types(prompt) == ["documentation"]


def test_context_description_is_not_a_request() -> None:
    prompt = (
        "Shoppers browse products, add items to a cart and check out. The cart total is wrong when a coupon is used."
    )
    assert types(prompt) == ["debugging"]


def test_plan_for_described_change_is_only_a_plan() -> None:
    assert types("We need to move auth to a separate service. Plan this.") == ["planning"]
    assert types("Plan the auth service first, then implement it.") == ["planning", "coding"]


def test_unrelated_plan_keeps_other_work() -> None:
    assert types("Fix the crash in the parser. Also plan the next release.") == ["planning", "debugging"]
    assert types("Logs show timeouts in the worker. Plan a fix.") == ["planning"]


def test_search_step_serves_the_fix() -> None:
    assert types("Go through the importer and fix the encoding bugs") == ["debugging"]
    assert types("Investigate the slow query and tell me what is wrong with it") == ["debugging"]


def test_coordinated_objects_of_different_kinds() -> None:
    assert types("Please update the version and the changelog") == ["coding", "documentation"]
    assert types("Rename the helpers module and update the imports") == ["refactor"]


def test_todo_list_items_are_requests() -> None:
    prompt = "Done:\n- login page\n\nStill needed:\n- password reset form\n- fix the broken logout link"
    assert types(prompt) == ["coding", "debugging"]


def test_review_criteria_belong_to_the_review() -> None:
    assert types("Review the PR and make sure it follows our style guide") == ["review"]


# --------------------------------------------------------------------------------------------- negation, deferral
@pytest.mark.parametrize(
    "prompt",
    [
        "Implement the retry logic. Don't add tests.",
        "Implement the retry logic, no tests needed.",
        "Implement the retry logic; I'll run the tests myself.",
        "Implement the retry logic. Do not write docs yet.",
    ],
)
def test_negated_requests_produce_no_step(prompt: str) -> None:
    assert types(prompt) == ["coding"]


def test_deferred_work_produces_no_step() -> None:
    assert types("Draft a plan for the billing module. Once I approve, implement it.") == ["planning"]
    assert types("Write a design doc for the queue; in the future we may add sharding.") == ["planning"] or types(
        "Write a design doc for the queue; in the future we may add sharding."
    ) == ["documentation"]


# --------------------------------------------------------------------------------------------- incidental words
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Implement a test runner for the CLI", ["coding"]),
        ("The docs page is broken, fix it", ["debugging"]),
        ("Fix the format of Header.tsx so the logo sits on the right", ["coding"]),
        ("How do I get Slack formatting like bold text in the bot's replies?", ["analysis"]),
        ("Fix the formatting of utils.py", ["formatting"]),
        ("Create a rule file that says to always write a failing test first", ["documentation"]),
        ("Fix the typos in the README", ["documentation"]),
    ],
)
def test_incidental_words(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


def test_lint_tooling_vs_linting() -> None:
    assert types("Set up eslint and prettier for the project") == ["coding"]
    assert types("run eslint and fix the warnings") == ["formatting"]
    assert types("run the tests and fix the failures") == ["testing", "debugging"]


# --------------------------------------------------------------------------------------------- questions
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("How does the session cache expire entries?", "analysis"),
        ("What does this regex match?", "analysis"),
        ("Why isn't the login form submitting?", "debugging"),
        ("Why does the worker crash with a KeyError?", "debugging"),
        ("How would you approach splitting this monolith?", "planning"),
        ("Is the feature complete and does it meet the requirements?", "review"),
        ("Can you add pagination to the orders endpoint?", "coding"),
        ("Could you run the test suite?", "testing"),
    ],
)
def test_questions(prompt: str, expected: str) -> None:
    assert types(prompt) == [expected]


# --------------------------------------------------------------------------------------------- failures
def test_failure_report_is_debugging() -> None:
    assert types("the server is not starting after the upgrade") == ["debugging"]
    assert types("checkout page crashes when the cart is empty") == ["debugging"]
    assert types("On the profile page, the upload button does nothing.") == ["debugging"]
    assert types("Add a retry wrapper. Tests should cover the timeout path.") == ["coding", "testing"]
    assert types("The CONTRIBUTING file is outdated and still mentions yarn") == ["documentation"]


def test_pasted_traceback_is_debugging_with_signal() -> None:
    prompt = (
        "getting this when I start the worker:\n"
        "Traceback (most recent call last):\n"
        '  File "worker.py", line 12, in <module>\n'
        "    main()\n"
        "KeyError: 'queue'\n"
    )
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert [s.type for s in steps] == ["debugging"]
    assert "traceback" in steps[0].signals


def test_hard_debugging_signals() -> None:
    s = decompose("The upload test fails intermittently, probably a race condition. Find the root cause and fix it.")
    dbg = by_type(s, "debugging")
    assert {"intermittent", "concurrency", "root_cause"} <= set(dbg.signals)
    s = decompose("The service has a memory leak after a day of uptime, fix it")
    assert "memory" in by_type(s, "debugging").signals
    assert decompose("Add a settings page")[0].signals == ()


# --------------------------------------------------------------------------------------------- git chores
def test_answer_then_proceed_is_coding() -> None:
    steps = decompose("Option 2, with the Redis cache. Go ahead.")
    assert [s.type for s in steps] == ["coding"] and steps[0].confidence <= 0.6


def test_git_state_question_is_not_work() -> None:
    assert types("Is everything committed and pushed? If so, update the changelog.") == ["documentation"]


def test_git_only_chores_produce_no_step() -> None:
    assert types("Update the README, then commit and push.") == ["documentation"]
    steps = decompose("commit and push")
    assert len(steps) == 1 and steps[0].confidence <= 0.35  # nothing typed: a low-confidence guess


# --------------------------------------------------------------------------------------------- ordering
def test_tests_after_code_unless_test_first() -> None:
    s = decompose("Write tests for the tax calculator and implement the calculator")
    assert [x.type for x in s] == ["coding", "testing"]
    assert s[0].id in s[1].depends_on
    s = decompose("Use TDD: write a failing test for the rounding bug first, then fix the bug.")
    assert [x.type for x in s] == ["testing", "debugging"]
    assert s[0].id in s[1].depends_on


def test_docs_after_change_and_review_last() -> None:
    s = decompose("Review the PR when done. Update the docs and add the export endpoint.")
    assert "review" in (s[0].type, s[-1].type)
    s = decompose("Update the docs for the export endpoint and implement the endpoint, then review everything")
    assert [x.type for x in s] == ["coding", "documentation", "review"]
    review = s[-1]
    assert set(review.depends_on) == {s[0].id, s[1].id}


def test_review_first_as_diagnostic_pass() -> None:
    assert types("Review my whole codebase, then clean up the duplicated helpers") == ["review", "refactor"]


def test_checkpoint_review_and_plan_for_listed_work() -> None:
    prompt = "Continue working on the importer, review what has been done so far, and make sure the tests pass"
    assert types(prompt) == ["review", "coding", "testing"]
    prompt = "1. Investigate the slow endpoints\n2. Document the findings\n3. Write a plan for the steps above"
    assert types(prompt)[0] == "planning"


def test_explicit_sequence_words_win() -> None:
    assert types("Update the README first, then add the feature flag") == ["documentation", "coding"]
    assert types("Add the feature flag after you update the README") != []


def test_analysis_before_planning_before_change() -> None:
    s = decompose("Implement the cache after you plan it. Investigate the current hit rate first.")
    order = [x.type for x in s]
    assert order.index("analysis") < order.index("coding")


def test_explaining_the_change_comes_after_it() -> None:
    assert types("Add a rate limiter and explain how it works") == ["coding", "analysis"]
    assert types("Explain how the cache works and add a TTL option") == ["analysis", "coding"]


def test_dependencies_are_selective() -> None:
    s = decompose("Fix the login bug, add a profile page, and add tests for the login fix")
    assert [x.type for x in s] == ["debugging", "coding", "testing"]
    assert s[0].depends_on == () and s[1].depends_on == ()


# --------------------------------------------------------------------------------------------- markers
def test_explicit_markers() -> None:
    prompt = "[plan] outline the sync protocol [code] build the sync client [test] cover reconnects [docs] usage page"
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert [s.type for s in steps] == ["planning", "coding", "testing", "documentation"]
    assert steps[1].text == "build the sync client"
    assert steps[0].confidence >= 0.9


def test_markdown_link_does_not_hijack() -> None:
    prompt = "Fix the crash in the importer, see [docs](http://example.com/docs) for the file format"
    assert types(prompt) == ["debugging"]
    prompt = "Refactor the client as described at https://example.com/[docs]/client.html"
    assert types(prompt) == ["refactor"]


# --------------------------------------------------------------------------------------------- confidence
def test_confidence_low_when_nothing_matched() -> None:
    s = decompose("banana")
    assert len(s) == 1 and s[0].confidence <= 0.35
    s = decompose("hmm?")
    assert len(s) == 1 and s[0].type == "analysis" and s[0].confidence <= 0.35
    s = decompose("Refactor the payment service into smaller modules")
    assert s[0].confidence >= 0.8


def test_empty_prompt() -> None:
    assert decompose("") == []
    assert decompose("   \n\t ") == []


# --------------------------------------------------------------------------------------------- other languages
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("napraw błąd w logowaniu", "debugging"),
        ("serwer nie działa", "debugging"),
        ("добавь кнопку выхода", "coding"),
        ("объясни, как работает кэш", "analysis"),
        ("corrige el error del formulario", "debugging"),
        ("agrega pruebas para el parser", "testing"),
        ("ajoute une page de connexion", "coding"),
        ("ログイン機能を実装してください", "coding"),
        ("修复登录错误", "debugging"),
        ("sửa lỗi đăng nhập", "debugging"),
        ("写文档", "documentation"),
    ],
)
def test_non_english(prompt: str, expected: str) -> None:
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert steps and steps[0].type == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("исправь падение парсера и добавь тесты", ["debugging", "testing"]),
        ("添加导出按钮，然后写测试", ["coding", "testing"]),
        ("thêm nút xuất và viết tài liệu", ["coding", "documentation"]),
    ],
)
def test_non_english_clauses(prompt: str, expected: list[str]) -> None:
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert [s.type for s in steps] == expected


def test_non_english_unknown_falls_back() -> None:
    steps = decompose("これはなんですか")
    assert len(steps) == 1 and steps[0].confidence <= 0.35


# --------------------------------------------------------------------------------------------- robustness
@pytest.mark.parametrize(
    "prompt",
    [
        "fix and " * 2000,
        "a" * 50_000,
        "[docs](" * 3000,
        "\x00\x00fix the bug\x00",
        "\ud800 fix \udfff the bug",
        "\u202eadd tests\u202c and \u200bupdate docs\u200b",
        "```\nunclosed fence\nfix it",
        "---\nfront: matter",
        "İstanbul ﬁx the ǅ bug",
        ", , , and and then then",
    ],
)
def test_odd_inputs(prompt: str) -> None:
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert steps


# --------------------------------------------------------------------------------------------- properties
_ALPHABET = st.sampled_from(
    list(string.ascii_letters + string.digits + " .,;:!?-*#\n\t[]()`'\"/")
    + ["\x00", "\ud800", "\u200b", "\u202e", "ß", "İ", "修", "й", "é", "。", "？"]
)
_WORDS = st.sampled_from(
    [
        "fix",
        "the",
        "bug",
        "and",
        "then",
        "add",
        "tests",
        "docs",
        "plan",
        "review",
        "don't",
        "?",
        ".",
        "\n",
        "- ",
        "1.",
        "[code]",
        "[docs](",
        "http://x/[test]",
        "error",
        "why",
        "refactor",
        "lint",
        "first",
        "finally",
        "it",
        "Traceback (most recent call last):",
        "```",
        "#",
        "please",
        "can you",
        "not",
        "README",
        "implement",
        "修复",
    ]
)
_PROMPTS = st.one_of(
    st.text(alphabet=_ALPHABET, max_size=300),
    st.lists(_WORDS, max_size=40).map(" ".join),
    st.text(max_size=200),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PROMPTS)
def test_property_invariants(prompt: str) -> None:
    steps = decompose(prompt)
    if not prompt.strip():
        assert steps == []
        return
    assert steps or _is_git_chore(prompt.lower()), "non-empty text gets a step unless it is a git-only chore"
    check_invariants(prompt, steps)
    assert decompose(prompt) == steps  # deterministic


# --------------------------------------------------------------------------------------------- long prompts
def test_request_at_the_end_of_a_huge_prompt_is_kept() -> None:
    prompt = "Refactor the parser module.\n" + "Context line about the parser.\n" * 2000 + "Then add unit tests."
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert [s.type for s in steps] == ["refactor", "testing"]
    assert steps[1].text == "Then add unit tests"


def test_huge_prompt_with_list_in_the_tail_keeps_valid_parents() -> None:
    prompt = "Note about the app.\n" * 1500 + "Please update the README:\n" + "- mention the new flag\n" * 50
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert "documentation" in [s.type for s in steps]


@pytest.mark.parametrize(
    "text",
    [
        'Traceback (most recent call last):\n  File "a.py", line 3, in <module>\nValueError: bad',
        "TypeError: x is undefined",
        "npm ERR! missing script",
        "    at Object.run (src/app.js:10:5)",
        "error TS2322: Type 'x' is not assignable",
        "Process exited with code 1",
        "E       assert 1 == 2",
        "plain prose about the layout, with no error output at all",
    ],
)
def test_error_output_detection_matches_reference_regex(text: str) -> None:
    from routesmith_mcp.engine.decompose import _ERROR_LINE_RE, _has_error_output

    prompt = "Intro line.\n" + text + "\n"
    assert _has_error_output(prompt, 0, len(prompt)) == (_ERROR_LINE_RE.search(prompt) is not None)


# --------------------------------------------------------------------------------------------- context, not requests
def test_rule_label_list_states_constraints_not_requests() -> None:
    prompt = (
        "Add a CSV export button to the reports page.\n\n"
        "Guidelines:\n- Write small functions\n- Document public helpers\n- Keep tests green\n"
    )
    assert types(prompt) == ["coding"]


def test_work_label_list_still_lists_work() -> None:
    prompt = "Add a CSV export button to the reports page.\n\nDocumentation requirements:\n- Update the README\n"
    assert types(prompt) == ["coding", "documentation"]


def test_rule_label_alone_still_counts() -> None:
    prompt = "Rules:\n- Fix the crash on startup\n"
    assert types(prompt) == ["debugging"]


def test_multiline_quotation_is_quoted_text() -> None:
    prompt = (
        "Here is my announcement for the mailing list, please proofread it.\n"
        '"Hi all, we shipped version 2.\n'
        "Please fix your configs and add the new key.\n"
        'Thanks!"\n'
    )
    assert "debugging" not in types(prompt)
    assert "coding" not in types(prompt)


def test_unclosed_quote_mark_does_not_swallow_the_rest() -> None:
    prompt = '"quick note\nAdd a logout button to the navbar.'
    assert types(prompt) == ["coding"]


def test_i_want_to_test_is_the_users_intent() -> None:
    prompt = "Add a retry limit to the uploader, I want to test the slow network case with it."
    assert types(prompt) == ["coding"]


def test_i_want_to_test_alone_still_gets_a_step() -> None:
    assert types("I want to test the login flow") == ["testing"]


def test_i_want_you_to_test_is_a_request() -> None:
    assert "testing" in types("Update the parser and I want you to test it against the fixtures.")


def test_validating_text_is_review_not_testing() -> None:
    prompt = "Read the install guide and validate that the steps make sense, then verify the command syntax."
    assert "testing" not in types(prompt)
    assert "review" in types(prompt)


def test_verifying_behavior_is_testing() -> None:
    assert types("Verify the export works with an empty table") == ["testing"]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Simplify the wording of the contributing guide.", ["documentation"]),
        ("Put each sentence of the changelog on its own line.", ["formatting"]),
        ("Put the save and cancel buttons on separate lines.", ["coding"]),
        ("Center the logo and increase the font size in the header.", ["coding"]),
        ("Reset the form after a successful submit.", ["coding"]),
    ],
)
def test_prose_edits_line_layout_and_common_change_verbs(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


def test_goal_section_restates_the_process_steps() -> None:
    prompt = (
        "# Ship the export\n\n## Goal\n\nImplement the CSV export for reports.\n\n"
        "## Steps\n\n1. Build the export endpoint\n2. Add tests for the endpoint\n"
    )
    assert types(prompt) == ["coding", "testing"]


def test_goal_section_alone_still_counts() -> None:
    prompt = "## Goal\n\nImplement the CSV export for reports.\n\n## Notes\n\nThe team uses pandas.\n"
    assert types(prompt) == ["coding"]


def test_summary_sentence_restates_the_request() -> None:
    prompt = "Add a pricing section under the hero. Essentially I want to make the page ready for customers."
    assert types(prompt) == ["coding"]


def test_pasted_fix_detail_is_part_of_the_requested_fix() -> None:
    prompt = (
        "Please apply the fix for these compiler errors:\n\n"
        "Here are the errors:\n"
        "main.c(10): error C2065: 'x': undeclared identifier\n\n"
        "Fix: Add the missing declaration of x before the loop."
    )
    assert types(prompt) == ["debugging"]


def test_request_after_a_paste_still_counts() -> None:
    prompt = "Here is the error log:\nTypeError: x is undefined\n\nFix it and add a regression test."
    assert types(prompt) == ["debugging", "testing"]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Review the codebase and tell me the next steps.", ["analysis", "planning"]),
        ("Review the repo to understand how the auth flow works.", ["analysis"]),
        ("Review the codebase for security issues.", ["review"]),
        ("Review the diff and tell me what you think.", ["review"]),
    ],
)
def test_reading_the_codebase_to_inform_is_analysis(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


def test_sentences_after_a_conventions_request_are_its_content() -> None:
    prompt = (
        "Add naming conventions to CONTRIBUTING.md\n"
        "Make sure every constant is on its own line.\n"
        "Functions use snake_case.\n"
    )
    assert types(prompt) == ["documentation"]


def test_intended_build_is_the_subject_of_the_requested_plan() -> None:
    prompt = "I want to build a habit tracker app for students. Turn this idea into a proposal with milestones."
    assert types(prompt) == ["planning"]


def test_i_want_you_to_build_with_a_plan_keeps_the_build() -> None:
    prompt = "I want you to build a habit tracker app. Make a plan first."
    assert types(prompt) == ["planning", "coding"]


def test_doing_a_search_is_analysis() -> None:
    assert types("Do a quick web search for the rate limits of the API.") == ["analysis"]


def test_same_file_asked_for_twice_is_one_step() -> None:
    prompt = "Write a CONTRIBUTING.md for new developers.\n\nKeep it short.\n\nThen update CONTRIBUTING.md with the release steps."
    assert types(prompt) == ["documentation"]


def test_different_files_are_two_steps() -> None:
    prompt = "Write a CONTRIBUTING.md for new developers. Then update SECURITY.md with the disclosure policy."
    assert types(prompt) == ["documentation", "documentation"]


def test_failure_reported_after_a_docs_request_keeps_prompt_order() -> None:
    prompt = "Update the README with the new flags. Also the settings page is broken on mobile, please fix it."
    assert types(prompt) == ["documentation", "debugging"]


def test_docs_still_follow_the_feature_they_describe() -> None:
    prompt = "Update the README for the export. Add a CSV option to the export."
    assert types(prompt) == ["coding", "documentation"]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Add a sentence explaining the retry policy.", ["documentation"]),
        ("Output the findings to notes/audit.md", ["documentation"]),
        ("Research caching libraries. Include the licensing terms in your research.", ["analysis"]),
        ("Add a spinner to the Analysis panel while the request runs.", ["coding"]),
        ("Add a spinner to the results box while the request runs.", ["coding"]),
    ],
)
def test_object_and_destination_decide_the_type(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Add a dark mode toggle. What do you think?", ["coding"]),
        ("Refactor the auth module. Does that make sense?", ["refactor"]),
        ("What do you think?", ["analysis"]),
        ("Fix the login bug.\nFix the login bug.", ["debugging"]),
    ],
)
def test_tag_questions_and_verbatim_repeats_add_no_step(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Write the whole plan into a markdown file.", ["documentation"]),
        ("Update the rollout plan doc, documenting what has been shipped so far.", ["documentation"]),
        ("Write a plan for the migration.", ["planning"]),
        ("Write a migration plan into docs/plan.md", ["planning"]),
    ],
)
def test_recording_an_existing_plan_is_documentation(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


def test_presenting_the_result_of_an_investigation_is_part_of_it() -> None:
    prompt = "1. Find the slowest endpoints in the access log\n   1. Group them by route\n   2. Display a table of the results\n2. Optimize the slowest one"
    assert types(prompt) == ["analysis", "refactor"]


def test_display_as_a_ui_change_is_coding() -> None:
    assert types("Display the user's avatar in the header.") == ["coding"]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Break this feature into tasks", ["planning"]),
        ("Outline the steps to migrate to Postgres", ["planning"]),
        ("How should we architect the sync service?", ["planning"]),
        ("Get rid of the duplicated validation code", ["refactor"]),
        ("Fix the bug but do not break the API.", ["debugging"]),
        ("Summarize the changes in CHANGELOG.md", ["documentation"]),
        ("Explain the setup in the docs", ["documentation"]),
        ("Explain how the cache works", ["analysis"]),
        ("Set up GitHub Actions to run tests on push", ["coding"]),
        ("Write tests for the CI workflow parser", ["testing"]),
        ("Look over my PR and point out problems", ["review"]),
        ("Point out where the config is loaded", ["analysis"]),
        ("Go through the code and check for security holes", ["review"]),
        ("Write the onboarding guide. Outline the setup steps in it.", ["documentation"]),
    ],
)
def test_common_phrasings(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Corrige el error del login y agrega pruebas.", ["debugging", "testing"]),
        ("Corrige le bug de connexion et ajoute des tests.", ["debugging", "testing"]),
        ("修复登录错误并添加测试。", ["debugging", "testing"]),
        ("更新文档并优化查询。", ["refactor", "documentation"]),
        ("Обнови зависимости и почисти код.", ["coding", "refactor"]),
        ("Diseña la arquitectura del servicio de pagos.", ["planning"]),
        ("为什么登录失败？", ["debugging"]),
        ("Fix login bug", ["debugging"]),
    ],
)
def test_more_languages(prompt: str, expected: list[str]) -> None:
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert [s.type for s in steps] == expected
    assert all(not s.text.startswith(("y ", "et ", "и ", "并")) for s in steps)


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Don't forget to update the changelog.", ["documentation"]),
        ("Do not forget to bump the version.", ["coding"]),
        ("Remember to add tests for the parser.", ["testing"]),
        ("Add the flag and mention it in the README.", ["coding", "documentation"]),
    ],
)
def test_reminders_are_requests(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Implement the export feature with unit tests.", ["coding", "testing"]),
        ("Add a delete button, including tests.", ["coding", "testing"]),
        ("Add tests with fixtures for the parser", ["testing"]),
        ("Write a README with examples", ["documentation"]),
        ("Update the page with the docs link", ["coding"]),
    ],
)
def test_work_that_comes_with_tests_or_docs(prompt: str, expected: list[str]) -> None:
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert [s.type for s in steps] == expected


def test_descriptive_context_sentences_are_not_requests() -> None:
    prompt = (
        "I'm building a small inventory app. Users can add items, edit them and see a dashboard. "
        "We store data in Postgres.\n\nPlease add pagination to the dashboard."
    )
    steps = decompose(prompt)
    assert [s.type for s in steps] == ["coding"]
    assert steps[0].text == "Please add pagination to the dashboard"


def test_collaborative_we_after_a_sequence_word_is_a_request() -> None:
    assert types("Now we add the login page.") == ["coding"]
    assert types("We use Redis for caching. Add a TTL to the session keys.") == ["coding"]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Why not just use a Set here?", ["refactor"]),
        ("Did you update the tests?", ["review"]),
        ("Have you removed the old flag?", ["review"]),
        ("Why is the login failing?", ["debugging"]),
    ],
)
def test_suggestion_and_did_you_questions(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Format the report using the template.", ["documentation"]),
        ("Format the code with prettier.", ["formatting"]),
        ("Follow clean code principles and add a retry to the client.", ["coding"]),
        ("Output the findings to notes/<date>.review.md", ["documentation"]),
        ("Add the loader -> write tests for it", ["coding", "testing"]),
    ],
)
def test_document_shaping_adjectives_and_arrows(prompt: str, expected: list[str]) -> None:
    steps = decompose(prompt)
    check_invariants(prompt, steps)
    assert [s.type for s in steps] == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Write acceptance criteria for the signup story.", ["planning"]),
        ("List the steps needed to ship this.", ["planning"]),
        ("What would be a good architecture for this?", ["planning"]),
        ("How does the architecture handle retries?", ["analysis"]),
    ],
)
def test_plan_phrasings(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


def test_failure_reported_after_tests_for_other_code_keeps_prompt_order() -> None:
    prompt = "Add a CSV export and write tests for it. Also the app crashes on startup."
    assert types(prompt) == ["coding", "testing", "debugging"]


def test_tests_still_follow_the_fix_they_could_cover() -> None:
    assert types("Write tests for the parser. The parser crashes on empty input.") == ["debugging", "testing"]


def test_noun_list_item_naming_tests_is_a_testing_step() -> None:
    prompt = (
        "Implement the following:\n- A /health endpoint\n- A /metrics endpoint\n- Tests for both\n- Update the README"
    )
    assert types(prompt) == ["coding", "testing", "documentation"]


def test_noun_list_item_naming_a_tool_is_not() -> None:
    prompt = "Implement the following:\n- A docs page link in the footer\n- A /metrics endpoint"
    assert types(prompt) == ["coding"]


@pytest.mark.parametrize(
    "text",
    [
        "a -> b",
        "x => y",
        "a - b",
        "a-b",
        "- a",
        "a + b",
        "a+b",
        "a >b",
        ">a",
        "a >",
        "a - ",
        "it's 3 > 2, ok; done: (x)",
    ],
)
def test_fast_ascii_tokens_match_the_reference_tokenizer(text: str) -> None:
    import re

    from routesmith_mcp.engine.decompose import _TOKEN_RE, _tokens

    low = text.lower()
    ref = [(low[a:b], 5 + a, 5 + b) for a, b in map(re.Match.span, _TOKEN_RE.finditer(text))]
    assert _tokens(text, 5) == ref


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Where is the null coming from in the cart total?", ["debugging"]),
        ("How come the page is blank?", ["debugging"]),
        ("Where is the config file?", ["analysis"]),
    ],
)
def test_defect_questions_with_where_and_how_come(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


# --- rule 10: a look that prepares a change is part of that change -------------------------------
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Check the config file, then add a timeout option.", ["coding"]),
        ("check the @GUIDE.md\n\nwe should make it clearer for new users", ["documentation"]),
        (
            (
                "Refactor the services layer into smaller modules.\n\nSteps:\n"
                "1. Identify duplicated helpers across the services\n2. Move them into a shared module"
            ),
            ["refactor"],
        ),
        # an explicit research step or a look with its own output stays
        ("Search the web for alternatives, then add the best one.", ["analysis", "coding"]),
        ("Identify the slow queries.", ["analysis"]),
        ("1. Find the slowest endpoints in the log\n2. Optimize the slowest one", ["analysis", "refactor"]),
    ],
)
def test_context_gathering_is_part_of_the_step_it_serves(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


# --- a suggestion ("X would be nice") asks for X, even next to other requests ------------------------
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Fix the login crash. A dark mode toggle would also be nice.", ["debugging", "coding"]),
        (
            (
                "1. The header shows up twice on every page.\n\n"
                "2. The footer looks off. A simpler footer would look better."
            ),
            ["debugging", "coding"],
        ),
        ("It would be nice if the sidebar collapsed on mobile.", ["coding"]),
    ],
)
def test_a_suggestion_is_a_request(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


def test_wanting_to_know_is_not_a_suggestion() -> None:
    steps = decompose("It would be good to know why the build is slow.")
    assert all(s.confidence < 0.5 for s in steps if s.type == "coding")


# --- a quotation is a value, not a request ----------------------------------------------------------
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ('Set the banner text to "Plan, build and ship faster" on the home page.', ["coding"]),
        ("Rename the menu entry to “Open and close”.", ["refactor"]),
        ('Change the button label to "Fix it".', ["coding"]),
        ('Update the parser to fix the "unexpected token" crash.', ["debugging"]),
        ('Change the label to "Save and close", then add a test for it.', ["coding", "testing"]),
    ],
)
def test_quoted_text_starts_no_request(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


# --- rule 3: when the fix is negated, a reported failure is the subject of the test or plan ---------
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        (
            (
                "The export button crashes when the list is empty. Write a failing test that reproduces it,"
                " but don't fix it yet."
            ),
            ["testing"],
        ),
        (
            (
                "1. Export crashes on empty lists\n\n2. Dates show in UTC instead of local time\n\n"
                "Write tests for these issues first, but do not write any code besides what the tests need."
            ),
            ["testing"],
        ),
        ("The login page crashes on submit. Fix it and add a test.", ["debugging", "testing"]),
        ("The login page crashes. Don't touch the tests, just fix it.", ["debugging"]),
    ],
)
def test_a_negated_fix_leaves_the_failure_as_the_subject(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


# --- "check that you ..." checks the agent's own work: review ----------------------------------------
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Check that you followed the guidelines.", ["review"]),
        ("Check whether you used the right hooks.", ["review"]),
        ("check that everything you changed follows the conventions", ["review"]),
        ("Check if you can reach the database.", ["analysis"]),
    ],
)
def test_checking_your_own_work_is_review(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


# --- proposal and rhetorical questions next to a request add no step --------------------------------
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        (
            "Can you tidy up the parser? Would it make sense to merge the two tokenizer helpers?",
            ["refactor"],
        ),
        ("Does it make sense to cache the results?", ["analysis"]),
        (
            (
                "Store the invoices by their reference, we need the reference everywhere. Why we need this?"
                " Because the accounting tool looks them up by reference."
            ),
            ["coding"],
        ),
        ("I want the list sorted by date. Does this make sense?", ["coding"]),
        ("Why do we need this?", ["analysis"]),
    ],
)
def test_side_questions_next_to_a_request(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


# --- a direct wish next to a question is the user's own request ---------------------------------------
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        (
            "How come there are two email inputs on the form? We just need a single email input.",
            ["analysis", "coding"],
        ),
        ("Where does the second theme come from? I really want one dark theme.", ["analysis", "coding"]),
        ("We just need a single email field.", ["coding"]),
    ],
)
def test_a_direct_wish_next_to_a_question_is_a_request(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


# --- a question at the end of a long sentence is still a question -----------------------------------
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        (
            (
                "We have a lot of problems with the ORM and it is slow and painful on every deploy"
                " - is there a better way?"
            ),
            ["analysis"],
        ),
        (
            "The build is broken after the upgrade and nothing I try works, what could be the problem?",
            ["debugging"],
        ),
    ],
)
def test_trailing_question_after_a_long_complaint(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


def test_plus_joins_two_requests() -> None:
    assert types("Add pagination to the list endpoint, plus update the API docs.") == ["coding", "documentation"]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("See the attached screenshot. The button should be blue.", ["coding"]),
        ("Check the logs. The worker keeps crashing after the deploy.", ["debugging"]),
        ("Open the settings page and add a toggle for notifications.", ["coding"]),
        ("Read the docs first, then add the webhook handler.", ["analysis", "coding"]),
    ],
)
def test_a_look_before_a_wish_or_a_failure_report_is_context(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Look over my changes and tell me if anything is off.", ["review"]),
        ("Review the diff and tell me whether it is safe to merge.", ["review"]),
        ("Tell me how the cache works.", ["analysis"]),
        ("Tell me if the tests pass.", ["testing"]),
        ("Fix the crash and let me know whether the tests pass.", ["debugging", "testing"]),
    ],
)
def test_tell_me_phrasings(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        (
            (
                "I'm building a notes app where users can create lists, invite friends and set reminders."
                " Right now: implement the invite email."
            ),
            ["coding"],
        ),
        ("When the user saves, validate the form and show a toast.", ["coding"]),
        ("Verify the webhook signature before processing.", ["coding"]),
        ("Verify the fix works.", ["testing"]),
    ],
)
def test_described_features_and_input_validation_are_not_extra_steps(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Let's do the second approach you suggested.", ["coding"]),
        ("Do a plan for the migration.", ["planning"]),
    ],
)
def test_doing_a_chosen_approach_is_the_work_itself(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Add a retry to the upload. Should I also increase the timeout?", ["coding", "analysis"]),
        ("Fix the date parsing bug. Do you need more info?", ["debugging"]),
        ("Please refactor the service layer. Any questions before you start?", ["refactor"]),
        ("Should we fix the crash first?", ["debugging"]),
    ],
)
def test_proposal_and_meta_questions(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Turn the notes above into a step-by-step implementation plan.", ["planning"]),
        ("Turn the plan into code.", ["coding"]),
        ("Convert the README into a docs site.", ["documentation"]),
    ],
)
def test_turn_x_into_y_is_typed_by_y(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Fix the flaky login test and then run the whole suite.", ["debugging", "testing"]),
        ("Add a suite of helpers for dates.", ["coding"]),
    ],
)
def test_running_the_suite_is_testing(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Add the export button as well as update the docs.", ["coding", "documentation"]),
        ("Support PNG as well as JPEG uploads.", ["coding"]),
    ],
)
def test_as_well_as_joins_two_requests_only_before_a_verb(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


def test_a_section_of_a_document_is_documentation() -> None:
    steps = decompose("Add a login page, then write a README section about it")
    assert [s.type for s in steps] == ["coding", "documentation"]
    assert [s.type for s in decompose("add a settings section to the dashboard")] == ["coding"]


@pytest.mark.parametrize("prompt", ["commit and push the changes", "Please push to origin main",
                                    "git commit -m 'wip' && git push", "merge the feature branch into main"])
def test_git_only_chores_produce_no_step(prompt: str) -> None:
    assert decompose(prompt) == []


def test_git_chore_beside_real_work_keeps_only_the_work() -> None:
    steps = decompose("Add a logout button to the navbar, then commit and push")
    assert [s.type for s in steps] == ["coding"] and "commit" not in steps[0].text


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("The tests pass locally but fail in CI with a timezone error. Please investigate.", ["debugging"]),
        ("The build fails on Windows. Investigate and fix.", ["debugging"]),
        ("Take a look, the cron job isn't running anymore", ["debugging"]),
        ("The login crashes on submit. Also, explain how the session store works.", ["analysis", "debugging"]),
    ],
)
def test_a_bare_investigate_about_a_reported_failure_is_that_debugging(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("sort the imports in the Python modules", ["formatting"]),
        ("organize imports across the project", ["formatting"]),
        ("clean up the imports", ["formatting"]),
        ("fix the import order in app.ts", ["formatting"]),
        ("move the imports to the top of the file", ["formatting"]),
        ("fix the broken imports in utils.py", ["debugging"]),
        ("add the missing import for datetime", ["coding"]),
        ("reorganize the imports module into a package", ["refactor"]),
        ("move the button to the top of the page", ["coding"]),
    ],
)
def test_import_order_is_formatting_but_other_import_work_keeps_its_verb(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        (
            "I'd like to add OAuth login with Google. How would you approach this? Ask me questions before starting.",
            ["planning"],
        ),
        ("We need to add rate limiting to the API. What's the best approach?", ["planning"]),
        ("I'd like to add OAuth login. How would you approach this? Then implement it.", ["planning", "coding"]),
        ("Add a logout button. What's the best approach for caching?", ["planning", "coding"]),
    ],
)
def test_a_wish_before_an_approach_question_is_the_plans_subject(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("What does the scheduler do when a job times out?", ["analysis"]),
        ("How does the client handle it when the server returns a 500 error?", ["analysis"]),
        ("what happens if the upload fails?", ["analysis"]),
        ("why does the app crash when I click save?", ["debugging"]),
        ("what is causing the crash when I log in?", ["debugging"]),
        ("The upload endpoint times out, why?", ["debugging"]),
    ],
)
def test_a_question_about_behaviour_in_a_failure_scenario_is_analysis(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("check your work against the requirements", ["review"]),
        ("check that the work is saved when I close the tab", ["testing"]),
        ("break this feature down into tasks", ["planning"]),
        ("break the epic down into stories", ["planning"]),
        ("pytest fails with AssertionError in test_parse_date. fix the code, not the test.", ["debugging"]),
        ("the build breaks when I add a dependency", ["debugging"]),
        ("this broke the login page", ["debugging"]),
        ("test the login flow", ["testing"]),
    ],
)
def test_probe_phrasings_of_review_planning_and_failures(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("The function getUserById returns undefined for valid ids. Why?", ["debugging"]),
        ("The page crashes on load. Any ideas?", ["debugging"]),
        ("Fix the crash on load. Why do we use a singleton here?", ["debugging", "analysis"]),
        ("Users report the checkout button sometimes does nothing on iOS Safari", ["debugging"]),
        ('Explain the error:\nKeyError: \'user_id\'\n  File "app.py", line 42, in handler', ["debugging"]),
        ("investigate the crash in the worker", ["debugging"]),
        ("look into the memory leak", ["debugging"]),
        ("explain the error handling in api.py", ["analysis"]),
        ("Please don't refactor anything, only fix the null pointer in parseConfig", ["debugging"]),
        ("don't add tests, just implement the parser", ["coding"]),
    ],
)
def test_probe_failure_reports_and_their_diagnosis(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("merge these two functions into one", ["refactor"]),
        ("Convert this class component to a function component", ["refactor"]),
        ("convert callbacks to async/await", ["refactor"]),
        ("convert the csv file to json", ["coding"]),
        ("Reduce the bundle size", ["refactor"]),
        ("reduce the padding on the cards", ["coding"]),
        ("Make the code PEP8 compliant", ["formatting"]),
        ("How should I structure the database for a multi-tenant SaaS?", ["planning"]),
        ("how should I run the tests?", ["analysis"]),
        ("Let's plan the v2 release. What features should we prioritize?", ["planning"]),
    ],
)
def test_probe_refactor_formatting_and_design_questions(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


def test_merge_of_a_branch_is_still_a_git_chore() -> None:
    assert decompose("merge the feature branch into main") == []


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Bitte schreibe die Dokumentation für die API", ["documentation"]),
        ("Refatore o componente Header para usar hooks", ["refactor"]),
        ("请为这个项目写一个README", ["documentation"]),
        ("请给登录模块添加测试", ["testing"]),
    ],
)
def test_probe_other_languages(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Add an export command that dumps the chat to JSON, with tests", ["coding", "testing"]),
        ("Fix the parser that breaks on empty lines, with a regression test", ["debugging", "testing"]),
        ("Add a page that lists users, with docs", ["coding", "documentation"]),
        ("Add a button that opens the modal, with a tooltip", ["coding"]),
    ],
)
def test_a_trailing_with_tests_after_a_relative_clause_is_its_own_step(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("update the docstring of parse() to mention the new flag", ["documentation"]),
        ("Is the error handling in api.py good enough?", ["review"]),
        ("Does my implementation cover all the edge cases in the spec?", ["review"]),
        ("There's a race condition in the cache. Look into it please", ["debugging"]),
        ("add a race mode to the game", ["coding"]),
        ("Почему падает сборка?", ["debugging"]),
        ("Lazy load the images to improve page speed", ["refactor"]),
        ("Add a cache for better performance", ["refactor"]),
        ("add a button to improve the UX", ["coding"]),
        ("Add Stripe checkout. Before you start, tell me how you'd structure it.", ["planning", "coding"]),
        ("tell me how you fixed it", ["analysis"]),
        ("remove unused imports", ["formatting"]),
        ("remove unused variables", ["refactor"]),
        ("rearrange the imports so stdlib comes first", ["formatting"]),
        ("rearrange the cards on the dashboard", ["coding"]),
    ],
)
def test_probe_batch_three(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("The ESLint config is broken after upgrading to v9, fix it", ["debugging"]),
        ("fix the eslint config", ["debugging"]),
        ("the linter has 30 warnings. fix them", ["formatting"]),
        ("Fix: dropdown closes immediately on mobile", ["debugging"]),
        ("Find the bug in this function:\n```js\nfunction sum(a) { let s; return s; }\n```", ["debugging"]),
        ("find the bug reports from last week", ["analysis"]),
        (
            "Please create a detailed implementation plan for adding i18n to the frontend. Save it as docs/i18n.md.",
            ["planning"],
        ),
        ("Tell me if the code follows SOLID principles", ["review"]),
        ("does the code follow the style guide?", ["review"]),
        ("tell me whether we should use redis", ["analysis"]),
        ("Create a .cursorrules file that tells the AI to use tabs", ["documentation"]),
        ("Write a short blog post announcing the new feature", ["documentation"]),
        ("add a blog post editor", ["coding"]),
    ],
)
def test_probe_batch_four(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Trim trailing whitespace in all files", ["formatting"]),
        ("trim the title to 50 chars", ["coding"]),
        ("Remove all console.log statements", ["refactor"]),
        ("remove the debug panel", ["coding"]),
        ("Replace the for loops with list comprehensions", ["refactor"]),
        ("replace the button icons with SVGs", ["coding"]),
        ("what does this regex do? ^\\d{3}-\\d{4}$", ["analysis"]),
        ("Security review of the auth endpoints please", ["review"]),
        ("Unit tests for the parser please", ["testing"]),
        ("Reviews of restaurants are shown on the home page", ["coding"]),
    ],
)
def test_probe_batch_five(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Our e2e suite started timing out on GitHub Actions last week. Can you dig into it?", ["debugging"]),
        ("The job times out after 30s. What should I check?", ["debugging"]),
        ("Fix the crash. What do we do about the logo?", ["debugging", "analysis"]),
        ("I'm planning to migrate from REST to GraphQL. How would you structure the migration?", ["planning"]),
        ("What is the retry policy when a webhook delivery fails?", ["analysis"]),
        ("What is wrong when the upload fails?", ["debugging"]),
        ("Where is the session timeout configured?", ["analysis"]),
        ("where does the crash happen?", ["debugging"]),
        ("Исследуй, почему тесты падают в CI", ["debugging"]),
    ],
)
def test_probe_batch_six(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Could you look at why the avatar upload returns 413?", ["debugging"]),
        ("look at why we use redis", ["analysis"]),
        ("check why the build fails", ["debugging"]),
        ("The signup email never arrives. Logs show no errors. Check it out", ["debugging"]),
        ("Make sure the app still builds after your changes", ["testing"]),
        ("Use async/await instead of .then() chains in api.js", ["refactor"]),
        ("use a dropdown instead of radio buttons", ["coding"]),
        ("Sort the list of products by price on the catalog page", ["coding"]),
    ],
)
def test_probe_batch_seven(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("The cron job stopped sending reports on Monday. Could you check?", ["debugging"]),
        ("We want to add audit logging to every write endpoint. How should we approach it?", ["planning"]),
        ("audit the auth module", ["review"]),
        ("Review the onboarding flow code and list any problems you find", ["review"]),
        ("Make a plan to split the monolith into services, then write it to docs/split.md", ["planning"]),
    ],
)
def test_probe_batch_eight(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Something's wrong with the date parsing for ISO strings. Can you take a look?", ["debugging"]),
        ("The build is broken. Could you have a quick look at it?", ["debugging"]),
        ("We need to support multiple currencies. What's your plan? Don't write any code until I approve.", ["planning"]),
    ],
)
def test_probe_batch_nine(prompt: str, expected: list[str]) -> None:
    assert types(prompt) == expected
