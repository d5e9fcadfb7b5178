content-length: 75

{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}Content-Length: 0

Content-Length: 52

{"jsonrpc":"2.0","method":"initialized","params":{}}Content-Type: application/vscode-jsonrpc; charset=utf-8
Content-Length: 44

{"jsonrpc":"2.0","id":2,"method":"shutdown"}

Content-Length: 33

{"jsonrpc":"2.0","method":"exit"}