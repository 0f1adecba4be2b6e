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
_SENT_END_RE = re.compile(r"[.!?]+(?=\s|$)|[。！？]+|;(?=\s)|:(?= +[A-Z][a-z])")
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
             " replace rewrite convert port integrate support enable disable allow bump upgrade downgrade"
             " install configure extend show display hide insert append include wire hook connect tweak enhance"
             " style restyle redesign polish populate fill save store give provide prepare draft perform"
             " conduct produce handle expose return send do"
             " incorporate translate localize animate render attach persist cache fetch load pass set")
_add("IMPL", "implement implementing execute proceed continue finish complete resume go carry code program")
_add("CONSTR", "use put keep follow let stick respect adhere prefer apply")
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
_add("PLAN", "plan design architect propose strategize spec come think")
_add("REV", "review audit critique proofread challenge rethink critic double comment")
_add("CHECK", "check")
_add("ENSURE", "ensure")
_add("RUN", "run rerun")
_add("CTX", "look read see open consult reference view browse")
_add("GIT", "commit push merge rebase checkout stash cherry deploy tag pull clone sync publish release")

_CLASS_TYPE: dict[str, StepType] = {
    "FIX": "debugging", "MAKE": "coding", "IMPL": "coding", "TEST": "testing", "DOC": "documentation",
    "REF": "refactor", "CLEAN": "refactor", "REMOVE": "coding", "MOVE": "coding", "IMPROVE": "coding",
    "FMT": "formatting", "ANA": "analysis", "SUGGEST": "analysis", "PLAN": "planning", "REV": "review",
    "CHECK": "analysis", "ENSURE": "coding", "CTX": "analysis", "CONSTR": "coding",
}
# Which object domains can re-type a verb class.
_OVERRIDES: dict[str, frozenset[str]] = {
    "MAKE": frozenset({"test", "doc", "plan", "fmt", "review", "analysis", "fix", "refactor", "git"}),
    "IMPL": frozenset({"test", "fix", "git"}),
    "CONSTR": frozenset(),
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
_dom("doc", "readme readmes docs doc documentation docstring docstrings comment comments changelog guide guides wiki"
            " handoff handover md mdc mdx instructions notes tutorial manual jsdoc javadoc typedoc tsdoc document"
            " documents documenting rst adr adrs faq glossary worklog wording phrasing verbiage typos typo grammar"
            " spelling prose rule")
_dom("plan", "plan plans spec specs specification specifications proposal roadmap prd todos milestones breakdown"
             " task tasks design architecture approach strategy")
_dom("fmt", "formatting formatter lint linting linter linters eslint prettier indentation indention whitespace"
            " flake8 pylint stylelint rubocop gofmt rustfmt clippy ruff isort")
_dom("review", "review reviews audit audits critique")
_dom("analysis", "research analysis investigation overview summary explanation comparison options recommendations"
                 " recommendation insights")
_dom("fix", "fix fixes bugfix bugfixes hotfix")
_dom("refactor", "cleanup unused duplicates duplicate duplicated duplication redundant redundancies dead temporary"
                 " relics leftovers refactoring cleaner readable maintainable modular reusable")
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
    " environment results result output id ids name names count status selector upload uploads viewer editor"
    " parser loader generator bot".split()
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
    "".split()
)
_NEGATORS = frozenset("don't dont never not no without avoid stop nor doesn't shouldn't mustn't cannot can't"
                      " won't wont neednt needn't".split())
_SUBJ_USER_FUTURE = frozenset("i'll ill i'm im".split())
_STOPPERS = frozenset(
    "but without except unless because since while so which that where when if although though whereas"
    " until once whether following according per".split()
)
_CONNECTORS = frozenset(", ; and then also & > + - – — plus afterwards after please (".split())
_SEQ_THEN = frozenset("then next afterwards afterward after subsequently later".split())
_SEQ_LAST = frozenset("finally lastly last".split())
_SEQ_FIRST = frozenset("first firstly beforehand initially".split())
_QWORDS = frozenset("how why what what's whats where which who whom whose when is are does do did isn't aren't"
                    " doesn't don't didn't will would should shall can could may might was were has have"
                    " hasn't haven't".split())
_REQ_AUX = frozenset("can could would will wil may".split())
_REQ_AUX_WE = frozenset("can could may".split())
_REQ_SUBJ = frozenset("you u yu ya we".split())
_FAIL_STRONG = frozenset(
    "error errors erroring errored exception exceptions traceback crash crashes crashed crashing fail fails failed"
    " failing failure failures broken bug bugs buggy stacktrace segfault panic panics undefined nan 404 500"
    " 401 403 502 503 timeout timeouts freezes frozen hangs hanging stuck regression regressions glitch glitches"
    " notloading notworking warning warnings unresponsive".split()
)
_FAIL_WEAK = frozenset("wrong issue issues problem problems weird strange odd missing incorrect incorrectly"
                       " disappeared disappears blank empty null duplicated duplicate duplicates twice".split())
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
_CHECK_REVIEW = frozenset("implementation changes diff pr work code codebase".split())
_DESIRE_RE = re.compile(
    r"\b(?:i(?:'d| would)? (?:want|like|need|wish)|i'd love|would be (?:nice|great|good|cool)|it'd be nice"
    r"|should (?:be|have|show|open|display|use|work|look|say|return|also|not|only|allow|let|support)"
    r"|needs? to (?:be|have|show|work|look|use)|must (?:be|have|show|use|support))\b",
    re.I,
)


_WEAK_DOMAIN_WORDS = frozenset("task tasks design architecture approach strategy".split())
_UI_NOUNS = frozenset("format layout styling style alignment spacing position positioning look appearance colors"
                      " colours color colour padding margins margin fonts font sizing".split())
_ANAPHORA = frozenset("this it them that these those everything everything's all".split())
_GENERIC_OBJ = frozenset("folders folder files file sections section entries entry examples example links headings"
                         " items item lists list things stuff".split())
_PREPS = frozenset("in on at for with from based using within inside right regarding about per under into".split())
_SUBJECTS = frozenset("i we it it's this that there there's they he she is are was were has have had i'm we're"
                      " they're".split())
_SUBORD = frozenset("how that which who where when whether if so because by while once after before since until"
                    " like whose".split())
_HEDGES = frozenset("think guess believe feel suppose assume reckon hope".split())
_HYPOTHETICAL = frozenset("would could might should can".split())
_DESIRE_VERBS = frozenset("like love want need prefer".split())
_MODAL_AFTER_SUBJ = frozenset("need needs have has must should got gotta ought".split())
_INTERJ = frozenset("so ok okay and also but now then thanks thank great alright hmm oh well yes no right cool"
                    " perfect nice hey".split())
_SECTION_KEEP = (
    "goal", "task", "step", "process", "workflow", "instruction", "todo", "to do", "to-do", "request", "objective",
    "deliverable", "need", "next", "action", "what to", "your job", "job", "mission", "implement", "fix", "change",
    "feature", "bug", "issue", "problem", "error", "phase", "plan", "work", "do ", "execution", "procedure",
    "output", "purpose", "prompt", "ask", "help", "required", "review", "test", "analysis", "audit",
)
_PASTE_INTRO_RE = re.compile(
    r"\b(?:here(?: is|'s| are)|below (?:is|are)|as follows|the following|this is (?:the|my)|attached|context"
    r"|documentation|output|logs?|response|message|draft)\b[^:\n]{0,120}:[ \t]*$",
    re.IGNORECASE,
)
_INLINE_INTRO_RE = re.compile(
    r"\b(?:here(?: is|'s| are)|below (?:is|are)|as follows|the following|context|documentation)\b[^:\n]{0,120}:"
    r"[ \t]+(?=[A-Z#`{\[\"(])",
    re.IGNORECASE,
)
_ABBREV_END = ("e.g", "i.e", "etc", " vs", "eg", " ie", "approx", "incl", "w.r.t", "a.k.a", "cf", " no")


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
    parent: int = -1  # for list items: index of the unit that introduced the list
    quoted: bool = False  # inside pasted material or a non-task template section
    last_para: bool = False


@dataclass(slots=True)
class _Cand:
    type: StepType
    conf: float
    start: int
    end: int
    unit: _Unit
    weak: str = ""  # "" strong; "constr" / "desire" / "ctx" / "cont" weak kinds
    kind: str = ""  # how it was found: verb / question / failure / desire / ctx / ml
    seq: str = ""  # "first" / "then" / "last"
    diag: bool = False
    anaphoric: bool = False  # object is a pronoun / generic word: continues the previous request
    cls: str = ""
    typed_by_object: bool = False
    short: bool = False
    signals: set[str] = field(default_factory=set)


# ---------------------------------------------------------------------------------------------
# Markers
# ---------------------------------------------------------------------------------------------
def _by_markers(prompt: str) -> list[DraftStep] | None:
    hits = list(_MARKER_RE.finditer(prompt, 0, min(len(prompt), _HEAD)))
    if not hits:
        return None
    steps: list[tuple[StepType, int, int, float, tuple[str, ...], bool]] = []
    for i, m in enumerate(hits[:_MAX_STEPS]):
        seg_end = hits[i + 1].start() if i + 1 < len(hits) else len(prompt)
        s, e = _strip_span(prompt, m.end(), min(seg_end, m.end() + _MAX_LINE))
        if e <= s:
            continue
        steps.append((_MARKER_NAMES[m.group(1).lower()], s, e, 0.95, (), False))
    if not steps:
        return None
    edges = {k: k - 1 for k in range(1, len(steps))}
    return _build(prompt, steps, edges)


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
    if first in "{}[]<|/\\$`'\"=;" and not stripped.startswith("[…]"):
        return True
    if stripped.endswith(("{", ";", "\\", "=>", "(", "[", ",\"")) and (n < 60 or stripped.count(" ") < 6):
        return True
    letters = 0
    for ch in stripped[:400]:
        if ch.isalpha() or ch == " ":
            letters += 1
    return letters < 0.72 * min(n, 400)


def _tokens(text: str, base: int) -> list[tuple[str, int, int]]:
    return [(m.group().lower().replace("’", "'"), base + m.start(), base + m.end()) for m in _TOKEN_RE.finditer(text)]


def _keep_section(title: str) -> bool:
    t = title.strip(" #\t*").lower()
    if not t.isascii():
        return True
    return any(k in t for k in _SECTION_KEEP)


def _segment(prompt: str, filtered: bool = True) -> tuple[list[_Unit], bool, bool]:
    """Cut the prompt into clause units; report whether pasted error output / a stack trace was seen."""
    units: list[_Unit] = []
    saw_error = saw_trace = False
    sent_id = para_id = item_id = 0
    quoted = False
    for w0, w1 in _windows(len(prompt)):
        pos = w0
        in_fence = False
        front = w0 == 0 and prompt.startswith("---")
        first_line = True
        list_indent = -1
        list_parent = -1
        skip_section = False
        last_prose_unit = -1
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
            if _HEADING_RE.match(line):
                para_id += 1
                skip_section = filtered and not _keep_section(line)
                list_parent = -1
                continue
            if line.strip() in ("[…]", "[...]", "…"):
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
                if list_indent < 0:
                    list_parent = last_prose_unit
                if list_indent < 0 or indent <= list_indent:
                    item_id += 1
                    list_indent = indent if list_indent < 0 else min(indent, list_indent)
                cur_item = item_id
            else:
                cur_item = -1
                list_indent = -1
                list_parent = -1
            line_end = lstart + len(line)
            cut_quote = -1
            if filtered and not quoted:
                m = _INLINE_INTRO_RE.search(line)
                if m:
                    line_end = lstart + m.end()
                    cut_quote = 1
            if len(_TOKEN_RE.findall(line, body)) <= 1 and cur_item < 0:
                continue  # a lone word on its own line ("Copy", "Code"): a label, not a request
            n_before = len(units)
            _split_line(prompt, lstart + body, line_end, units, sent_id, para_id, cur_item)
            for k in range(n_before, len(units)):
                units[k].parent = list_parent if cur_item >= 0 else -1
                units[k].quoted = quoted or skip_section
            if cur_item < 0 and len(units) > n_before:
                last_prose_unit = len(units) - 1
            if units:
                sent_id = units[-1].sent + 1
            if filtered and not quoted and (cut_quote > 0 or _PASTE_INTRO_RE.search(line)):
                quoted = True
        para_id += 1
    if units:
        last = units[-1].para
        for u in units:
            u.last_para = u.para == last
    return units, saw_error, saw_trace


def _split_line(prompt: str, s: int, e: int, units: list[_Unit], sent_id: int, para: int, item: int) -> None:
    seg_start = s
    ends = []
    for m in _SENT_END_RE.finditer(prompt, s, e):
        ps = m.start()
        if m.group()[0] == "." and prompt[max(s, ps - 6):ps].lower().endswith(_ABBREV_END):
            continue
        ends.append((ps, m.end()))
    ends.append((e, e))
    for punct_start, punct_end in ends:
        if punct_end <= seg_start and punct_start != e:
            continue
        q = "?" in prompt[punct_start:punct_end] or "？" in prompt[punct_start:punct_end]
        if punct_start > seg_start:
            _split_sentence(prompt, seg_start, punct_start, units, sent_id, para, item, q)
            sent_id += 1
        seg_start = punct_end
        if len(units) >= _MAX_UNITS:
            return


def _is_request_q(words: list[str], k0: int) -> bool:
    """ "can you ...", "could we ...", "will you ...": a request phrased as a question."""
    if k0 + 1 >= len(words):
        return False
    aux, subj = words[k0], words[k0 + 1]
    if subj in ("you", "u", "yu", "ya"):
        return aux in _REQ_AUX
    return subj == "we" and aux in _REQ_AUX_WE


_NEW_REQUEST_FILLERS = frozenset("then also next finally afterwards lastly can could please".split())


def _split_sentence(prompt: str, s: int, e: int, units: list[_Unit], sent: int, para: int, item: int,
                    q: bool) -> None:
    toks = _tokens(prompt[s:e], s)
    if not toks:
        return
    words = [t[0] for t in toks]
    k0 = 0
    while k0 < len(words) - 1 and words[k0] in _INTERJ:
        k0 += 1
    info_q = q and words[k0] in _QWORDS and not _is_request_q(words, k0)
    if not q and words[0] in ("how", "why", "what", "what's", "whats", "where", "which") and len(words) >= 4:
        q = info_q = True
    cuts: list[tuple[int, str]] = []
    n = len(toks)
    if not info_q:
        i = 1
        seen_content = words[0] not in _FILLERS
        subord = False
        infinitive = False
        while i < n:
            w = words[i]
            if w in _VERBS and words[i - 1] in ("to", "can", "could", "should", "will", "would", "must", "might"):
                infinitive = True
            elif w in (",", ";", "(", "-"):
                infinitive = False
            if w in ("but", "however", "although", "though"):
                cuts.append((i, w))
                subord = False
                seen_content = False
                i += 1
                continue
            if w in _CONNECTORS and seen_content:
                joiner = w
                j = i + 1
                while j < n and words[j] in _FILLERS and words[j] not in _VERBS and w != ">":
                    if words[j] in _NEW_REQUEST_FILLERS:
                        joiner = "then" if words[j] in ("then", "next", "afterwards", "finally", "lastly") else "also"
                    j += 1
                if w == "after" and j < n and words[j] in ("that", "this"):
                    joiner = "then"
                    j += 1
                    while j < n and words[j] in _FILLERS:
                        j += 1
                elif w == "after":
                    i += 1
                    continue
                if w == "then":
                    joiner = "then"
                verbish = j < n and (words[j] in _VERBS or words[j] in ("don't", "dont", "never"))
                bare_and = w in ("and", "&", "+") and joiner in ("and", "&", "+")
                if verbish and not (bare_and and subord and infinitive) and j + 1 <= n:
                    if not (j + 1 < n and words[j + 1] in ("of", ":")):
                        cuts.append((i, joiner))
                        subord = False
                        seen_content = True
                        i = j + 1
                        continue
                if w == "then" and j < n and not verbish and j + 1 < n:
                    cuts.append((i, "then"))
                    subord = False
                    i = j
                    continue
            if w in _SUBORD:
                subord = True
            if w not in _FILLERS:
                seen_content = True
            i += 1
    bounds = [0] + [c[0] for c in cuts] + [n]
    joiners = [""] + [c[1] for c in cuts]
    nclauses = len(bounds) - 1
    for k in range(nclauses):
        a, b = bounds[k], bounds[k + 1]
        if a >= b:
            continue
        ct = toks[a:b]
        while ct and ct[0][0] in (",", ";", ":", "-", "–", "—", ">", "&", "+", "(", "and", "but", "however"):
            ct = ct[1:]
        if not ct:
            continue
        cs, ce = _strip_span(prompt, ct[0][1], ct[-1][2])
        if ce <= cs or (len(ct) == 1 and k > 0 and prompt[ct[0][1]:ct[0][2]].isupper()):
            continue
        is_q = q and (k == nclauses - 1 or ct[0][0] in _QWORDS or info_q)
        units.append(_Unit(cs, ce, ct, sent, para, item, is_q, k == 0, joiners[k]))


# ---------------------------------------------------------------------------------------------
# Typing one clause
# ---------------------------------------------------------------------------------------------
def _is_title(prompt: str, s: int, e: int) -> bool:
    return e - s > 1 and prompt[s].isupper() and prompt[s + 1:e].islower()


def _object_domain(words: list[str], start: int, cls: str, toks: list[tuple[str, int, int]] | None = None,
                   prompt: str = "", stop: int = -1) -> tuple[str, int]:
    """The first domain noun after the head verb (until a subordinate clause starts)."""
    allowed = _OVERRIDES.get(cls, frozenset())
    weak_found = ""
    weak_at = -1
    git_at = -1
    n = len(words) if stop < 0 else stop
    limit = min(n, start + 16)
    for k in range(start, limit):
        w = words[k]
        if w in _STOPPERS and k > start:
            break
        prev = words[k - 1] if k else ""
        nxt = words[k + 1] if k + 1 < n else ""
        if cls == "CHECK":
            if w in _WORKS_WORDS or w == "tests" or w == "test":
                return "works", k
            if w in _REVQ_WORDS or w in _CHECK_REVIEW:
                return "revq", k
            d = _DOMAIN.get(w)
            if d == "doc" and ("update" in words[k:limit] or "updates" in words[k:limit]
                               or "updating" in words[k:limit]):
                return "docupd", k
            if d == "fmt":
                return "fmt", k
            continue
        if cls in ("ENSURE", "RUN") and w in _WORKS_WORDS:
            return "works", k
        d = _DOMAIN.get(w)
        if w == "steps" and prev == "next":
            d = "plan"
        elif w == "log" and prev == "work":
            d = "doc"
        elif w in ("clean", "cleaner", "simpler") and prev == "more":
            d = "refactor"
        elif w == "rules" and prev in ("cursor", "agent", "copilot", "claude", "project", "coding", "ai", "windsurf"):
            d = "doc"
        elif w == "message" and prev == "commit":
            d = "doc"
        elif w == "description" and prev in ("pr", "commit", "release"):
            d = "doc"
        if d is None:
            continue
        if w.endswith("'s"):
            continue
        if nxt in _TOOL_NOUNS and d not in ("fix", "refactor", "perf", "git", "files"):
            continue
        if d == "fmt" and any(x in _MARKUP_WORDS for x in words[start:limit]):
            continue
        if d == "doc" and w == "rule" and prev not in ("a", "the", "new", "cursor", "agent", "this", "that", "one"):
            continue
        if d in ("analysis", "review", "plan") and toks is not None and k > 0 and \
                _is_title(prompt, toks[k][1], toks[k][2]):
            continue  # "the Analysis panel": a name, not the work
        if d == "git":
            if git_at < 0:
                git_at = k
            continue
        if d == "files" and cls != "MOVE":
            continue
        if d not in allowed:
            if d in ("test", "doc", "plan", "fmt") and w not in _WEAK_DOMAIN_WORDS:
                break  # the object is of a kind this verb keeps ("fix the tests" stays debugging)
            continue
        if d == "doc" and w in ("md", "doc", "document", "file", "markdown", "mdx") and "plan" in allowed:
            for k2 in range(k + 1, limit):
                if words[k2] in _STOPPERS:
                    break
                if _DOMAIN.get(words[k2]) == "plan" and words[k2] not in _WEAK_DOMAIN_WORDS:
                    return "plan", k2
            if k > start and words[k - 1] in ("the", "whole") and any(
                    _DOMAIN.get(x) == "plan" and x not in _WEAK_DOMAIN_WORDS for x in words[start:k]):
                return "plan", k
        if w in _WEAK_DOMAIN_WORDS:
            if not weak_found and k - start <= 2:
                weak_found, weak_at = d, k
            continue
        return d, k
    if weak_found:
        return weak_found, weak_at
    if git_at >= 0 and "git" in allowed:
        return "git", git_at
    return "", -1


_PREDICATE = frozenset("is are was were be been seems seem looks look appears appear shows show keeps keep got get"
                        " gets getting i it it's there there's we has have had still now".split())


def _failure(words: list[str]) -> tuple[int, bool]:
    """Failure vocabulary in a clause: (strength 0/1/2, positive statement seen)."""
    strength, positive, _ = _failure_at(words)
    return strength, positive


def _failure_at(words: list[str]) -> tuple[int, bool, int]:
    strength = 0
    positive = False
    first = -1
    n = len(words)
    for k, w in enumerate(words):
        if strength and first < 0:
            first = k - 1
        prev = words[k - 1] if k else ""
        if w in _FAIL_STRONG:
            if prev in ("no", "without", "zero", "any") or (prev == "the" and k >= 2 and words[k - 2] == "fixed"):
                continue
            if k + 1 < n and words[k + 1] in ("handling", "handler", "handlers", "boundary", "message", "messages",
                                              "page", "state", "states", "codes", "code", "reporting", "logging"):
                if prev not in ("this", "the", "an", "these", "that", "following"):
                    continue
            strength = 2
        elif w in _FAIL_WEAK:
            if prev in ("no", "without", "any"):
                continue
            strength = max(strength, 1)
        elif w in _FAIL_NEG_AUX and k + 1 < n:
            nxt = words[k + 1]
            if nxt in _FAIL_NEG_EXCLUDE or prev in ("i", "we", "you", "please", "just", "dont", "don't") and \
                    w in ("don't", "dont", "not", "never") or prev == "you" or nxt == "you":
                continue
            if w in ("not", "never"):
                if prev in ("does", "do", "did", "will", "can", "could", "would", "won't"):
                    strength = 2
                    continue
                if prev not in ("is", "are", "was", "were", "it", "still", "has", "have", "get", "gets", "being"):
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
    if strength and first < 0:
        first = n - 1
    if strength == 1 and not any(w in _PREDICATE for w in words):
        strength = 0
    return strength, positive, first


def _find_head(u: _Unit, words: list[str], prompt: str) -> tuple[int, dict]:
    """Index of the head verb (or len(words)) and flags seen on the way."""
    n = len(words)
    flags = {"neg": False, "user": False, "seq": "", "req": False, "defer": False, "neg_subj": False, "perm": False}
    i = 0
    while i < n:
        w = words[i]
        nxt = words[i + 1] if i + 1 < n else ""
        if i < n and u.toks[i][1] > 0 and prompt[u.toks[i][1] - 1] in "#@":
            i += 1
            continue
        if w in ("i", "we") and nxt in _HEDGES:
            i += 2
            continue
        if w == "i" and nxt in _HYPOTHETICAL and \
                not (i + 2 < n and words[i + 2] in _DESIRE_VERBS):
            flags["user"] = True
        if w in ("i'll", "ill") or (w == "i" and nxt in ("will", "shall")) or (
            w in ("i", "i'm", "im") and "going" in words[i + 1:i + 3] and "to" in words[i + 2:i + 4]) or (
            w == "will" and (i == 0 or words[i - 1] not in ("you", "we", "u", "it", "can", "please")) and not u.question
        ) or (w == "let" and nxt == "me"):
            flags["user"] = True
        if w in _VERBS and not (w in ("let", "go", "do", "can", "will") and nxt in (
                "me", "us", "you", "ahead", "to", "not", "n't", "i", "we", "it's", "on")):
            if w == "go" and nxt in ("through", "over"):
                return i, flags
            if nxt in ("of", ":") or (nxt == "," and n > i + 2 and words[i + 2] not in _VERBS) or (
                    i == 0 and i + 2 < n and words[i + 2] == ":" and nxt not in _ANAPHORA):
                return n, flags  # "List of ...", "Design direction: ...": a label, not an instruction
            return i, flags
        if w in _NEGATORS or (w == "do" and nxt == "not"):
            if i > 0 and words[i - 1] in ("i", "it", "we", "this", "that", "they", "he", "she", "you"):
                flags["neg_subj"] = True
            if w == "no" and nxt not in ("need", "longer"):
                if _DOMAIN.get(nxt) in ("test", "doc", "plan", "fmt", "review"):
                    flags["defer"] = True
                    return n, flags
            flags["neg"] = True
            i += 1
            continue
        if w in _SEQ_FIRST:
            flags["seq"] = "first"
        elif w in _SEQ_THEN and not flags["seq"]:
            flags["seq"] = "then"
        elif w in _SEQ_LAST:
            flags["seq"] = "last"
        if w in ("once", "after", "until") and nxt in (
            "i", "we", "you", "it", "this", "approved", "approval", "confirmed", "everything",
        ):
            flags["defer"] = True
            return n, flags
        if w == "before" and nxt not in ("that", "this", ","):
            flags["defer"] = True
            return n, flags
        if i <= 1 and _is_request_q(words, i):
            flags["req"] = True
        if w in ("you", "u") and nxt in ("can", "could", "may", "might") and not u.question:
            flags["perm"] = True
        if w in ("your", "the", "my") and nxt in ("task", "job", "goal", "mission", "objective", "role"):
            i += 2
            continue
        if w == "please":
            flags["req"] = True
        if w in _FILLERS or w in _SUBJ_USER_FUTURE or (len(w) > 4 and w.endswith("ly")):
            i += 1
            continue
        break
    if i < n and words[i] in _PREPS:
        # a leading phrase: "In great detail look through ...", "Based on X alter Y"
        for k in range(i + 1, min(n, i + 8)):
            if words[k] in _SUBJECTS:
                break
            if words[k] in _VERBS and k + 1 < n and words[k + 1] not in ("of", ":"):
                if words[k - 1] in ("the", "a", "an", "my", "our", "your", "this", "of", "to"):
                    continue
                return k, flags
    # "we need to rewrite", "you should use", "i want you to make" later in the clause
    for k in range(i, n - 2):
        if words[k] in ("we", "you", "u") and words[k + 1] in _MODAL_AFTER_SUBJ:
            j = k + 2
            if j < n and words[j] == "to":
                j += 1
            if j < n and words[j] in _VERBS:
                return j, flags
    return n, flags


def _classify(u: _Unit, prompt: str, has_defer: bool) -> list[_Cand]:
    words = [t[0] for t in u.toks]
    n = len(words)
    if not n:
        return []
    if has_defer and _DEFER_RE.search(prompt, u.start, u.end):
        return []
    k0 = 0
    while k0 < n - 1 and words[k0] in _INTERJ:
        k0 += 1
    if u.question and words[k0] in _QWORDS and not _is_request_q(words, k0) and not (k0 == 0 and words[0] in _VERBS and words[0] not in ("do", "will", "can")):
        fail, _ = _failure(words)
        return [_question(u, words, fail, "")]
    i, flags = _find_head(u, words, prompt)
    if flags["defer"]:
        return []
    head = words[i] if i < n else ""
    cls = _VERBS.get(head, "")
    nxt = words[i + 1] if i + 1 < n else ""
    nxt2 = words[i + 2] if i + 2 < n else ""
    if head in ("make", "making") and nxt == "sure":
        cls, i = "ENSURE", i + 1
    elif head == "double" and nxt in ("check", "checks"):
        cls, i = "REV", i + 1
    elif head == "double":
        cls = ""
    elif head in ("clean", "tidy", "sort") and nxt in ("up", "out"):
        cls, i = "CLEAN", i + 1
    elif head in ("look", "dig", "go") and nxt in ("into", "through", "over", "up", "around"):
        cls, i = "ANA", i + 1
    elif head in ("find", "figure", "work") and nxt == "out":
        cls, i = "ANA", i + 1
    elif head == "come":
        if nxt == "up" and nxt2 == "with":
            d, _ = _object_domain(words, i + 3, "SUGGEST")
            cls, i = ("PLAN" if d == "plan" or set(words[i + 3:i + 7]) & {"improvements", "ideas", "solution"}
                      else "ANA"), i + 2
        else:
            cls = ""
    elif head == "check" and nxt == "out":
        cls, i = "CTX", i + 1
    elif head in ("think", "thinking"):
        if nxt in ("of", "through"):
            cls, i = "PLAN", i + 1
        elif nxt == "about":
            cls, i = "ANA", i + 1
        else:
            cls = ""
    elif head == "break" and nxt == "down":
        cls, i = "PLAN", i + 1
    elif head in ("tell", "show", "walk", "remind") and nxt in ("me", "us"):
        cls = "ANA"
    elif head == "get" and nxt == "rid" and nxt2 == "of":
        cls, i = "REMOVE", i + 2
    elif head == "comment":
        cls = "REV" if nxt == "on" else "DOC"
    elif head == "spec":
        cls = "PLAN" if nxt == "out" else ""
    elif head == "run" and nxt == "through":
        cls = "ANA"
    elif head == "start" and nxt in ("working", "implementing", "coding", "building", "on", "with"):
        cls = "IMPL"
    elif cls == "FIX" and _VERBS.get(nxt) in ("IMPL", "MAKE"):
        cls, i = "IMPL", i + 1  # "fix/implement all of X"
    if head == "tell" and nxt not in ("me", "us"):
        cls = ""
    if cls and flags["neg_subj"]:
        fail, positive = _failure(words)
        if fail == 2 and not positive:
            return [_Cand("debugging", 0.7, u.start, u.end, u, kind="failure", seq=flags["seq"])]
        return []
    if not cls:
        if flags["user"] and not u.question:
            return []
        fail, positive, fat = _failure_at(words)
        if u.question:
            c = _question(u, words, fail, flags["seq"])
            if flags["req"] and c.type == "analysis":
                c.conf = 0.5
            return [c]
        if fail and not positive and not flags["neg"] and (fail == 2 or n >= 3) and words[0] not in (
                "if", "when", "whether", "unless", "whenever", "in", "case"):
            typ: StepType = "debugging"
            d, _ = _object_domain(words, 0, "FIX", stop=max(fat, 0))
            if d == "doc":
                typ = "documentation"
            return [_Cand(typ, 0.75 if fail == 2 else 0.55, u.start, u.end, u, kind="failure", seq=flags["seq"])]
        if not flags["neg"] and _DESIRE_RE.search(prompt, u.start, u.end):
            return [_Cand("coding", 0.45, u.start, u.end, u, weak="desire", kind="desire", seq=flags["seq"])]
        if u.joiner == "then" and not flags["neg"]:
            # "... then wrrite the handoff doc": an unrecognised verb after a sequence word
            d, _ = _object_domain(words, 1, "MAKE")
            if d in ("test", "doc", "plan"):
                return [_Cand(_DOMAIN_TYPE[d], 0.5, u.start, u.end, u, kind="verb", seq="then")]
        return []
    if flags["neg"] or flags["user"]:
        return []
    got = _cand_from(u, cls, words, i, flags["seq"], prompt)
    if flags["perm"]:
        for c in got:
            c.weak, c.conf = "ctx", min(c.conf, 0.4)
    return got


def _question(u: _Unit, words: list[str], fail: int, seq: str) -> _Cand:
    wset = set(words)
    if any(_DOMAIN.get(w) == "fmt" for w in words) and not wset & _MARKUP_WORDS:
        return _Cand("formatting", 0.6, u.start, u.end, u, kind="question", seq=seq)
    if fail == 2 or "fix" in wset or "wrong" in wset or ("happening" in wset and "why" in wset) or (
            fail and words[0] in ("why", "what", "what's", "whats")):
        d, _ = _object_domain(words, 0, "FIX")
        typ: StepType = _DOMAIN_TYPE[d] if d in ("fmt",) else "debugging"
        c = _Cand(typ, 0.7, u.start, u.end, u, kind="question", seq=seq)
        if "why" in wset:
            c.signals.add("root_cause")
        return c
    if (wset & {"pass", "passing"} and wset & {"test", "tests"}) or (
        wset & {"work", "works", "working"} and words[0] in ("does", "do", "is", "are", "did")
    ):
        return _Cand("testing", 0.6, u.start, u.end, u, kind="question", seq=seq)
    if words[0] in ("is", "are", "does", "do", "did", "has", "have") and wset & _REVQ_WORDS:
        return _Cand("review", 0.65, u.start, u.end, u, kind="question", seq=seq)
    if (wset & _PLANQ_WORDS and ("you" in wset or "we" in wset) or "best" in wset and wset & {"way", "approach"}) \
            and words[0] in ("how", "what", "what's", "which", "whats"):
        return _Cand("planning", 0.6, u.start, u.end, u, kind="question", seq=seq)
    return _Cand("analysis", 0.7, u.start, u.end, u, kind="question", seq=seq)


def _cand_from(u: _Unit, cls: str, words: list[str], i: int, seq: str, prompt: str) -> list[_Cand]:
    if cls == "GIT":
        return []
    n = len(words)
    rest = words[i + 1:]
    if cls == "START":
        d, _ = _object_domain(words, i + 1, "START")
        if d != "test":
            return []
    if cls == "CTX":
        explicit = "first" in rest or (set(rest[:4]) & {"web", "internet", "online"}) or (
            len(rest) > 1 and rest[0] in ("the", "official", "their", "its", "api") and rest[1] in ("docs", "documentation"))
        if explicit:
            return [_Cand("analysis", 0.6, u.start, u.end, u, kind="verb", seq=seq or ("first" if "first" in rest else ""))]
        return [_Cand("analysis", 0.35, u.start, u.end, u, weak="ctx", kind="ctx", seq=seq)]
    if "first" in rest and not seq:
        k = words.index("first", i + 1)
        if k == n - 1 or (k + 1 < n and words[k + 1] in ("and", "then", ",", "before")):
            seq = "first"
    if cls == "CONSTR":
        # "use X to plan ...": the purpose verb is the request
        for k in range(i + 2, min(n - 1, i + 10)):
            if words[k] == "to":
                j = k + 1
                while j < n and len(words[j]) > 4 and words[j].endswith("ly"):
                    j += 1
                if j < n and words[j] in _VERBS and _VERBS[words[j]] not in ("CONSTR", "GIT", "CTX"):
                    return _cand_from(u, _VERBS[words[j]], words, j, seq, prompt)
                break
    if cls == "ENSURE":
        j = i + 1
        if j < n and words[j] in ("you", "to", "we", "that"):
            j += 1
            if j < n and words[j] == "also":
                j += 1
            if j < n and words[j] in _VERBS and _VERBS[words[j]] not in ("GIT",) and words[j] not in ("do",):
                return _cand_from(u, _VERBS[words[j]], words, j, seq, prompt)
    if cls == "ANA" and words[i] in ("tell", "show", "give"):
        d, _ = _object_domain(words, i + 1, "SUGGEST")
        if d == "plan":
            return [_Cand("planning", 0.75, u.start, u.end, u, kind="verb", seq=seq)]
    if cls == "RUN":
        d, _ = _object_domain(words, i + 1, "RUN")
        if d in ("test", "works"):
            return [_Cand("testing", 0.85, u.start, u.end, u, kind="verb", seq=seq)]
        if d == "fmt":
            return [_Cand("formatting", 0.85, u.start, u.end, u, kind="verb", seq=seq)]
        if set(rest) & {"validate", "verify", "check", "confirm", "test"}:
            return [_Cand("testing", 0.7, u.start, u.end, u, kind="verb", seq=seq)]
        return []
    # coordination: "update version and changelog" -> two objects of different kinds
    and_at = -1
    for k in range(i + 1, min(n, i + 10)):
        if words[k] in _STOPPERS:
            break
        if words[k] in ("and", "&"):
            and_at = k if k > i + 1 else -1
            break
    d, _ = _object_domain(words, i + 1, cls, u.toks, prompt, and_at if and_at > 0 else -1)
    out: list[_Cand] = []
    if and_at > 0:
        d2, _ = _object_domain(words, and_at + 1, cls, u.toks, prompt, min(n, and_at + 4))
        if d2 and d2 != d and d2 != "git" and d != "git":
            split = u.toks[and_at][1]
            first = _typed(u, cls, words, i, d, seq, u.start, split, prompt)
            second = _typed(u, cls, words, i, d2, "", split, u.end, prompt)
            return [c for c in (first, second) if c is not None]
    if not d and and_at < 0:
        pass
    elif not d:
        d, _ = _object_domain(words, and_at + 1, cls, u.toks, prompt)
    c = _typed(u, cls, words, i, d, seq, u.start, u.end, prompt)
    if c is not None:
        out.append(c)
    return out


def _typed(u: _Unit, cls: str, words: list[str], i: int, d: str, seq: str, s: int, e: int,
           prompt: str) -> _Cand | None:
    if d == "git":
        return None
    n = len(words)
    typ: StepType = _CLASS_TYPE[cls]
    conf = 0.85
    weak = ""
    rest = words[i + 1:]
    if d:
        typ = _DOMAIN_TYPE[d]
        conf = 0.8
    elif cls == "IMPROVE" and set(rest) & {"performance", "faster", "speed", "efficiency"}:
        typ = "refactor"
    obj = rest[:3]
    anaphoric = bool(obj) and (obj[0] in _ANAPHORA or (obj[0] in ("the", "all", "these", "those") and len(obj) > 1
                                                       and obj[1] in _GENERIC_OBJ) or obj[0] in _GENERIC_OBJ)
    short = len(rest) <= 3
    if cls == "FIX" and not d:
        if set(rest[:6]) & _UI_NOUNS and not _failure(rest)[0]:
            typ = "coding"
    if cls == "ENSURE" and not d:
        weak, conf = "desire", 0.45
    if cls == "CHECK" and not d:
        conf = 0.6
    if cls == "CONSTR":
        weak, conf = "constr", 0.45
    if cls == "MAKE" and words[i] in ("make", "do") and anaphoric and short:
        weak, conf = "cont", 0.45
    if cls == "IMPL" and words[i] in ("continue", "proceed", "go", "resume") and not d and (
            len(rest) <= 1 or anaphoric or rest[0] in ("with", "using", "from")):
        weak, conf = "cont", 0.5
    if cls in ("MAKE", "IMPL") and typ == "coding":
        fail, _ = _failure(rest)
        if (fail == 2 and words[i] in ("handle", "address")) or set(rest) & {"fix", "resolve", "solve", "fixes"}:
            typ = "debugging"
    diag = False
    if cls == "REV":
        rs = set(rest)
        diag = bool(rs & {"entire", "whole"})
    c = _Cand(typ, conf, s, e, u, weak=weak, kind="verb", seq=seq, diag=diag)
    c.anaphoric = anaphoric and not d
    c.short = short
    c.cls = cls
    c.typed_by_object = bool(d)
    return c


def _classify_ml(u: _Unit, prompt: str) -> list[_Cand]:
    """Fallback cue lists for other languages."""
    best: dict[str, int] = {}
    for m in _ML_RE.finditer(prompt, u.start, u.end):
        g = m.lastgroup
        if g and g not in best:
            best[g] = m.start()
    if not best:
        return []
    if "fail" in best and "make" not in best:
        typ: StepType = "debugging"
    elif "fix" in best:
        typ = "documentation" if "doc" in best else "debugging"
    else:
        verbs = [g for g in best if g != "fail"]
        verbs.sort(key=lambda g: (g == "make", best[g]))
        typ = _ML_TYPE[verbs[0]] if verbs else "debugging"
    return [_Cand(typ, 0.6, u.start, u.end, u, kind="ml")]


# ---------------------------------------------------------------------------------------------
# Assembling
# ---------------------------------------------------------------------------------------------
_RANK: dict[str, float] = {
    "analysis": 0.0, "planning": 1.0, "debugging": 2.0, "coding": 2.0, "refactor": 2.0, "formatting": 2.0,
    "testing": 3.0, "documentation": 4.0, "review": 5.0,
}
_CHANGE = frozenset({"coding", "debugging", "refactor", "formatting"})
_ONCE = frozenset({"analysis", "planning", "debugging", "review"})
_PLAN_OF_CHANGE = frozenset("change changes fix fixes implement implementation improvements improve refactor".split())


def _absorb(p: _Cand, c: _Cand) -> None:
    p.start = min(p.start, c.start)
    p.end = max(p.end, c.end)
    p.conf = max(p.conf, c.conf)
    if not c.weak:
        p.weak = ""
    p.signals |= c.signals
    p.diag = p.diag or c.diag


def _merge(cands: list[_Cand]) -> list[_Cand]:
    out: list[_Cand] = []
    for c in cands:
        # continuing an earlier request: "the changelog has duplicates, fix this"
        if out and c.anaphoric and c.type in ("coding", "debugging", "refactor") and not c.unit.joiner == "then":
            p = out[-1]
            if p.unit.para == c.unit.para and p.type in ("documentation", "testing", "formatting") and \
                    c.cls in _OVERRIDES and any(_DOMAIN_TYPE.get(x) == p.type for x in _OVERRIDES[c.cls]):
                c.type = p.type
        if out and c.type == "debugging" and out[-1].type in ("review", "analysis") and \
                out[-1].unit.sent == c.unit.sent and c.unit.joiner in ("and", ",", "&") and out[-1].kind != "question":
            p = out.pop()  # "go through the code and implement fixes": the look serves the fix
            c.start = min(c.start, p.start)
        if out:
            p = out[-1]
            same_sentence = p.unit.sent == c.unit.sent
            same_para = p.unit.para == c.unit.para and p.unit.item == c.unit.item
            if p.type == c.type and (
                (same_sentence and c.unit.joiner not in ("then", "also", ";") and c.kind != "question" and not c.seq)
                or (same_para and (c.anaphoric or c.short) and c.kind == "verb" and c.unit.joiner != "then")
                or (same_para and c.type in ("debugging", "analysis"))
                or (c.unit.item >= 0 and p.unit.item >= 0 and c.unit.item == p.unit.item)
            ):
                _absorb(p, c)
                continue
        out.append(c)
    return out


def _select(cands: list[_Cand], units: list[_Unit]) -> list[_Cand]:
    """Drop context, weak guesses and repeats once the real requests are known."""
    # pasted material and non-task template sections count only if nothing else does
    if any(not c.unit.quoted for c in cands):
        cands = [c for c in cands if not c.unit.quoted or (c.unit.last_para and not c.weak and c.kind == "verb")]
    # list items under a line that already asked for something are parts of that request
    by_unit = {id(c.unit): c for c in cands}
    kept: list[_Cand] = []
    for c in cands:
        par = c.unit.parent
        if par >= 0 and c.unit.item >= 0:
            pc = by_unit.get(id(units[par]))
            if pc is not None and pc is not c and (pc.type == c.type or c.weak or c.kind != "verb" or c.conf < 0.8
                                                   or pc.type in ("documentation", "planning")):
                continue
        kept.append(c)
    cands = kept
    # sub-bullets describing one deliverable: same-type list items join the request that introduced them
    kept = []
    for c in cands:
        if c.unit.item >= 0 and c.type in ("coding", "refactor", "documentation", "testing", "debugging"):
            fam = _CHANGE if c.type in _CHANGE else {c.type}
            host = next((p for p in kept if p.type in fam and p.unit.item < 0 and not p.weak), None)
            if host is not None:
                continue
        kept.append(c)
    cands = kept
    strong = [c for c in cands if not c.weak]
    if strong:
        strong_types = {c.type for c in strong}
        res = []
        for c in cands:
            if not c.weak:
                res.append(c)
            elif c.weak in ("constr", "ctx"):
                continue
            elif c.type in strong_types:
                continue
            elif c.type == "coding" and (c.weak != "desire" or "coding" in strong_types
                                         or any(x.unit.para == c.unit.para for x in strong)):
                continue
            else:
                res.append(c)
        cands = res
    # a plan asked for what was just described: the described changes are its subject, not steps
    plans = [c for c in cands if c.type == "planning" and c.kind == "verb" and (
        c.short or c.anaphoric or set(w for w, _, _ in c.unit.toks) & _PLAN_OF_CHANGE)]
    if plans and any(c.kind == "failure" for c in cands) and not any(
            c.type == "debugging" and c.kind == "verb" for c in cands):
        cands = [c for c in cands if c.kind != "failure"]  # the failure is what the plan is about
    if plans:
        p = plans[-1]
        if not any(c.type in _CHANGE and c.start > p.start for c in cands):
            cands = [c for c in cands if c.type not in _CHANGE or c.start > p.start]
    # one analysis / planning / debugging / review phase per prompt (distinct list items excepted)
    seen: dict[str, _Cand] = {}
    res = []
    for c in cands:
        if c.type in _ONCE and c.type in seen:
            p = seen[c.type]
            if not (c.type in ("debugging", "review") and c.unit.item >= 0 and c.unit.item != p.unit.item
                    and c.kind == p.kind):
                p.conf = max(p.conf, c.conf)
                p.signals |= c.signals
                if c.seq == "first":
                    p.seq = "first"
                continue
        seen.setdefault(c.type, c)
        res.append(c)
    return res


def decompose(prompt: str) -> list[DraftStep]:
    """Split `prompt` into ordered, typed draft steps (empty list only for an empty prompt)."""
    if not isinstance(prompt, str) or not prompt.strip():
        return []
    marked = _by_markers(prompt)
    if marked:
        return marked
    has_defer = _DEFER_RE.search(prompt, 0, min(len(prompt), _HEAD)) is not None
    units, saw_error, saw_trace = _segment(prompt)
    cands = _collect(units, prompt, has_defer)
    if not cands:
        units2, _, _ = _segment(prompt, filtered=False)
        cands = _collect(units2, prompt, has_defer)
        if cands:
            units = units2
    cands = _merge(cands)
    cands = _select(cands, units)
    if saw_error and not any(c.type == "debugging" for c in cands):
        if not cands or all(c.kind in ("question", "ctx", "desire") or c.weak for c in cands):
            if units:
                cands = [c for c in cands if c.type != "analysis" or c.kind != "question"]
                cands.insert(0, _Cand("debugging", 0.8, units[0].start, units[0].end, units[0], kind="failure"))
    if not cands:
        if units:
            anchor = (units[0].start, units[0].end)
        else:
            s, e = _strip_span(prompt, 0, min(len(prompt), 200))
            anchor = (s, e) if e > s else (0, min(len(prompt), 200))
        q = any(u.question for u in units[:3])
        typ: StepType = "debugging" if saw_error else ("analysis" if q else "coding")
        return [DraftStep(id="s1", type=typ, text=prompt[anchor[0]:anchor[1]], confidence=0.6 if saw_error else 0.3,
                          start=anchor[0], end=anchor[1], signals=_signals(prompt, typ, saw_trace, set()))]
    cands = cands[:_MAX_STEPS]
    tdd = bool(_TDD_RE.search(prompt, 0, min(len(prompt), _HEAD)))
    ordered, then_edges = _order(cands, tdd)
    items = [(c.type, c.start, c.end, c.conf, tuple(sorted(_signals(prompt, c.type, saw_trace, c.signals))), c.diag)
             for c in ordered]
    return _build(prompt, items, then_edges)


def _collect(units: list[_Unit], prompt: str, has_defer: bool) -> list[_Cand]:
    cands: list[_Cand] = []
    prev: _Unit | None = None
    for u in units:
        got = _classify(u, prompt, has_defer)
        if not got and not prompt[u.start:u.end].isascii():
            got = _classify_ml(u, prompt)
        for c in got:
            # "there are two READMEs. please clean up": an objectless request continues the previous sentence
            if (c.anaphoric or (c.short and not c.typed_by_object)) and c.kind == "verb" and prev is not None \
                    and prev.para == u.para and c.cls in _OVERRIDES and c.type in _CHANGE:
                pw = [t[0] for t in prev.toks]
                d, _ = _object_domain(pw, 0, c.cls)
                if not d:
                    for k, w in enumerate(pw):
                        dk = _DOMAIN.get(w)
                        if dk in ("doc", "test", "fmt") and dk in _OVERRIDES[c.cls] and (
                                k + 1 >= len(pw) or pw[k + 1] not in _TOOL_NOUNS):
                            d = dk
                            break
                if d in ("doc", "test", "fmt"):
                    c.type = _DOMAIN_TYPE[d]
        cands.extend(got)
        prev = u
    return cands


def _signals(prompt: str, typ: str, saw_trace: bool, own: set[str]) -> tuple[str, ...]:
    if typ != "debugging":
        return ()
    sig = set(own)
    if saw_trace:
        sig.add("traceback")
    end = min(len(prompt), _HEAD)
    for name, rx in _SIGNAL_RES:
        if rx.search(prompt, 0, end):
            sig.add(name)
    return tuple(sorted(sig))


def _order(cands: list[_Cand], tdd: bool) -> tuple[list[_Cand], dict[int, int]]:
    """Execution order: default phase ranks, explicit sequence words as hard constraints."""
    n = len(cands)
    keys: list[tuple[float, float, int]] = []
    for k, c in enumerate(cands):
        rank = _RANK[c.type]
        if c.type == "testing" and tdd:
            rank = 1.5
        if c.type == "review" and (c.diag or k == 0) and n > 1:
            rank = 1.5  # a first diagnostic pass: "review my codebase ... then clean up"
        if c.type == "analysis" and c.kind == "question" and k > 0 and cands[0].type != "analysis":
            rank = 6.0  # a trailing side question
        
        group = 0.0 if c.seq == "first" else (2.0 if c.seq == "last" else 1.0)
        keys.append((group, rank, k))
    preds: dict[int, set[int]] = {k: set() for k in range(n)}
    then_src: dict[int, int] = {}
    for k in range(1, n):
        if cands[k].seq == "then" or cands[k].unit.joiner == "then":
            preds[k].add(k - 1)
            then_src[k] = k - 1
    done: list[int] = []
    left = set(range(n))
    while left:
        ready = [k for k in left if not (preds[k] & left)] or list(left)
        k = min(ready, key=lambda x: keys[x])
        done.append(k)
        left.discard(k)
    pos = {k: p for p, k in enumerate(done)}
    edges = {pos[b]: pos[a] for b, a in then_src.items() if pos[a] < pos[b]}
    return [cands[k] for k in done], edges


def _build(prompt: str, items: list, then_edges: dict[int, int]) -> list[DraftStep]:
    """Assign ids and dependencies; items are (type, start, end, conf, signals, diag) in execution order."""
    steps: list[DraftStep] = []
    types = [it[0] for it in items]
    for p, (typ, s, e, conf, signals, _diag) in enumerate(items):
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
