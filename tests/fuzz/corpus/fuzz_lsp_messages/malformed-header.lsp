Content-Length 12

{"jsonrpc":1}Content-Length: 75

{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}X-Header-Without-Colon
Content-Length: 2

{}Content-Length: 12x

Content-Length: 

Content-Type: application/vscode-jsonrpc

{}Content-Length: 52
Content-Type: application/vscode-jsonrpc; charset=latin1

{"jsonrpc":"2.0","method":"initialized","params":{}}: value

CONTENT-LENGTH: 44

{"jsonrpc":"2.0","id":2,"method":"shutdown"}Bad header line

garbage garbage content-length: 33

{"jsonrpc":"2.0","method":"exit"}