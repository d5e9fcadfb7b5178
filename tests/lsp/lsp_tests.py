"""Scripted sessions with `rubric lsp` over stdio: every message the client sends and every
answer checked. Expected positions, texts and edits are written by hand from the rule files
in this folder and the contract in docs/editor.md, never copied from the server's output.

    /usr/bin/python3 tests/lsp/lsp_tests.py build/rubric REPO

Exits 0 when every check passes, 1 otherwise (each failure printed)."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import Client  # noqa: E402

BINARY = os.path.abspath(sys.argv[1])
REPO = os.path.abspath(sys.argv[2])
HERE = os.path.join(REPO, "tests", "lsp")
PAIN = open(os.path.join(HERE, "pain.rubric"), encoding="utf-8").read()
URI = "file:///work/pain.rubric"

failures = []
checks = 0


def check(condition, what, detail=None):
    global checks
    checks += 1
    if not condition:
        failures.append(what if detail is None else "%s: %r" % (what, detail))


def rng(line, start, end_line, end):
    return {"start": {"line": line, "character": start}, "end": {"line": end_line, "character": end}}


def pos(line, character):
    return {"line": line, "character": character}


def doc(uri=URI):
    return {"textDocument": {"uri": uri}}


def open_document(client, text, uri=URI, version=1):
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "rubric", "version": version, "text": text}})
    return client.diagnostics(uri, version)


def apply_edits(text, edits, encoding="utf-16"):
    """Applies LSP TextEdits (positions in `encoding`) to `text`."""
    lines = text.split("\n")

    def offset(position):
        line = position["line"]
        before = sum(len(l.encode("utf-8")) + 1 for l in lines[:line])
        line_text = lines[line] if line < len(lines) else ""
        units = 0
        for index, char in enumerate(line_text):
            if units >= position["character"]:
                return before + len(line_text[:index].encode("utf-8"))
            units += {"utf-8": len(char.encode("utf-8")), "utf-32": 1,
                      "utf-16": 2 if ord(char) > 0xFFFF else 1}[encoding]
        return before + len(line_text.encode("utf-8"))

    data = text.encode("utf-8")
    spans = sorted(((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"])
                    for e in edits), reverse=True)
    for start, end, new in spans:
        data = data[:start] + new.encode("utf-8") + data[end:]
    return data.decode("utf-8")


def codes(diagnostics):
    return sorted(d["code"] for d in diagnostics)


# ---- Lifecycle ---------------------------------------------------------------------------

def test_lifecycle():
    client = Client(BINARY)
    early = client.request("textDocument/hover", {**doc(), "position": pos(0, 0)})
    check(early.get("error", {}).get("code") == -32002, "a request before initialize",
          early)
    answer = client.initialize()
    capabilities = answer["result"]["capabilities"]
    check(capabilities["positionEncoding"] == "utf-16", "UTF-16 by default", capabilities)
    check(capabilities["textDocumentSync"]["change"] == 2, "incremental sync", capabilities)
    for provider in ["hoverProvider", "definitionProvider", "referencesProvider",
                     "documentHighlightProvider", "renameProvider", "completionProvider",
                     "documentFormattingProvider", "documentSymbolProvider",
                     "semanticTokensProvider", "codeActionProvider"]:
        check(provider in capabilities, "capability " + provider)
    check(answer["result"]["serverInfo"]["name"] == "rubric", "serverInfo", answer)
    again = client.request("initialize", {"capabilities": {}})
    check(again.get("error", {}).get("code") == -32600, "a second initialize", again)
    unknown = client.request("textDocument/inlayHint", {**doc(), "range": rng(0, 0, 1, 0)})
    check(unknown.get("error", {}).get("code") == -32601, "MethodNotFound", unknown)
    client.notify("$/setTrace", {"value": "off"})
    client.notify("workspace/didChangeConfiguration", {"settings": {}})
    shutdown = client.request("shutdown")
    check("result" in shutdown and shutdown["result"] is None, "shutdown answers null", shutdown)
    after = client.request("textDocument/hover", {**doc(), "position": pos(0, 0)})
    check(after.get("error", {}).get("code") == -32600, "a request after shutdown", after)
    client.notify("exit")
    code, _ = client.wait()
    check(code == 0, "exit after shutdown: 0", code)

    client = Client(BINARY)
    client.initialize()
    client.notify("exit")
    code, _ = client.wait()
    check(code == 1, "exit without shutdown: 1", code)

    client = Client(BINARY)
    client.initialize()
    client.process.stdin.close()
    code = client.process.wait(20)
    stderr = client.process.stderr.read().decode()
    check(code == 1, "end of input without exit: 1", code)
    check("without `exit`" in stderr, "the end of input is logged", stderr)

    for offered, chosen in [(["utf-8", "utf-16"], "utf-8"), (["utf-32", "utf-16"], "utf-32"),
                            (["utf-16"], "utf-16"), ([], "utf-16")]:
        client = Client(BINARY)
        answer = client.initialize(offered)
        got = answer["result"]["capabilities"]["positionEncoding"]
        check(got == chosen, "encoding chosen from %s" % offered, got)
        check(client.finish()[0] == 0, "finish")


# ---- Diagnostics -------------------------------------------------------------------------

MISSPELT = PAIN.replace("when severe_pain and not fever", "when severe_pain and not fevr")


def test_diagnostics():
    client = Client(BINARY, "--debounce", "50")
    client.initialize()
    published = open_document(client, MISSPELT)
    errors = [d for d in published["diagnostics"] if d["severity"] == 1]
    check(len(errors) == 1, "one error for the misspelt name", published)
    if errors:
        error = errors[0]
        check(error["code"] == "E0201", "the code", error)
        check(error["range"] == rng(21, 27, 21, 31), "the range of `fevr`", error["range"])
        check(error["source"] == "rubric", "the source", error)
        check("unknown name `fevr`" in error["message"]
              and "did you mean `fever`?" in error["message"], "the message and hint", error)
    # The fix, as an incremental change: the diagnostics are cleared.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 2},
        "contentChanges": [{"range": rng(21, 27, 21, 31), "text": "fever"}]})
    published = client.diagnostics(URI, 2)
    check(published["diagnostics"] == [], "diagnostics cleared after the fix", published)
    # A full change back to the misspelt text.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": MISSPELT}]})
    published = client.diagnostics(URI, 3)
    check(codes(published["diagnostics"]) == ["E0201"], "a full change", published)
    # Rapid edits: one publication, for the last version only.
    for version in range(4, 24):
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": URI, "version": version},
            "contentChanges": [{"range": rng(21, 27, 21, 31 if version == 4 else 32),
                                "text": "fever" if version % 2 == 0 else "feverx"}]})
    published = client.diagnostics(URI, 23)
    check(codes(published["diagnostics"]) == ["E0201"], "after rapid edits (`feverx`)", published)
    others = [n for n in client.notifications if n.get("method") == "textDocument/publishDiagnostics"]
    check(others == [], "no publication for the intermediate versions", others)
    # A syntax error: only the syntax error is reported, as `rubric check` does.
    broken = PAIN.replace("define severe_pain = pain_score >= threshold",
                          "define severe_pain = pain_score >=")
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 24}, "contentChanges": [{"text": broken}]})
    published = client.diagnostics(URI, 24)
    check([d["code"][:3] for d in published["diagnostics"]] == ["E01"],
          "a syntax error alone", published)
    # Closing clears the diagnostics.
    client.notify("textDocument/didClose", doc())
    published = client.diagnostics(URI)
    check(published["diagnostics"] == [], "didClose clears the diagnostics", published)
    gone = client.request("textDocument/hover", {**doc(), "position": pos(0, 0)})
    check(gone.get("error", {}).get("code") == -32602
          and "not open" in gone["error"]["message"], "a closed document", gone)
    # A finding with its witness (W05xx): a recommendation that can never be made.
    never = PAIN.replace("when severe_pain and fever", "when severe_pain and fever and not fever")
    published = open_document(client, never, "file:///work/never.rubric")
    findings = [d for d in published["diagnostics"] if d["code"].startswith("W05")]
    check(len(findings) >= 1 and findings[0]["severity"] == 2, "a finding", published)
    check(client.finish()[0] == 0, "finish")


# ---- Navigation --------------------------------------------------------------------------

def hover_text(client, line, character, uri=URI):
    answer = client.request("textDocument/hover", {**doc(uri), "position": pos(line, character)})
    result = answer.get("result")
    return (result or {}).get("contents", {}).get("value", ""), (result or {}).get("range"), answer


def test_navigation():
    client = Client(BINARY)
    client.initialize()
    open_document(client, PAIN)
    text, where, _ = hover_text(client, 14, 25)  # pain_score in `define severe_pain`
    check("fact pain_score: integer between 0 and 10" in text and "pain on a 0-10 scale" in text,
          "hover: a fact's type, range and description", text)
    check("No FHIR binding" in text, "hover: a fact without binding", text)
    check(where == rng(14, 21, 14, 31), "hover range", where)
    text, _, _ = hover_text(client, 21, 28)  # fever in treat_pain
    check("fact fever: boolean" in text
          and "`from Condition coded SCT '386661006' value presence`" in text,
          "hover: a fact's binding", text)
    text, _, _ = hover_text(client, 14, 40)  # threshold
    check("parameter threshold = 7" in text and "Value: `7`" in text
          and "severe pain from here" in text, "hover: a parameter's value", text)
    text, _, _ = hover_text(client, 21, 10)  # severe_pain in treat_pain
    check("define severe_pain =\n  pain_score >= threshold" in text and "Type: boolean" in text
          and "pain at or above the threshold" in text, "hover: a definition", text)
    text, _, _ = hover_text(client, 17, 20)  # treat_pain
    check("`treat_pain`: kind `prescribe`, indicator `info`" in text and "Treat the pain" in text
          and "\\[1\\] A test source" in text, "hover: a recommendation", text)
    text, _, _ = hover_text(client, 20, 7)  # `1` in `cite 1`
    check("**source 1**" in text and "A test source" in text
          and "Cited by `treat_pain`, `review_pain`" in text, "hover: a source", text)
    text, _, _ = hover_text(client, 10, 24)  # SCT in the binding
    check("codesystem SCT = 'http://snomed.info/sct'" in text, "hover: a code system", text)
    _, _, answer = hover_text(client, 18, 4)  # the keyword `kind`
    check(answer.get("result") is None, "hover on a keyword: null", answer)

    answer = client.request("textDocument/definition", {**doc(), "position": pos(27, 9)})
    check(answer.get("result") == {"uri": URI, "range": rng(14, 7, 14, 18)},
          "definition of severe_pain", answer)
    answer = client.request("textDocument/definition", {**doc(), "position": pos(26, 7)})
    check(answer.get("result") == {"uri": URI, "range": rng(4, 7, 4, 8)},
          "definition of a cited source", answer)
    uses = [rng(21, 7, 21, 18), rng(27, 7, 27, 18)]
    answer = client.request("textDocument/references", {
        **doc(), "position": pos(21, 18), "context": {"includeDeclaration": False}})
    check([r["range"] for r in answer.get("result", [])] == uses,
          "references without the declaration (cursor at the name's end)", answer)
    answer = client.request("textDocument/references", {
        **doc(), "position": pos(14, 8), "context": {"includeDeclaration": True}})
    check([r["range"] for r in answer.get("result", [])] == [rng(14, 7, 14, 18)] + uses,
          "references with the declaration", answer)
    answer = client.request("textDocument/documentHighlight", {**doc(), "position": pos(27, 7)})
    check(answer.get("result") == [{"range": rng(14, 7, 14, 18), "kind": 3},
                                   {"range": uses[0], "kind": 2}, {"range": uses[1], "kind": 2}],
          "documentHighlight", answer)
    answer = client.request("textDocument/documentSymbol", doc())
    symbols = [(s["name"], s["kind"]) for s in answer.get("result", [])]
    check(symbols == [("lsp-test", 2), ("source 1", 16), ("SCT", 3), ("pain_score", 13),
                      ("fever", 13), ("threshold", 14), ("severe_pain", 12), ("treat_pain", 24),
                      ("review_pain", 24)], "documentSymbol", symbols)
    fever = [s for s in answer.get("result", []) if s["name"] == "fever"]
    check(fever and fever[0]["range"]["start"] == pos(9, 0)
          and fever[0]["range"]["end"]["line"] == 11
          and fever[0]["selectionRange"] == rng(9, 5, 9, 10), "a symbol's ranges", fever)
    check(client.finish()[0] == 0, "finish")


# ---- Rename ------------------------------------------------------------------------------

def test_rename():
    client = Client(BINARY)
    client.initialize()
    open_document(client, PAIN)
    answer = client.request("textDocument/prepareRename", {**doc(), "position": pos(21, 9)})
    check(answer.get("result") == {"range": rng(21, 7, 21, 18), "placeholder": "severe_pain"},
          "prepareRename", answer)
    answer = client.request("textDocument/rename", {
        **doc(), "position": pos(21, 9), "newName": "strong_pain"})
    edits = answer.get("result", {}).get("changes", {}).get(URI, [])
    check(sorted((e["range"]["start"]["line"], e["range"]["start"]["character"],
                  e["range"]["end"]["character"], e["newText"]) for e in edits)
          == [(14, 7, 18, "strong_pain"), (21, 7, 18, "strong_pain"),
              (27, 7, 18, "strong_pain")], "rename edits", answer)
    renamed = apply_edits(PAIN, edits)
    check(renamed == PAIN.replace("severe_pain", "strong_pain"), "the renamed text")
    answer = client.request("textDocument/rename", {
        **doc(), "position": pos(17, 17), "newName": "pain_treatment"})
    edits = answer.get("result", {}).get("changes", {}).get(URI, [])
    check([e["range"] for e in edits] == [rng(17, 15, 17, 25)], "rename a recommendation", answer)
    refusals = [
        (pos(21, 9), "fever", "already names a fact (line 10)"),
        (pos(21, 9), "and", "`and` is a keyword"),
        (pos(21, 9), "1st", "is not a name"),
        (pos(21, 9), "has space", "is not a name"),
        (pos(17, 17), "review_pain", "already names a recommendation (line 24)"),
        (pos(21, 21), "x", "`and` is a keyword; only declared names can be renamed"),
        (pos(20, 7), "x", "renumbering sources is not a rename"),
        (pos(19, 7), "x", "no declared name at this position"),
    ]
    for position, name, reason in refusals:
        answer = client.request("textDocument/rename", {
            **doc(), "position": position, "newName": name})
        error = answer.get("error", {})
        check(error.get("code") == -32803 and reason in error.get("message", ""),
              "rename refused: %s" % reason, answer)
    answer = client.request("textDocument/prepareRename", {**doc(), "position": pos(21, 21)})
    check("keyword" in answer.get("error", {}).get("message", ""), "prepareRename on `and`",
          answer)
    # A file with syntax errors is not renamed.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 2},
        "contentChanges": [{"range": rng(25, 2, 25, 6), "text": "txet"}]})
    answer = client.request("textDocument/rename", {
        **doc(), "position": pos(21, 9), "newName": "strong_pain"})
    check("syntax errors" in answer.get("error", {}).get("message", ""),
          "no rename with syntax errors", answer)
    check(client.finish()[0] == 0, "finish")


# ---- Completion --------------------------------------------------------------------------

def labels(answer):
    return {item["label"]: item["kind"] for item in answer.get("result", {}).get("items", [])}


def test_completion():
    client = Client(BINARY)
    client.initialize()
    text = PAIN.replace("  when severe_pain and fever\n", "  when sev\n")
    open_document(client, text)
    found = labels(client.request("textDocument/completion", {**doc(), "position": pos(27, 10)}))
    check(found.get("severe_pain") == 3 and found.get("pain_score") == 6
          and found.get("fever") == 6 and found.get("threshold") == 21,
          "names in scope inside a `when`, with their kinds", found)
    check(found.get("and") == 14 and found.get("not") == 14 and found.get("Coalesce") == 3,
          "keywords and functions", found)
    check("treat_pain" not in found and "fact" not in found, "no ids or declarations", found)
    items = client.request("textDocument/completion",
                           {**doc(), "position": pos(27, 10)})["result"]["items"]
    fact = [i for i in items if i["label"] == "pain_score"]
    check(fact and fact[0].get("detail") == "fact: integer between 0 and 10"
          and fact[0].get("documentation") == "pain on a 0-10 scale", "a fact's detail", fact)
    found = labels(client.request("textDocument/completion", {**doc(), "position": pos(24, 7)}))
    check(set(found) == {"refer", "prescribe", "caution", "avoid", "therapy", "order",
                         "follow-up", "monitor", "assess"}, "recommendation kinds after `kind`",
          found)
    found = labels(client.request("textDocument/completion", {**doc(), "position": pos(26, 7)}))
    check(set(found) == {"1"}, "sources after `cite`", found)
    found = labels(client.request("textDocument/completion", {**doc(), "position": pos(16, 0)}))
    check({"fact", "parameter", "define", "recommendation", "source"} <= set(found)
          and "and" not in found, "declarations at the start of a line", found)
    found = labels(client.request("textDocument/completion", {**doc(), "position": pos(8, 17)}))
    check({"integer", "decimal", "boolean", "duration", "code"} <= set(found)
          and "pain_score" not in found, "types after `:` in a fact", found)
    found = labels(client.request("textDocument/completion", {**doc(), "position": pos(15, 10)}))
    check(found == {}, "nothing inside a text", found)
    # Units inside quotes after a number.
    with_unit = text.replace("parameter threshold = 7 ", "parameter threshold = 7 'm' ")
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": with_unit}]})
    found = labels(client.request("textDocument/completion", {**doc(), "position": pos(12, 25)}))
    check(found.get("mg") == 11 and "mmol/L" in found and "fever" not in found,
          "units after a number", found)
    # A word holding `cite` in an expression is no `cite` clause.
    recited = text.replace("  when sev\n", "  when Coalesce(recited, \n")
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": recited}]})
    found = labels(client.request("textDocument/completion", {**doc(), "position": pos(27, 25)}))
    check("pain_score" in found and "1" not in found, "names after `recited,`", found)
    check(client.finish()[0] == 0, "finish")


# ---- Formatting --------------------------------------------------------------------------

BADLY_LAID_OUT = ('guideline "fmt-test" title "Format test"   version "1"\n'
                  'source 1 "S"\n'
                  'fact a : boolean "a"\n'
                  'define b=a   or not a "b"\n'
                  'recommendation r kind refer text "R" cite 1 when b\n')
CANONICAL = ('guideline "fmt-test"\n'
             '  title "Format test"\n'
             '  version "1"\n'
             '\n'
             'source 1 "S"\n'
             'fact a: boolean "a"\n'
             '\n'
             'define b = a or not a\n'
             '  "b"\n'
             '\n'
             'recommendation r\n'
             '  kind refer\n'
             '  text "R"\n'
             '  cite 1\n'
             '  when b\n')


def test_formatting():
    client = Client(BINARY)
    client.initialize()
    uri = "file:///work/fmt.rubric"
    open_document(client, BADLY_LAID_OUT, uri)
    options = {"tabSize": 4, "insertSpaces": True}
    answer = client.request("textDocument/formatting", {**doc(uri), "options": options})
    edits = answer.get("result")
    check(isinstance(edits, list) and len(edits) == 1, "one formatting edit", answer)
    check(apply_edits(BADLY_LAID_OUT, edits or []) == CANONICAL, "the canonical layout",
          apply_edits(BADLY_LAID_OUT, edits or []))
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": CANONICAL}]})
    answer = client.request("textDocument/formatting", {**doc(uri), "options": options})
    check(answer.get("result") == [], "a canonical file: no edits", answer)
    # The canonical text but its last line break: one edit, inserting it.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 20},
        "contentChanges": [{"text": CANONICAL[:-1]}]})
    answer = client.request("textDocument/formatting", {**doc(uri), "options": options})
    check(answer.get("result") == [{"range": rng(14, 8, 14, 8), "newText": "\n"}],
          "a missing final line break", answer)
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 3},
        "contentChanges": [{"text": BADLY_LAID_OUT.replace("when b", "when (b")}]})
    answer = client.request("textDocument/formatting", {**doc(uri), "options": options})
    check(answer.get("result") == [], "a file with syntax errors: no edits", answer)
    check(client.finish()[0] == 0, "finish")


# ---- Semantic tokens ---------------------------------------------------------------------

def test_semantic_tokens():
    client = Client(BINARY)
    answer = client.initialize()
    legend = answer["result"]["capabilities"]["semanticTokensProvider"]["legend"]
    open_document(client, PAIN)
    data = client.request("textDocument/semanticTokens/full", doc())["result"]["data"]
    tokens, line, start = [], 0, 0
    for index in range(0, len(data), 5):
        delta_line, delta_start, length, kind, modifiers = data[index:index + 5]
        line += delta_line
        start = start + delta_start if delta_line == 0 else delta_start
        names = [m for bit, m in enumerate(legend["tokenModifiers"]) if modifiers & (1 << bit)]
        tokens.append((line, start, length, legend["tokenTypes"][kind], names))
    line14 = [t for t in tokens if t[0] == 14]
    check(line14 == [(14, 0, 6, "keyword", []), (14, 7, 11, "function", ["declaration"]),
                     (14, 19, 1, "operator", []), (14, 21, 10, "variable", []),
                     (14, 32, 2, "operator", []), (14, 35, 9, "parameter", ["readonly"])],
          "the tokens of `define severe_pain = pain_score >= threshold`", line14)
    check([t for t in tokens if t[0] == 15] == [(15, 2, 32, "string", [])], "a text", tokens)
    check([t for t in tokens if t[0] == 24] == [(24, 2, 4, "keyword", []),
                                                (24, 7, 9, "enumMember", [])],
          "`kind follow-up`", [t for t in tokens if t[0] == 24])
    check([t for t in tokens if t[0] == 10] == [
        (10, 2, 4, "keyword", []), (10, 7, 9, "property", []), (10, 17, 5, "keyword", []),
        (10, 23, 3, "namespace", []), (10, 27, 11, "string", [])], "a binding",
        [t for t in tokens if t[0] == 10])
    # A block comment over lines (`\r\n` in it): one token a line.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 2},
        "contentChanges": [{"text": PAIN + "/* one\r\ntwo */\n"}]})
    data = client.request("textDocument/semanticTokens/full", doc())["result"]["data"]
    check(data[-10:] == [1, 0, 6, legend["tokenTypes"].index("comment"), 0,
                         1, 0, 6, legend["tokenTypes"].index("comment"), 0],
          "a block comment over two lines", data[-10:])
    check(client.finish()[0] == 0, "finish")


# ---- Code actions ------------------------------------------------------------------------

def test_code_actions():
    client = Client(BINARY)
    client.initialize()
    open_document(client, MISSPELT)
    answer = client.request("textDocument/codeAction", {
        **doc(), "range": rng(21, 28, 21, 28), "context": {"diagnostics": []}})
    actions = answer.get("result", [])
    check(len(actions) == 1 and actions[0]["title"] == "Replace with `fever`"
          and actions[0]["kind"] == "quickfix" and actions[0].get("isPreferred") is True,
          "did you mean: a quick fix", answer)
    if actions:
        edits = actions[0]["edit"]["changes"][URI]
        check(apply_edits(MISSPELT, edits) == PAIN, "the quick fix gives the right text")
        check(actions[0]["diagnostics"][0]["code"] == "E0201", "the fixed diagnostic", actions)
    # An unused fact: removed.
    unused = PAIN.replace('parameter threshold', 'fact extra: boolean "never read"\n'
                                                 'parameter threshold')
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": unused}]})
    answer = client.request("textDocument/codeAction", {
        **doc(), "range": rng(12, 6, 12, 6), "context": {"diagnostics": []}})
    actions = answer.get("result", [])
    check([a["title"] for a in actions] == ["Remove the unused fact `extra`"],
          "remove an unused declaration", answer)
    if actions:
        edits = actions[0]["edit"]["changes"][URI]
        check(edits == [{"range": rng(12, 0, 13, 0), "newText": ""}], "the removal", edits)
    # An unused declaration sharing its line with another: only its own text goes.
    shared = PAIN.replace('parameter threshold', 'fact extra: boolean "never read" '
                                                 'parameter threshold')
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 5}, "contentChanges": [{"text": shared}]})
    answer = client.request("textDocument/codeAction", {
        **doc(), "range": rng(12, 6, 12, 6), "context": {"diagnostics": []}})
    actions = answer.get("result", [])
    check([a["title"] for a in actions] == ["Remove the unused fact `extra`"]
          and actions[0]["edit"]["changes"][URI] == [{"range": rng(12, 0, 12, 33),
                                                      "newText": ""}],
          "remove a declaration that shares its line", answer)
    answer = client.request("textDocument/codeAction", {
        **doc(), "range": rng(12, 6, 12, 6), "context": {"diagnostics": [], "only": ["refactor"]}})
    check(answer.get("result") == [], "no quick fixes when only refactorings are asked", answer)
    # A citation of a source that is not declared: add it.
    uncited = PAIN.replace("  cite 1\n  when severe_pain and fever",
                           "  cite 2\n  when severe_pain and fever")
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": uncited}]})
    answer = client.request("textDocument/codeAction", {
        **doc(), "range": rng(26, 0, 26, 8), "context": {"diagnostics": []}})
    actions = answer.get("result", [])
    check([a["title"] for a in actions] == ["Add `source 2` (then write its citation)"],
          "add a missing source", answer)
    if actions:
        edits = actions[0]["edit"]["changes"][URI]
        check(edits == [{"range": rng(5, 0, 5, 0),
                         "newText": 'source 2 "citation of source 2 to be written"\n'}],
              "the source added after the last one", edits)
    # Nothing to fix: no actions.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 4}, "contentChanges": [{"text": PAIN}]})
    answer = client.request("textDocument/codeAction", {
        **doc(), "range": rng(0, 0, 28, 0), "context": {"diagnostics": []}})
    check(answer.get("result") == [], "no actions for a clean file", answer)
    check(client.finish()[0] == 0, "finish")


# ---- Non-ASCII text: columns in each encoding --------------------------------------------

UNICODE = ('guideline "u"\n'
           '  title "Température 😀"\n'
           '  version "1"\n'
           '\n'
           'source 1 "S"\n'
           '\n'
           'fact temp: decimal "température"\n'
           'define hot = /* ü😀 */ tmep > 38\n'
           '  "hot"\n'
           '\n'
           'recommendation r\n'
           '  kind refer\n'
           '  text "R ü"\n'
           '  cite 1\n'
           '  when hot\n')


def test_unicode_columns():
    # `tmep` starts after "define hot = /* ü😀 */ ": 13 + 3 + ü + 😀 + 4 characters.
    columns = {"utf-16": (23, 27), "utf-8": (26, 30), "utf-32": (22, 26)}
    for encoding, (start, end) in columns.items():
        client = Client(BINARY)
        answer = client.initialize([encoding])
        check(answer["result"]["capabilities"]["positionEncoding"] == encoding, "encoding")
        published = open_document(client, UNICODE, "file:///work/u.rubric")
        errors = [d for d in published["diagnostics"] if d["code"] == "E0201"]
        check(len(errors) == 1 and errors[0]["range"] == rng(7, start, 7, end),
              "the range of `tmep` in %s" % encoding, published)
        # The fix, with positions in this encoding.
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": "file:///work/u.rubric", "version": 2},
            "contentChanges": [{"range": rng(7, start, 7, end), "text": "temp"}]})
        published = client.diagnostics("file:///work/u.rubric", 2)
        check(published["diagnostics"] == [], "fixed in %s" % encoding, published)
        text, where, _ = hover_text(client, 7, start + 1, "file:///work/u.rubric")
        check(where == rng(7, start, 7, end) and "fact temp: decimal" in text,
              "hover after non-ASCII text in %s" % encoding, where)
        # A position inside the emoji (UTF-16: between its two code units) and past the end
        # of the line are clamped, not trusted.
        text, where, _ = hover_text(client, 7, 400, "file:///work/u.rubric")
        check(where is None, "a position past the line's end", where)
        # A syntax error on a character of several bytes covers the whole character.
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": "file:///work/u.rubric", "version": 3},
            "contentChanges": [{"text": UNICODE + "😀\n"}]})
        published = client.diagnostics("file:///work/u.rubric", 3)
        width = {"utf-16": 2, "utf-8": 4, "utf-32": 1}[encoding]
        check([(d["code"], d["range"]) for d in published["diagnostics"]]
              == [("E0101", rng(15, 0, 15, width))], "a stray 😀 in %s" % encoding, published)
        check(client.finish()[0] == 0, "finish")


# ---- Malformed input ---------------------------------------------------------------------

def test_malformed():
    client = Client(BINARY)
    client.initialize()
    # A header that is not `Name: value`, then a valid request: answered.
    client.send_raw(b"this is not a header\r\n\r\n")
    answer = client.request("textDocument/hover", {**doc(), "position": pos(0, 0)})
    check(answer.get("error", {}).get("code") == -32602, "answered after a bad header", answer)
    # A Content-Length that is not a number.
    client.send_raw(b"Content-Length: twelve\r\n\r\n{}")
    answer = client.request("shutdown_not", {})
    check(answer.get("error", {}).get("code") == -32601, "answered after a bad length", answer)
    # Not JSON; JSON that is not an object; no method; a deep nesting; a bad id.
    for body, code in [(b"{not json", -32700), (b"[1, 2]", -32600),
                       (b'{"jsonrpc": "2.0", "id": 7}', -32600),
                       (b"[" * 100000 + b"]" * 100000, -32700),
                       (b'{"jsonrpc": "2.0", "id": [1], "method": "x"}', -32600)]:
        client.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        message = client.any_message()
        check(message.get("error", {}).get("code") == code and message.get("id") in (None, 7),
              "error %d for %r" % (code, body[:30]), message)
    # Parameters of the wrong type name the field.
    open_document(client, PAIN)
    answer = client.request("textDocument/hover", {**doc(), "position": {"line": -1,
                                                                        "character": 0}})
    check(answer.get("error", {}).get("code") == -32602
          and "`params.position.line` must be a non-negative integer" in answer["error"]["message"],
          "InvalidParams names the field", answer)
    answer = client.request("textDocument/hover", {"textDocument": {}, "position": pos(0, 0)})
    check("`params.textDocument.uri` is missing" in answer.get("error", {}).get("message", ""),
          "a missing uri", answer)
    # A change list with a malformed change after a good one: nothing applied.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 2},
        "contentChanges": [{"range": rng(0, 0, 0, 0), "text": "// inserted\n"},
                           {"range": rng(0, 0, 0, 0)}]})
    text, where, _ = hover_text(client, 14, 25)
    check(where == rng(14, 21, 14, 31) and "fact pain_score" in text,
          "a malformed change list changes nothing", (where, text))
    # A lone UTF-16 surrogate escaped by a JavaScript client: read as U+FFFD.
    body = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": URI, "version": 3},
        "contentChanges": [{"text": "// \ud800 x\n" + PAIN}]}}, ensure_ascii=True).encode()
    check(b"\\ud800" in body, "the test sends the escape")
    client.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    text, where, _ = hover_text(client, 15, 25)
    check(where == rng(15, 21, 15, 31) and "fact pain_score" in text,
          "a lone surrogate does not lose the change", (where, text))
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 4}, "contentChanges": [{"text": PAIN}]})
    # A message split into pieces, one of them a single byte.
    body = json.dumps({"jsonrpc": "2.0", "id": 900, "method": "textDocument/hover",
                       "params": {**doc(), "position": pos(14, 25)}}).encode()
    frame = b"Content-Length: %d\r\n\r\n" % len(body) + body
    for piece in [frame[:7], frame[7:8], frame[8:40], frame[40:]]:
        client.send_raw(piece)
        time.sleep(0.02)
    answer = client.response(900)
    check("fact pain_score" in answer.get("result", {}).get("contents", {}).get("value", ""),
          "a message read in pieces", answer)
    # A message longer than the limit (64 MiB) is skipped without being held; then the next.
    size = 64 * 1024 * 1024 + 10
    client.send_raw(b"Content-Length: %d\r\n\r\n" % size)
    chunk = b"x" * (1 << 20)
    sent = 0
    while sent < size:
        piece = chunk[:min(len(chunk), size - sent)]
        client.send_raw(piece)
        sent += len(piece)
    answer = client.request("textDocument/hover", {**doc(), "position": pos(14, 25)})
    check("fact pain_score" in answer.get("result", {}).get("contents", {}).get("value", ""),
          "answered after an overlong message", answer)
    # Cancelled in the same batch: RequestCancelled.
    first = json.dumps({"jsonrpc": "2.0", "id": 901, "method": "textDocument/documentSymbol",
                        "params": doc()}).encode()
    cancel = json.dumps({"jsonrpc": "2.0", "method": "$/cancelRequest",
                         "params": {"id": 901}}).encode()
    client.send_raw(b"".join(b"Content-Length: %d\r\n\r\n" % len(b) + b for b in [first, cancel]))
    answer = client.response(901)
    check(answer.get("error", {}).get("code") == -32800, "a cancelled request", answer)
    # A document larger than the parser's limit (16 MiB): not followed, and said so.
    big = "// " + "x" * (17 * 1024 * 1024) + "\n"
    published = open_document(client, big, "file:///work/big.rubric")
    check(len(published["diagnostics"]) == 1
          and "larger than 16777216 bytes" in published["diagnostics"][0]["message"],
          "a document too large", published)
    answer = client.request("textDocument/hover", {**doc("file:///work/big.rubric"),
                                                   "position": pos(0, 0)})
    check("error" not in answer and answer.get("result") is None,
          "requests about it get empty answers (no error shown at every cursor move)", answer)
    answer = client.request("textDocument/rename", {**doc("file:///work/big.rubric"),
                                                    "position": pos(0, 0), "newName": "x"})
    check(answer.get("error", {}).get("code") == -32803
          and "larger than" in answer["error"]["message"], "a rename says why not", answer)
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": "file:///work/big.rubric", "version": 2},
        "contentChanges": [{"range": rng(0, 0, 0, 0), "text": "x"}]})
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": "file:///work/big.rubric", "version": 3},
        "contentChanges": [{"text": PAIN}]})
    published = client.diagnostics("file:///work/big.rubric", 3)
    check(published["diagnostics"] == [], "followed again after a whole text", published)
    code, stderr = client.finish()
    check(code == 0, "finish after malformed input", code)
    check("is not `Name: value`" in stderr and "is not a number of bytes" in stderr
          and "longer than the limit" in stderr, "framing errors logged on stderr", stderr)


def test_exit_in_a_batch():
    # shutdown, exit and a request read together: nothing after `exit` is answered.
    client = Client(BINARY)
    client.initialize()
    frames = [json.dumps(m).encode() for m in [
        {"jsonrpc": "2.0", "id": 50, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
        {"jsonrpc": "2.0", "id": 51, "method": "textDocument/documentSymbol", "params": doc()}]]
    client.send_raw(b"".join(b"Content-Length: %d\r\n\r\n" % len(f) + f for f in frames))
    answer = client.response(50)
    check("result" in answer, "shutdown answered", answer)
    code, _ = client.wait()
    check(code == 0 and client.buffer == b"", "exit 0 and nothing answered after `exit`",
          (code, client.buffer))


def main():
    tests = [test_lifecycle, test_diagnostics, test_navigation, test_rename, test_completion,
             test_formatting, test_semantic_tokens, test_code_actions, test_unicode_columns,
             test_malformed, test_exit_in_a_batch]
    for test in tests:
        before = len(failures)
        try:
            test()
        except Exception as error:  # a hang (TimeoutError) or a crash fails the test
            failures.append("%s: %s: %s" % (test.__name__, type(error).__name__, error))
        status = "ok" if len(failures) == before else "FAILED"
        print("%-24s %s" % (test.__name__, status))
    for failure in failures:
        print("FAIL:", failure)
    print("%d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
