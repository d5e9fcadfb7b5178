Content-Length: 107

{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}Content-Length: 52

{"jsonrpc":"2.0","method":"initialized","params":{}}Content-Length: 631

{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric","languageId":"rubric","version":1,"text":"guideline \"fuzz-lsp\"\n  title \"A short guideline for the language server fuzzer\"\n  version \"1.0.0\"\n\nsource 1 \"A source for the fuzzer\"\n\nfact age: duration >= 0 days \"patient age\"\nfact smoker: boolean \"current smoker\"\n\nparameter elderly_age = 65 years \"age from which the risk is high\"\n\ndefine high_risk = age >= elderly_age or smoker\n  \"high risk\"\n\nrecommendation screen\n  kind order\n  text \"Offer screening.\"\n  cite 1\n  when high_risk\n"}}}Content-Length: 238

{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric","version":2},"contentChanges":[{"range":{"start":{"line":18,"character":13},"end":{"line":18,"character":14}},"text":""}]}}Content-Length: 231

{"jsonrpc":"2.0","id":2,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"range":{"start":{"line":18,"character":7},"end":{"line":18,"character":15}},"context":{"diagnostics":[]}}}Content-Length: 239

{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric","version":3},"contentChanges":[{"range":{"start":{"line":18,"character":13},"end":{"line":18,"character":13}},"text":"i"}]}}Content-Length: 158

{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"position":{"line":11,"character":28}}}Content-Length: 162

{"jsonrpc":"2.0","id":4,"method":"textDocument/completion","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"position":{"line":18,"character":7}}}Content-Length: 162

{"jsonrpc":"2.0","id":5,"method":"textDocument/definition","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"position":{"line":18,"character":8}}}Content-Length: 199

{"jsonrpc":"2.0","id":6,"method":"textDocument/references","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"position":{"line":6,"character":5},"context":{"includeDeclaration":true}}}Content-Length: 170

{"jsonrpc":"2.0","id":7,"method":"textDocument/documentHighlight","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"position":{"line":11,"character":41}}}Content-Length: 165

{"jsonrpc":"2.0","id":8,"method":"textDocument/prepareRename","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"position":{"line":9,"character":10}}}Content-Length: 178

{"jsonrpc":"2.0","id":9,"method":"textDocument/rename","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"position":{"line":9,"character":10},"newName":"old_age"}}Content-Length: 170

{"jsonrpc":"2.0","id":10,"method":"textDocument/formatting","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"options":{"tabSize":2,"insertSpaces":true}}}Content-Length: 135

{"jsonrpc":"2.0","id":11,"method":"textDocument/semanticTokens/full","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"}}}Content-Length: 130

{"jsonrpc":"2.0","id":12,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"}}}Content-Length: 115

{"jsonrpc":"2.0","method":"textDocument/didSave","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"}}}Content-Length: 116

{"jsonrpc":"2.0","method":"textDocument/didClose","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"}}}Content-Length: 45

{"jsonrpc":"2.0","id":13,"method":"shutdown"}Content-Length: 33

{"jsonrpc":"2.0","method":"exit"}