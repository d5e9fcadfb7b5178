Content-Length: 163

{"jsonrpc":"2.0","id":"before","method":"textDocument/hover","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"position":{"line":0,"character":0}}}Content-Length: 125

{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"general":{"positionEncodings":["utf-16","utf-8"]}}}}Content-Length: 58

{"jsonrpc":"2.0","id":2,"method":"initialize","params":{}}Content-Length: 649

{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric","languageId":"rubric","version":1,"text":"guideline \"fuzz-lsp\"\n  title \"A short guideline for the language server fuzzer\"\n  version \"1.0.0\"\n\nsource 1 \"A source for the fuzzer\"\n\nfact age: duration >= 0 days \"patient age\"\nfact smoker: boolean \"current smoker\"\n\nparameter elderly_age = 65 years \"age from which the risk is high\"\n\ndefine high_risk = age >= elderly_age or smoker\n  \"high risk\"\n\nrecommendation screen\n  kind order\n  text \"Offer screening (dépistage 🔍).\"\n  cite 1\n  when high_risk\n"}}}Content-Length: 62

{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":4}}Content-Length: 157

{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"position":{"line":11,"character":8}}}Content-Length: 62

{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":3}}Content-Length: 893

{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric","version":2},"contentChanges":[{"text":"guideline \"fuzz-lsp\"\n  title \"A short guideline for the language server fuzzer\"\n  version \"1.0.0\"\n\nsource 1 \"A source for the fuzzer\"\n\nfact age: duration >= 0 days \"patient age\"\nfact smoker: boolean \"current smoker\"\n\nparameter elderly_age = 65 years \"age from which the risk is high\"\n\ndefine high_risk = age >= elderly_age or smoker\n  \"high risk\"\n\nrecommendation screen\n  kind order\n  text \"Offer screening (dépistage 🔍).\"\n  cite 1\n  when high_risk\nfact unused: integer\n"},{"range":{"start":{"line":99,"character":0},"end":{"line":99,"character":5}},"text":"define unused_def = smoker\n"},{"range":{"start":{"line":6,"character":4294967295},"end":{"line":6,"character":4294967295}},"text":" "}]}}Content-Length: 200

{"jsonrpc":"2.0","id":4,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"range":{"start":{"line":0,"character":0},"end":{"line":99,"character":0}}}}Content-Length: 134

{"jsonrpc":"2.0","id":5,"method":"textDocument/semanticTokens/full","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"}}}Content-Length: 180

{"jsonrpc":"2.0","id":6,"method":"textDocument/rename","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"position":{"line":6,"character":5},"newName":"not a name"}}Content-Length: 72

{"jsonrpc":"2.0","id":7,"method":"workspace/unknownRequest","params":{}}Content-Length: 150

{"jsonrpc":"2.0","id":8,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///not/open.rubric"},"position":{"line":0,"character":0}}}Content-Length: 171

{"jsonrpc":"2.0","id":9,"method":"textDocument/completion","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"position":{"line":-1,"character":4294967296}}}Content-Length: 171

{"jsonrpc":"2.0","id":12,"method":"textDocument/formatting","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"},"options":{"tabSize":4,"insertSpaces":false}}}Content-Length: 45

{"jsonrpc":"2.0","id":10,"method":"shutdown"}Content-Length: 126

{"jsonrpc":"2.0","id":11,"method":"textDocument/formatting","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric"}}}Content-Length: 33

{"jsonrpc":"2.0","method":"exit"}