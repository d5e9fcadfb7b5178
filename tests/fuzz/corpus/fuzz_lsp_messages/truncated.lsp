Content-Length: 75

{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}Content-Length: 631

{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///fuzz/guideline.rubric","languageId":"rubric","version":1,"text":"guideline \"fuzz-lsp\"\n  title \"A short guideline for the language server fuzzer\"\n  version \"1.0.0\"\n\nsource 1 \"A source for the fuzzer\"\n\nfact age: duration >= 0 days \"patient age\"\nfact smoker: boolean \"current smoker\"\n\nparameter elderly_age = 65 years \"age from which the risk is high\"\n\ndefine high_risk = age >= elderly_age or smoker\n  \"high risk\"\n\nrecommendation screen\n  kind order\n  text \"Offer screen