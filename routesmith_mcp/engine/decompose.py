"""Split a free-form coding prompt into typed, ordered draft steps.

Pure and deterministic: stdlib only, no I/O, no network. The pipeline is

1. explicit markers (``[plan] ... [code] ... [test]``) win when present;
2. otherwise the prompt is cut into *units*: lines (fenced code, front matter, headings and pasted
   logs are set aside, pasted error output is remembered), sentences, and clauses joined by
   ``and / then / also / ,`` when the next words start a new request (an action verb);
3. each unit is typed from its head verb, the nouns of its object, negation and deferral, question
   form and failure vocabulary (see :func:`_classify`);
4. units of one request are merged, weak guesses give way to strong ones;
5. steps are ordered (planning/analysis first, tests after code unless test-first, docs after the
   change, review last unless it is a first diagnostic pass; explicit sequence words win) and each
   step depends on the earlier steps that inform it.

All regular expressions are precompiled and have no nested quantifiers over user text; very long
prompts are analysed on a bounded head and tail window, so the cost is linear and capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from routesmith_mcp.engine.types import DraftStep, StepType

__all__ = ["decompose"]

# ---------------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------------
_HEAD = 12_000  # characters analysed at the start of a huge prompt
_TAIL = 6_000  # ... and at its end (people put the actual request last)
_MAX_LINE = 4_000  # a single line longer than this is analysed on its first part only
_MAX_UNITS = 300
_MAX_STEPS = 16

# ---------------------------------------------------------------------------------------------
# Regular expressions (all linear: no nested quantifiers)
# ---------------------------------------------------------------------------------------------
_MARKER_NAMES: dict[str, StepType] = {
    "plan": "planning", "planning": "planning", "design": "planning", "spec": "planning",
    "analysis": "analysis", "analyze": "analysis", "analyse": "analysis", "research": "analysis",
    "investigate": "analysis", "explain": "analysis",
    "debug": "debugging", "debugging": "debugging", "fix": "debugging", "bug": "debugging",
    "code": "coding", "coding": "coding", "implement": "coding", "impl": "coding", "feature": "coding",
    "test": "testing", "tests": "testing", "testing": "testing",
    "refactor": "refactor", "refactoring": "refactor", "cleanup": "refactor",
    "doc": "documentation", "docs": "documentation", "documentation": "documentation",
    "format": "formatting", "formatting": "formatting", "lint": "formatting", "style": "formatting",
    "review": "review", "audit": "review",
}
_MARKER_RE = re.compile(
    r"(?:^|(?<=[\s>]))\[(" + "|".join(sorted(_MARKER_NAMES, key=len, reverse=True)) + r")\](?![(\[:])",
    re.IGNORECASE | re.MULTILINE,
)
_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?|[,;:&>(]|(?<=\s)[-–—+](?=\s)|[–—]")
_SENT_END_RE = re.compile(r"[.!?]+(?=\s|$)|[。！？]+|;(?=\s)")
_LIST_RE = re.compile(r"[ \t]*(?:[-*•+·][ \t]+|\d{1,3}[.)][ \t]+|[a-z][)][ \t]+|>[ \t]*)")
_HEADING_RE = re.compile(r"[ \t]{0,3}#{1,6}[ \t]")
_FENCE_RE = re.compile(r"[ \t]*(?:```|~~~)")
_ERROR_LINE_RE = re.compile(
    r"Traceback \(most recent call last\)|^\s*File \"[^\"\n]{1,300}\", line \d"
    r"|^\s*at [\w$.<>\[\]]{1,200} ?\(?[^()\n]{0,300}:\d+|\b[A-Z]\w{0,60}(?:Error|Exception)\b"
    r"|\berror(?: [A-Z]{1,4}\d{1,6})?:|\bERR!|\bpanic:|Segmentation fault|\bFAILED\b|\bFailed to compile"
    r"|\bfailed with exit code|\bexited with code|^\s*E\s{2,}",
    re.MULTILINE,
)
_TRACE_RE = re.compile(
    r"Traceback \(most recent call last\)|^\s*File \"[^\"\n]{1,300}\", line \d|^\s*at [\w$.<>\[\]]{1,200} ?\("
    r"|^\s*>?\s*\d{1,6} \|",
    re.MULTILINE,
)
_SIGNAL_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("intermittent", re.compile(r"\b(?:intermittent\w*|flaky|flakiness|sporadic\w*|randomly|sometimes|occasionally"
                                r"|now and then|every (?:few|other))\b", re.I)),
    ("concurrency", re.compile(r"\b(?:race condition\w*|deadlock\w*|concurren\w*|thread\w*|mutex\w*|"
                               r"async\w*|parallel\w*|lock contention)\b", re.I)),
    ("memory", re.compile(r"\b(?:memory leak\w*|out of memory|oom|segfault\w*|segmentation fault|heap|stack overflow"
                          r"|leak\w*|memory usage)\b", re.I)),
    ("root_cause", re.compile(r"\b(?:root[- ]cause|why (?:is|does|do|did|are|isn't|doesn't)|figure out why"
                              r"|investigate why|no idea why|find out why)\b", re.I)),
)
_TDD_RE = re.compile(
    r"\b(?:tdd|test[- ]first|test[- ]driven|red[- ]green|failing tests? first|tests? first"
    r"|tests? before (?:you |we )?(?:implement|fix|writ|cod|chang)\w*|before (?:fixing|implementing|coding|writing the fix)"
    r"\w*,? (?:write|add|create) (?:a )?(?:failing )?tests?)\b",
    re.I,
)
_DEFER_RE = re.compile(r"\b(?:in the future|later on|at some point|eventually|for later|next time|in a later)\b", re.I)

# Non-English cue lexicons (pl, ja, ru, es, fr, zh, vi, de, pt). Stems match word starts for
# alphabetic languages; CJK cues match anywhere.
_ML_GROUPS: tuple[tuple[str, str], ...] = (
    ("fail", r"nie działa|nie dziala|błąd|błęd|bledy|не работает|не запускается|ошибк|пропал|сломал|баг"
             r"|no funciona|no anda|falla|fallo|ne fonctionne pas|ne marche pas|erreur|plantage|bogue"
             r"|エラー|動かない|動作しない|失敗|不具合|バグ|错误|報錯|报错|失败|无法|不工作|崩溃|异常"
             r"|lỗi|không hoạt động|không chạy|funktioniert nicht|fehler|não funciona|erro"),
    ("fix", r"napraw|popraw|исправ|почин|arregl|corrig|soluciona|répar|repar|修正|修复|修復|sửa|behebe|conserta"),
    ("plan", r"zaplanuj|plan\w*|спланир|план|planific|planifi|計画|设计方案|规划|计划|kế hoạch|entwirf|zaproponuj"
             r"|propón|propose|предлож"),
    ("review", r"przejrzyj|zrecenzuj|ревью|проверь|revisa|révise|relis|examine|レビュー|監査|审查|评审|审核|xem xét"
               r"|đánh giá|überprüf"),
    ("test", r"przetestuj|test\w*|тест\w*|prueba|テスト|测试|測試|kiểm thử"),
    ("doc", r"udokumentuj|dokumentacj|документ|document\w*|ドキュメント|文档|文件说明|tài liệu|readme|説明文"),
    ("refactor", r"refaktor|рефактор|refactoriz|refactoris|リファクタ|重构|tái cấu trúc|uprość|упрост|simplifi"),
    ("format", r"sformatuj|отформатир|formatea|formate|フォーマット|格式化|định dạng"),
    ("analysis", r"przeanalizuj|analizuj|wyjaśnij|wyszukaj|przeszukaj|przeczytaj|проанализир|анализ|объясни|изучи"
                 r"|analiza|explica|analyse|explique|分析|説明|调查|解释|分析一下|phân tích|giải thích|erkläre|analysiere"),
    ("make", r"dodaj|zaimplementuj|stwórz|stworz|utwórz|zrób|добав|реализ|созда|сделай|улучш|надо|agrega|añade"
             r"|implementa|crea|haz|ajoute|implémente|crée|ajout|追加|実装|作成|添加|实现|创建|增加|thêm|triển khai|tạo"
             r"|füge|erstelle|implementiere|adicion|cria"),
)
_ML_RE = re.compile(
    "|".join(f"(?P<{name}>(?<![^\\W\\d_])(?:{pat}))" for name, pat in _ML_GROUPS), re.IGNORECASE
)
_ML_TYPE: dict[str, StepType] = {
    "fail": "debugging", "fix": "debugging", "plan": "planning", "review": "review", "test": "testing",
    "doc": "documentation", "refactor": "refactor", "format": "formatting", "analysis": "analysis", "make": "coding",
}

# ---------------------------------------------------------------------------------------------
# English lexicons
# ---------------------------------------------------------------------------------------------
# Verb classes. The head verb of a clause decides its type unless its object refines it.
_VERBS: dict[str, str] = {}


def _add(cls: str, words: str) -> None:
    for w in words.split():
        _VERBS[w] = cls


_add("FIX", "fix fixup debug repair resolve solve troubleshoot tackle diagnose patch hotfix unbreak")
_add("MAKE", "add create build make write develop generate introduce setup change update modify alter edit adjust"
             " replace rewrite convert port integrate support enable disable allow put use bump upgrade downgrade"
             " install configure extend show display hide insert append include wire hook connect tweak enhance"
             " style restyle redesign polish populate fill save store let give provide prepare draft perform"
             " conduct produce handle expose return send implement implementing adding creating writing building"
             " incorporate translate localize animate render attach persist cache fetch load pass set")
_add("IMPL", "execute proceed continue finish complete resume do go carry code program apply follow")
_add("START", "start launch restart spin boot serve")
_add("TEST", "test verify validate pytest retest unittest")
_add("DOC", "document annotate")
_add("REF", "refactor restructure reorganize reorganise rename extract dedupe deduplicate modularize modularise"
            " decouple consolidate migrate streamline tidy cleanup declutter dry rearchitect reorder sort organize"
            " organise split simplify kill unify inline")
_add("CLEAN", "clean")
_add("REMOVE", "remove delete drop eliminate strip purge")
_add("MOVE", "move relocate")
_add("IMPROVE", "improve optimize optimise speed refine")
_add("FMT", "format reformat lint prettify indent beautify autoformat")
_add("ANA", "explain analyze analyse investigate explore understand research study examine summarize summarise"
            " compare describe list identify find search gather learn trace inspect evaluate determine figure"
            " scan map discover tell walk clarify recommend experiment brainstorm remind confirm estimate assess"
            " outline scour")
_add("SUGGEST", "suggest")
_add("PLAN", "plan design architect propose strategize spec think")
_add("REV", "review audit critique proofread challenge rethink critic double")
_add("CHECK", "check")
_add("ENSURE", "ensure")
_add("RUN", "run rerun")
_add("CTX", "look read see open consult reference view browse")
_add("GIT", "commit push merge rebase checkout stash cherry deploy tag pull clone sync publish release")

_CLASS_TYPE: dict[str, StepType] = {
    "FIX": "debugging", "MAKE": "coding", "IMPL": "coding", "TEST": "testing", "DOC": "documentation",
    "REF": "refactor", "CLEAN": "refactor", "REMOVE": "coding", "MOVE": "coding", "IMPROVE": "coding",
    "FMT": "formatting", "ANA": "analysis", "SUGGEST": "analysis", "PLAN": "planning", "REV": "review",
    "CHECK": "analysis", "ENSURE": "coding", "CTX": "analysis",
}
# Which object domains can re-type a verb class.
_OVERRIDES: dict[str, frozenset[str]] = {
    "MAKE": frozenset({"test", "doc", "plan", "fmt", "review", "analysis", "fix", "refactor", "git"}),
    "IMPL": frozenset({"test", "fix", "review", "analysis", "refactor", "git", "doc_only"}),
    "FIX": frozenset({"doc", "plan", "fmt"}),
    "REF": frozenset({"doc"}),
    "CLEAN": frozenset({"doc"}),
    "REMOVE": frozenset({"doc", "refactor"}),
    "MOVE": frozenset({"doc", "refactor", "files"}),
    "IMPROVE": frozenset({"doc", "test", "perf", "plan", "fmt"}),
    "SUGGEST": frozenset({"doc", "plan"}),
    "ENSURE": frozenset({"test", "doc", "plan", "works", "fmt"}),
    "CHECK": frozenset({"test", "works", "revq", "docupd", "fmt"}),
    "RUN": frozenset({"test", "fmt", "works"}),
    "START": frozenset({"test"}),
    "CTX": frozenset(),
    "TEST": frozenset(),
    "DOC": frozenset(),
    "FMT": frozenset(),
    "ANA": frozenset({"fix_only"}),
    "PLAN": frozenset(),
    "REV": frozenset(),
}
_DOMAIN_TYPE: dict[str, StepType] = {
    "test": "testing", "doc": "documentation", "plan": "planning", "fmt": "formatting", "review": "review",
    "analysis": "analysis", "fix": "debugging", "refactor": "refactor", "perf": "refactor", "files": "refactor",
    "works": "testing", "revq": "review", "docupd": "documentation",
}

_DOMAIN: dict[str, str] = {}


def _dom(domain: str, words: str) -> None:
    for w in words.split():
        _DOMAIN[w] = domain


_dom("test", "test tests testing testsuite unittest unittests e2e coverage pytest jest vitest mocha cypress"
             " playwright specs testcase testcases")
_dom("doc", "readme docs doc documentation docstring docstrings comment comments changelog guide guides wiki handoff"
            " handover md mdc mdx instructions notes tutorial manual jsdoc javadoc typedoc tsdoc document documents"
            " documenting rst adr adrs faq glossary worklog")
_dom("plan", "plan plans spec specs specification specifications proposal roadmap prd architecture design approach"
             " strategy task tasks todos milestones breakdown")
_dom("fmt", "formatting formatter lint linting linter linters eslint prettier indentation indention whitespace"
            " flake8 pylint stylelint rubocop gofmt rustfmt clippy ruff black isort")
_dom("review", "review reviews audit audits critique")
_dom("analysis", "research analysis investigation overview summary explanation comparison options recommendations"
                 " recommendation insights")
_dom("fix", "fix fixes bugfix bugfixes hotfix")
_dom("refactor", "cleanup unused duplicates duplicate duplicated duplication redundant redundancies dead temporary"
                 " relics leftovers refactoring")
_dom("perf", "performance faster speed efficiency efficient latency")
_dom("git", "branch commit commits pr prs repo repository")
_dom("files", "file files folder folders directory directories module modules component components"
              " function functions class classes")

# A domain noun followed by one of these is an attribute of a tool, not the work itself
# ("a test runner", "the docs page", "a linting command").
_TOOL_NOUNS = frozenset(
    "runner runners framework harness command commands script scripts button buttons page pages endpoint endpoints"
    " mode server site route routes link links app tool tools user users data table tab panel view screen modal"
    " dialog scheduler queue manager worker section field fields column columns icon step job pipeline env"
    " environment results result output id ids name names count status selector".split()
)
_MARKUP_WORDS = frozenset("telegram bold italic strikethrough markdown html message messages text rich discord"
                          " slack email date currency number numbers price".split())
_FILLERS = frozenset(
    "please pls plz kindly can could would will you u yu ya we i me us let let's lets now ok okay alright"
    " alrighty great thanks thank so also and then just maybe perhaps first firstly second secondly next finally"
    " lastly afterwards again quickly go ahead help need needs want like i'd we'd id to try should must shall"
    " gonna wanna really actually yes yeah yep sure cool nice hey hi well but too your job goal is are"
    " might may meanwhile instead simply additionally furthermore moreover in addition otherwise right good"
    " perfect excellent awesome thx ty tia hmm oh ah hello dear sir guys folks , : ( - – — & > + 's ll"
    " it's it".split()
)
_NEGATORS = frozenset("don't dont never not no without avoid stop nor doesn't shouldn't mustn't cannot can't"
                      " won't wont neednt needn't".split())
_SUBJ_USER_FUTURE = frozenset("i'll ill i'm im".split())
_STOPPERS = frozenset(
    "but without except unless because since while so which that where when if although though whereas"
    " until once whether".split()
)
_CONNECTORS = frozenset(", ; and then also & > + - – — plus afterwards after as well".split())
_SEQ_THEN = frozenset("then next afterwards afterward after subsequently later".split())
_SEQ_LAST = frozenset("finally lastly last".split())
_SEQ_FIRST = frozenset("first firstly beforehand initially".split())
_QWORDS = frozenset("how why what what's whats where which who whom whose when is are does do did isn't aren't"
                    " doesn't don't didn't will would should shall can could may might was were has have"
                    " hasn't haven't".split())
_REQ_AUX = frozenset("can could would will wil may".split())
_REQ_SUBJ = frozenset("you u yu ya we".split())
_FAIL_STRONG = frozenset(
    "error errors erroring errored exception exceptions traceback crash crashes crashed crashing fail fails failed"
    " failing failure failures broken bug bugs buggy stacktrace segfault panic panics undefined nan 404 500"
    " 401 403 502 503 timeout timeouts freezes frozen hangs hanging stuck regression regressions glitch glitches"
    " notloading notworking warning warnings unresponsive".split()
)
_FAIL_WEAK = frozenset("wrong issue issues problem problems weird strange odd missing incorrect incorrectly"
                       " disappeared disappears blank empty null duplicated twice".split())
_FAIL_NEG_AUX = frozenset("doesn't doesnt isn't isnt won't wont can't cant cannot couldn't couldnt didn't didnt"
                          " aren't arent wasn't wasnt not never".split())
_FAIL_NEG_EXCLUDE = frozenset("want need like think know mind care have matter necessary needed required sure"
                              " going to be you i we it a the an just only really".split())
_POSITIVE = frozenset("works worked working fixed builds compiles passes passed resolved".split())
_WORKS_WORDS = frozenset("works work working pass passes passing green succeed succeeds successfully".split())
_REVQ_WORDS = frozenset(
    "correct complete completed done ready conform conforms meet meets comply complies match matches accurate"
    " sense ambiguity ambiguous consistent requirements compliant standards quality practice practices"
    " against".split()
)
_PLANQ_WORDS = frozenset("approach plan strategy roadmap".split())
_DESIRE_RE = re.compile(
    r"\b(?:i(?:'d| would)? (?:want|like|need|wish)|i'd love|would be (?:nice|great|good|cool)|it'd be nice"
    r"|should (?:be|have|show|open|display|use|work|look|say|return|also|not|only|allow|let|support)"
    r"|needs? to (?:be|have|show|work|look|use)|must (?:be|have|show|use|support))\b",
    re.I,
)


# ---------------------------------------------------------------------------------------------
# Data carried between passes
# ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Unit:
    start: int
    end: int
    toks: list[tuple[str, int, int]]
    sent: int
    para: int
    item: int  # list item id, -1 outside lists
    question: bool
    first_in_sent: bool
    joiner: str = ""  # connector that opened this clause ("then", "also", ",", "and", "")


@dataclass(slots=True)
class _Cand:
    type: StepType
    conf: float
    start: int
    end: int
    unit: _Unit
    weak: bool = False
    kind: str = ""  # how it was found: verb / question / failure / desire / ctx / ml
    seq: str = ""  # "first" / "then" / "last"
    diag: bool = False
    signals: set[str] = field(default_factory=set)


# ---------------------------------------------------------------------------------------------
# Markers
# ---------------------------------------------------------------------------------------------
def _by_markers(prompt: str) -> list[DraftStep] | None:
    hits = list(_MARKER_RE.finditer(prompt, 0, min(len(prompt), _HEAD)))
    if not hits:
        return None
    steps: list[tuple[StepType, int, int]] = []
    for i, m in enumerate(hits[:_MAX_STEPS]):
        seg_end = hits[i + 1].start() if i + 1 < len(hits) else len(prompt)
        s, e = _strip_span(prompt, m.end(), min(seg_end, m.end() + _MAX_LINE))
        if e <= s:
            continue
        steps.append((_MARKER_NAMES[m.group(1).lower()], s, e))
    if not steps:
        return None
    order = list(range(len(steps)))
    return _build(prompt, [(steps[i][0], steps[i][1], steps[i][2], 0.95, (), False) for i in order], {})


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and (text[s].isspace() or text[s] in "-:*•,;>"):
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] in ",;:-*"):
        e -= 1
    return s, e


# ---------------------------------------------------------------------------------------------
# Segmentation
# ---------------------------------------------------------------------------------------------
def _windows(n: int) -> list[tuple[int, int]]:
    if n <= _HEAD + _TAIL:
        return [(0, n)]
    return [(0, _HEAD), (n - _TAIL, n)]


def _is_noise_line(line: str) -> bool:
    """A line of pasted code or log output rather than prose."""
    stripped = line.strip()
    if not stripped:
        return False
    n = len(stripped)
    if n > 3 and len(line) - len(line.lstrip(" \t")) >= 4 and not _LIST_RE.match(line):
        return True
    first = stripped[0]
    if first in "{}[]<|/\\$@`'\"=;" and not stripped.startswith(("@", "[…]")):
        return True
    if stripped.endswith(("{", ";", "\\", "=>", "(", "[", ",\"")):
        return True
    letters = 0
    for ch in stripped[:400]:
        if ch.isalpha() or ch == " ":
            letters += 1
    return letters < 0.72 * min(n, 400)


def _tokens(text: str, base: int) -> list[tuple[str, int, int]]:
    return [(m.group().lower().replace("’", "'"), base + m.start(), base + m.end()) for m in _TOKEN_RE.finditer(text)]


def _segment(prompt: str) -> tuple[list[_Unit], bool, bool]:
    """Cut the prompt into clause units; report whether pasted error output / a stack trace was seen."""
    units: list[_Unit] = []
    saw_error = saw_trace = False
    sent_id = para_id = item_id = 0
    for w0, w1 in _windows(len(prompt)):
        pos = w0
        in_fence = False
        front = w0 == 0 and prompt.startswith("---")
        first_line = True
        list_indent = -1
        while pos < w1 and len(units) < _MAX_UNITS:
            nl = prompt.find("\n", pos, w1)
            end = w1 if nl < 0 else nl
            line = prompt[pos:end]
            lstart = pos
            pos = end + 1
            if len(line) > _MAX_LINE:
                line = line[:_MAX_LINE]
            if front:
                if not first_line and line.strip() == "---":
                    front = False
                first_line = False
                para_id += 1
                continue
            first_line = False
            if _FENCE_RE.match(line):
                in_fence = not in_fence
                para_id += 1
                continue
            if in_fence or _is_noise_line(line):
                if _ERROR_LINE_RE.search(line):
                    saw_error = True
                    if _TRACE_RE.search(line):
                        saw_trace = True
                continue
            if not line.strip():
                para_id += 1
                list_indent = -1
                continue
            if _HEADING_RE.match(line) or line.strip() in ("[…]", "[...]", "…"):
                para_id += 1
                continue
            if _ERROR_LINE_RE.search(line):
                saw_error = True
                if _TRACE_RE.search(line):
                    saw_trace = True
            body = 0
            lm = _LIST_RE.match(line)
            indent = len(line) - len(line.lstrip(" \t"))
            if lm and lm.end() < len(line):
                body = lm.end()
                if list_indent < 0 or indent <= list_indent:
                    item_id += 1
                    list_indent = indent
                cur_item = item_id
            else:
                cur_item = -1
                list_indent = -1
            _split_line(prompt, lstart + body, lstart + len(line), units, sent_id, para_id, cur_item)
            sent_id = (units[-1].sent + 1) if units else sent_id + 1
        para_id += 1
    return units, saw_error, saw_trace


def _split_line(prompt: str, s: int, e: int, units: list[_Unit], sent_id: int, para: int, item: int) -> None:
    seg_start = s
    ends = [(m.start(), m.end()) for m in _SENT_END_RE.finditer(prompt, s, e)]
    ends.append((e, e))
    for punct_start, punct_end in ends:
        if punct_end <= seg_start and punct_start != e:
            continue
        text_end = punct_start
        q = "?" in prompt[punct_start:punct_end] or "？" in prompt[punct_start:punct_end]
        if text_end > seg_start:
            _split_sentence(prompt, seg_start, text_end, units, sent_id, para, item, q)
            sent_id += 1
        seg_start = punct_end
        if len(units) >= _MAX_UNITS:
            return


def _split_sentence(prompt: str, s: int, e: int, units: list[_Unit], sent: int, para: int, item: int,
                    q: bool) -> None:
    toks = _tokens(prompt[s:e], s)
    if not toks:
        return
    words = [t[0] for t in toks]
    if not q and words[0] in ("how", "why", "what", "what's", "whats", "where", "which"):
        q = True
    # clause boundaries: a connector followed (after fillers) by an action verb, or a contrast word
    cuts: list[tuple[int, str]] = []
    i = 1
    n = len(toks)
    while i < n:
        w = words[i]
        if w in ("but", "however", "although", "though") or (w == "before" and i + 1 < n):
            cuts.append((i, w))
            i += 1
            continue
        if w in _CONNECTORS:
            joiner = w
            j = i + 1
            while j < n and words[j] in _FILLERS and words[j] not in _VERBS:
                if words[j] in ("then", "also", "next", "finally", "afterwards", "lastly"):
                    joiner = words[j]
                j += 1
            if j < n and words[j] == "that" and w == "after":
                joiner = "then"
                j += 1
                while j < n and words[j] in _FILLERS:
                    j += 1
            if j < n and (words[j] in _VERBS or words[j] == "make" or words[j] in ("don't", "dont", "do", "never")):
                if w == "after" and words[j] not in _VERBS:
                    i += 1
                    continue
                cuts.append((i, joiner))
                i = j
                continue
        i += 1
    bounds = [0] + [c[0] for c in cuts] + [n]
    joiners = [""] + [c[1] for c in cuts]
    for k in range(len(bounds) - 1):
        a, b = bounds[k], bounds[k + 1]
        if a >= b:
            continue
        ct = toks[a:b]
        cs, ce = _strip_span(prompt, ct[0][1], ct[-1][2])
        if ce <= cs:
            continue
        units.append(_Unit(cs, ce, ct, sent, para, item, q, k == 0, joiners[k]))


# ---------------------------------------------------------------------------------------------
# Typing one clause
# ---------------------------------------------------------------------------------------------
def _object_domain(words: list[str], start: int, cls: str) -> tuple[str, int]:
    """The first domain noun after the head verb (until a subordinate clause starts)."""
    allowed = _OVERRIDES.get(cls, frozenset())
    found = ""
    found_at = -1
    git_at = -1
    n = len(words)
    limit = min(n, start + 16)
    for k in range(start, limit):
        w = words[k]
        if w in _STOPPERS and k > start:
            break
        d = _DOMAIN.get(w)
        if cls == "CHECK":
            if w in _WORKS_WORDS or w == "tests" or w == "test":
                return "works", k
            if w in _REVQ_WORDS:
                return "revq", k
            if d == "doc" and ("update" in words[k:limit] or "updates" in words[k:limit]
                               or "updating" in words[k:limit]):
                return "docupd", k
            if d == "fmt":
                return "fmt", k
            continue
        if cls in ("ENSURE", "RUN") and w in _WORKS_WORDS:
            return "works", k
        if d is None:
            continue
        nxt = words[k + 1] if k + 1 < n else ""
        if d in ("test", "doc", "fmt", "plan", "review") and nxt in _TOOL_NOUNS:
            continue
        if d == "fmt" and any(x in _MARKUP_WORDS for x in words[start:limit]):
            continue
        if d == "git":
            if git_at < 0:
                git_at = k
            continue
        if d == "files" and cls != "MOVE":
            continue
        if d == "doc" and w == "comment" and k > 0 and words[k - 1] in ("pr", "issue"):
            pass
        if cls == "IMPL" and d == "doc":
            continue
        if d in allowed or (cls == "IMPL" and d in ("test", "fix")):
            if not found:
                found, found_at = d, k
                break
    if not found and git_at >= 0 and "git" in allowed:
        return "git", git_at
    return found, found_at


def _failure(words: list[str]) -> tuple[int, bool]:
    """Failure vocabulary in a clause: (strength 0/1/2, positive statement seen)."""
    strength = 0
    positive = False
    n = len(words)
    for k, w in enumerate(words):
        prev = words[k - 1] if k else ""
        if w in _FAIL_STRONG:
            if prev in ("no", "without", "zero", "any") or (prev == "the" and k >= 2 and words[k - 2] == "fixed"):
                continue
            if w in ("warning", "warnings", "undefined", "nan", "timeout", "timeouts") and strength:
                continue
            strength = 2
        elif w in _FAIL_WEAK:
            if prev in ("no", "without", "any"):
                continue
            strength = max(strength, 1)
        elif w in _FAIL_NEG_AUX and k + 1 < n:
            nxt = words[k + 1]
            if nxt in _FAIL_NEG_EXCLUDE or prev in ("i", "we", "you", "please", "do", "just", "dont", "don't"):
                continue
            if w in ("not", "never") and prev not in ("is", "are", "was", "were", "does", "do", "did", "it", "still",
                                                        "has", "have", "get", "gets", "being", "will", "can"):
                continue
            if nxt.isalpha() and (w not in ("not", "isn't", "isnt", "aren't", "arent", "wasn't", "wasnt")
                                  or nxt.endswith(("ing", "ed")) or nxt in ("shown", "seen", "visible", "loaded")):
                strength = 2
        elif w in ("get", "getting", "got", "see", "seeing", "gives", "giving", "shows", "showing", "returns", "throws",
                   "throwing") and k + 1 < n and words[k + 1] in ("this", "these", "following", "that"):
            if prev in ("i", "we", "it", "now", "still", "am", "keep") or k == 0:
                strength = max(strength, 1 if k + 2 < n else 2)
        elif w in _POSITIVE and prev in ("it", "now", "that", "this", "everything", "all") and k + 1 >= n - 1:
            positive = True
    return strength, positive


def _classify(u: _Unit, prompt: str) -> _Cand | None:
    words = [t[0] for t in u.toks]
    n = len(words)
    if not n:
        return None
    if _DEFER_RE.search(prompt, u.start, u.end):
        return None
    i = 0
    negated = False
    user_action = False
    seq = ""
    request_q = False
    # skip fillers / negators at the head of the clause
    while i < n:
        w = words[i]
        if w in _VERBS and not (w in ("let", "help", "go", "need", "want", "like", "try", "can", "will", "do") and
                                i + 1 < n and words[i + 1] in ("me", "us", "you", "ahead", "to", "with", "not",
                                                               "n't", "i", "we", "it's")):
            if w == "go" and i + 1 < n and words[i + 1] in ("ahead", "on", "through", "over"):
                i += 2 if words[i + 1] == "ahead" else 1
                if words[i - 1] in ("through", "over") or (i < n and words[i] in ("through", "over")):
                    return _cand_from(u, "ANA", words, i, negated, user_action, seq, prompt)
                if i >= n or words[i] in ("and", ","):
                    i += 1
                    continue
                continue
            break
        if w in _NEGATORS or (w == "do" and i + 1 < n and words[i + 1] == "not"):
            if w == "no" and i + 1 < n and words[i + 1] not in ("need", "longer"):
                # "no tests", "no docs needed": a negated noun phrase, nothing requested
                if _DOMAIN.get(words[i + 1]) in ("test", "doc", "plan", "fmt", "review"):
                    return None
            negated = True
            i += 1
            continue
        if w in _SUBJ_USER_FUTURE or (w == "i" and i + 1 < n and words[i + 1] in ("will", "am", "shall")) or (
            w == "will" and i == 0 and not u.question
        ) or (w == "let" and i + 1 < n and words[i + 1] == "me"):
            user_action = True
        if w in _SEQ_FIRST:
            seq = "first"
        elif w in _SEQ_THEN and not seq:
            seq = "then"
        elif w in _SEQ_LAST:
            seq = "last"
        if w in ("once", "after", "until") and i + 1 < n and words[i + 1] in (
            "i", "we", "you", "it", "this", "approved", "approval", "confirmed", "everything",
        ):
            return None
        if w == "before" and i + 1 < n and words[i + 1] not in ("that", "this", ","):
            return None
        if u.question and i <= 1 and w in _REQ_AUX and i + 1 < n and words[i + 1] in _REQ_SUBJ:
            request_q = True
        if w == "please":
            request_q = True
        if w in _FILLERS or w in _SUBJ_USER_FUTURE:
            i += 1
            continue
        break
    head = words[i] if i < n else ""
    cls = _VERBS.get(head, "")
    if head in ("make", "making") and i + 1 < n and words[i + 1] == "sure":
        cls, i = "ENSURE", i + 1
    elif head == "double" and i + 1 < n and words[i + 1] in ("check", "checks"):
        cls, i = "REV", i + 1
    elif head == "set" and not (i + 1 < n and words[i + 1] == "up"):
        cls = "MAKE"
    elif head in ("clean", "tidy", "sort") and i + 1 < n and words[i + 1] in ("up", "out"):
        cls, i = "CLEAN", i + 1
    elif head in ("look", "dig", "go") and i + 1 < n and words[i + 1] in ("into", "through", "over", "up", "around"):
        cls, i = "ANA", i + 1
    elif head in ("find", "figure", "work") and i + 1 < n and words[i + 1] == "out":
        cls, i = "ANA", i + 1
    elif head == "come" and i + 2 < n and words[i + 1] == "up" and words[i + 2] == "with":
        cls, i = "PLAN", i + 2
    elif head in ("think", "thinking") and i + 1 < n and words[i + 1] in ("about", "of", "through", "carefully"):
        cls = "PLAN" if words[i + 1] in ("of", "through") else "ANA"
        i += 1
    elif head == "break" and i + 1 < n and words[i + 1] == "down":
        cls, i = "PLAN", i + 1
    elif head == "write" and i + 1 < n and words[i + 1] in ("up", "down"):
        cls = "MAKE"
    elif head in ("tell", "show", "give", "walk", "remind") and i + 1 < n and words[i + 1] in ("me", "us"):
        cls = "ANA" if head != "give" else "MAKE"
    elif head == "get" and i + 2 < n and words[i + 1] == "rid" and words[i + 2] == "of":
        cls, i = "REMOVE", i + 2
    elif head == "comment" and i + 1 < n and words[i + 1] == "on":
        cls = "REV"
    elif head == "spec" and i + 1 < n and words[i + 1] == "out":
        cls = "PLAN"
    elif head == "run" and i + 1 < n and words[i + 1] == "through":
        cls = "ANA"
    if cls and u.question and not request_q and i > 0 and words[0] in _QWORDS and words[0] not in _REQ_AUX:
        cls = ""  # "how do I add ...?": the verb belongs to the question, not to a request
    if cls and u.question and not request_q and i > 0 and words[0] in _REQ_AUX and words[1:2] and \
            words[1] not in _REQ_SUBJ:
        cls = ""
    if cls:
        if negated or user_action:
            return None
        return _cand_from(u, cls, words, i, False, False, seq, prompt)
    if user_action and not u.question:
        return None
    # no head verb: question, failure report, desire, or context
    fail, positive = _failure(words)
    if u.question and not request_q:
        return _question(u, words, fail, seq, prompt)
    if u.question and request_q:
        # "can you ...?" where the verb was not recognised: the clause still asks for something
        q = _question(u, words, fail, seq, prompt)
        if q is not None and q.type == "analysis":
            q.conf = 0.5
        return q
    if fail and not positive and not negated:
        c = _Cand("debugging", 0.75 if fail == 2 else 0.55, u.start, u.end, u, weak=fail < 2, kind="failure",
                  seq=seq)
        return c
    if _DESIRE_RE.search(prompt, u.start, u.end) and not negated:
        c = _Cand("coding", 0.45, u.start, u.end, u, weak=True, kind="desire", seq=seq)
        d, _ = _object_domain(words, 0, "MAKE")
        if d in ("test", "doc", "plan"):
            c.type = _DOMAIN_TYPE[d]
        return c
    return None


def _question(u: _Unit, words: list[str], fail: int, seq: str, prompt: str) -> _Cand:
    wset = set(words)
    if fail or "fix" in wset or "wrong" in wset or ("happening" in wset and "why" in wset):
        c = _Cand("debugging", 0.7, u.start, u.end, u, kind="question", seq=seq)
        if "why" in wset:
            c.signals.add("root_cause")
        return c
    if (wset & {"pass", "passing"} and wset & {"test", "tests"}) or (
        wset & {"work", "works", "working"} and words[0] in ("does", "do", "is", "are", "did")
    ):
        return _Cand("testing", 0.6, u.start, u.end, u, kind="question", seq=seq)
    if words[0] in ("is", "are", "does", "do", "did", "has", "have") and wset & _REVQ_WORDS:
        return _Cand("review", 0.65, u.start, u.end, u, kind="question", seq=seq)
    if wset & _PLANQ_WORDS and ("you" in wset or "we" in wset) and words[0] in ("how", "what", "what's", "which"):
        return _Cand("planning", 0.6, u.start, u.end, u, kind="question", seq=seq)
    return _Cand("analysis", 0.7, u.start, u.end, u, kind="question", seq=seq)


def _cand_from(u: _Unit, cls: str, words: list[str], i: int, negated: bool, user_action: bool, seq: str,
               prompt: str) -> _Cand | None:
    if cls == "GIT":
        return None
    n = len(words)
    if cls == "START":
        d, _ = _object_domain(words, i + 1, "START")
        if d != "test":
            # "start the dev server" has no type; "start working on" is coding
            if i + 1 < n and words[i + 1] in ("working", "implementing", "coding", "building", "on", "with", "the") \
                    and not (set(words[i + 1:i + 4]) & {"server", "app", "dev", "application", "container"}):
                return _Cand("coding", 0.6, u.start, u.end, u, kind="verb", seq=seq)
            return None
    if cls == "CTX":
        rest = words[i + 1:]
        explicit = "first" in rest or (set(rest) & {"docs", "documentation", "web", "internet", "online"})
        if explicit:
            return _Cand("analysis", 0.6, u.start, u.end, u, kind="verb", seq=seq or ("first" if "first" in rest else ""))
        return _Cand("analysis", 0.35, u.start, u.end, u, weak=True, kind="ctx", seq=seq)
    if "first" in words[i + 1:] and not seq:
        k = words.index("first", i + 1)
        if k == n - 1 or (k + 1 < n and words[k + 1] in ("and", "then", ",", "before")):
            seq = "first"
    if cls == "RUN":
        d, _ = _object_domain(words, i + 1, "RUN")
        if d in ("test", "works"):
            return _Cand("testing", 0.85, u.start, u.end, u, kind="verb", seq=seq)
        if d == "fmt":
            return _Cand("formatting", 0.85, u.start, u.end, u, kind="verb", seq=seq)
        if set(words[i + 1:]) & {"validate", "verify", "check", "confirm", "test"}:
            return _Cand("testing", 0.7, u.start, u.end, u, kind="verb", seq=seq)
        return None
    typ: StepType = _CLASS_TYPE[cls]
    conf = 0.85
    weak = False
    d, _ = _object_domain(words, i + 1, cls)
    if d == "git":
        return None
    if d:
        typ = _DOMAIN_TYPE[d]
        conf = 0.8
    elif cls == "IMPROVE" and set(words[i + 1:]) & {"performance", "faster", "speed", "efficiency"}:
        typ = "refactor"
    if cls == "ENSURE" and not d:
        weak, conf = True, 0.45
    if cls == "CHECK" and not d:
        conf = 0.6
    if cls == "MAKE" and not d and words[i] in ("use", "let", "put", "set", "give", "handle", "pass", "return"):
        conf = 0.65
    if cls in ("MAKE", "IMPL", "ENSURE") and typ == "coding":
        fail, _ = _failure(words[i + 1:])
        if fail == 2 and words[i] in ("handle", "address", "fix"):
            typ = "debugging"
    if cls == "IMPL" and words[i] in ("continue", "proceed", "go", "do", "resume") and i + 1 >= n:
        weak, conf = True, 0.4
    if cls == "REV":
        rest = set(words[i + 1:])
        diag = bool(rest & {"far", "existing", "entire", "whole", "current"}) and "far" in rest or \
            bool(rest & {"entire", "whole"})
    else:
        diag = False
    c = _Cand(typ, conf, u.start, u.end, u, weak=weak, kind="verb", seq=seq, diag=diag)
    return c


def _classify_ml(u: _Unit, prompt: str) -> _Cand | None:
    """Fallback cue lists for other languages."""
    best: dict[str, int] = {}
    for m in _ML_RE.finditer(prompt, u.start, u.end):
        g = m.lastgroup
        if g and g not in best:
            best[g] = m.start()
    if not best:
        return None
    if "fail" in best and "make" not in best:
        typ: StepType = "debugging"
    elif "fix" in best:
        typ = "documentation" if "doc" in best else "debugging"
    else:
        verbs = [g for g in best if g != "fail"]
        verbs.sort(key=lambda g: (g == "make", best[g]))
        typ = _ML_TYPE[verbs[0]] if verbs else "debugging"
    c = _Cand(typ, 0.6, u.start, u.end, u, kind="ml")
    return c


# ---------------------------------------------------------------------------------------------
# Assembling
# ---------------------------------------------------------------------------------------------
_RANK: dict[str, float] = {
    "analysis": 0.0, "planning": 1.0, "debugging": 2.0, "coding": 2.0, "refactor": 2.0, "formatting": 2.0,
    "testing": 3.0, "documentation": 4.0, "review": 5.0,
}
_CHANGE = frozenset({"coding", "debugging", "refactor", "formatting"})


def _merge(cands: list[_Cand], prompt: str) -> list[_Cand]:
    out: list[_Cand] = []
    for c in cands:
        if out:
            p = out[-1]
            same_sentence = p.unit.sent == c.unit.sent
            same_para = p.unit.para == c.unit.para and p.unit.item == c.unit.item
            if p.type == c.type and (
                (same_sentence and c.unit.joiner not in ("then", "also", "next", "finally", "lastly", ";")
                 and c.kind != "question" and not c.seq)
                or (same_para and c.type in ("debugging", "analysis") and c.kind != "verb" and p.kind != "verb"
                    and not c.seq)
                or (same_para and c.type == "debugging" and (c.kind == "failure" or p.kind == "failure"))
                or (c.unit.item >= 0 and p.unit.item >= 0 and c.unit.item == p.unit.item)
            ):
                p.end = max(p.end, c.end)
                p.conf = max(p.conf, c.conf)
                p.weak = p.weak and c.weak
                p.signals |= c.signals
                p.diag = p.diag or c.diag
                continue
        out.append(c)
    return out


def decompose(prompt: str) -> list[DraftStep]:
    """Split `prompt` into ordered, typed draft steps (empty list only for an empty prompt)."""
    if not isinstance(prompt, str) or not prompt.strip():
        return []
    marked = _by_markers(prompt)
    if marked:
        return marked
    units, saw_error, saw_trace = _segment(prompt)
    cands: list[_Cand] = []
    for u in units:
        c = _classify(u, prompt)
        if c is None and not prompt[u.start:u.end].isascii():
            c = _classify_ml(u, prompt)
        elif c is None:
            c = None
        if c is not None:
            cands.append(c)
    if not cands:
        for u in units:
            c = _classify_ml(u, prompt)
            if c is not None:
                cands.append(c)
    cands = _merge(cands, prompt)
    strong = [c for c in cands if not c.weak]
    if strong:
        strong_types = {c.type for c in strong}
        cands = [c for c in cands if not c.weak or (c.type not in strong_types and c.kind not in ("ctx",)
                                                     and c.type != "coding")]
    if saw_error and not any(c.type == "debugging" for c in cands):
        if not cands or all(c.kind in ("question", "ctx", "desire") or c.weak for c in cands):
            anchor = _first_prose(units, prompt)
            if anchor is not None:
                cands = [c for c in cands if c.type != "analysis" or c.kind != "question"]
                cands.insert(0, _Cand("debugging", 0.8, anchor[0], anchor[1], units[0], kind="failure"))
    if not cands:
        anchor = _first_prose(units, prompt)
        if anchor is None:
            s, e = _strip_span(prompt, 0, min(len(prompt), 200))
            if e <= s:
                s, e = 0, min(len(prompt), 200)
            anchor = (s, e)
        q = any(u.question for u in units[:3])
        typ: StepType = "debugging" if saw_error else ("analysis" if q else "coding")
        return [DraftStep(id="s1", type=typ, text=prompt[anchor[0]:anchor[1]], confidence=0.3 if not saw_error else 0.6,
                          start=anchor[0], end=anchor[1], signals=_signals(prompt, typ, saw_trace, set()))]
    cands = cands[:_MAX_STEPS]
    tdd = bool(_TDD_RE.search(prompt, 0, min(len(prompt), _HEAD)))
    ordered, then_edges = _order(cands, tdd)
    items = [(c.type, c.start, c.end, c.conf, tuple(sorted(_signals(prompt, c.type, saw_trace, c.signals))), c.diag)
             for c in ordered]
    return _build(prompt, items, then_edges, tdd)


def _first_prose(units: list[_Unit], prompt: str) -> tuple[int, int] | None:
    if not units:
        return None
    u = units[0]
    return u.start, u.end


def _signals(prompt: str, typ: str, saw_trace: bool, own: set[str]) -> tuple[str, ...]:
    if typ != "debugging":
        return ()
    sig = set(own)
    if saw_trace:
        sig.add("traceback")
    window = prompt if len(prompt) <= _HEAD else prompt[:_HEAD]
    for name, rx in _SIGNAL_RES:
        if rx.search(window):
            sig.add(name)
    return tuple(sorted(sig))


def _order(cands: list[_Cand], tdd: bool) -> tuple[list[_Cand], dict[int, int]]:
    """Execution order: default phase ranks, explicit sequence words as hard constraints."""
    n = len(cands)
    first_change = next((k for k, c in enumerate(cands) if c.type in _CHANGE), n)
    keys: list[tuple[float, float, int]] = []
    for k, c in enumerate(cands):
        rank = _RANK[c.type]
        if c.type == "testing" and tdd:
            rank = 1.5
        if c.type == "review" and (c.diag or (k == 0 and first_change < n)):
            rank = 1.5
        group = 0.0 if c.seq == "first" else (2.0 if c.seq == "last" else 1.0)
        keys.append((group, rank, k))
    # "then" edges: the step after a sequence word comes after the one before it
    preds: dict[int, set[int]] = {k: set() for k in range(n)}
    then_src: dict[int, int] = {}
    for k in range(1, n):
        if cands[k].seq == "then" or cands[k].unit.joiner in ("then", "next", "afterwards"):
            preds[k].add(k - 1)
            then_src[k] = k - 1
    done: list[int] = []
    left = set(range(n))
    while left:
        ready = [k for k in left if not (preds[k] & left)]
        if not ready:  # cannot happen (edges point backwards), but stay total
            ready = list(left)
        k = min(ready, key=lambda x: keys[x])
        done.append(k)
        left.discard(k)
    pos = {k: p for p, k in enumerate(done)}
    edges = {pos[b]: pos[a] for b, a in then_src.items() if pos[a] < pos[b]}
    return [cands[k] for k in done], edges


def _build(prompt: str, items: list, then_edges: dict[int, int], tdd: bool = False) -> list[DraftStep]:
    """Assign ids and dependencies; items are (type, start, end, conf, signals, diag) in execution order."""
    steps: list[DraftStep] = []
    types = [it[0] for it in items]
    for p, (typ, s, e, conf, signals, diag) in enumerate(items):
        deps: set[int] = set()
        earlier = range(p)
        if typ == "planning":
            deps |= {q for q in earlier if types[q] == "analysis"}
        elif typ in _CHANGE:
            plans = [q for q in earlier if types[q] == "planning"]
            if plans:
                deps.add(plans[-1])
            else:
                deps |= {q for q in earlier if types[q] in ("analysis", "review")}
            deps |= {q for q in earlier if types[q] == "testing"}  # test-first
        elif typ == "testing":
            deps |= {q for q in earlier if types[q] in _CHANGE}
            if not deps:
                plans = [q for q in earlier if types[q] == "planning"]
                if plans:
                    deps.add(plans[-1])
        elif typ == "documentation":
            deps |= {q for q in earlier if types[q] in _CHANGE or types[q] == "testing"}
            if not deps:
                deps |= {q for q in earlier if types[q] in ("planning", "analysis", "documentation")}
        elif typ == "review":
            deps |= {q for q in earlier if types[q] != "review"}
        if p in then_edges:
            deps.add(then_edges[p])
        steps.append(
            DraftStep(
                id=f"s{p + 1}",
                type=typ,
                text=prompt[s:e],
                depends_on=tuple(f"s{q + 1}" for q in sorted(deps)),
                confidence=round(conf, 2),
                start=s,
                end=e,
                signals=tuple(signals),
            )
        )
    return steps
