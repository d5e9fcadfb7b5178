Content-Length: 75

{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}Content-Length: 18446744073709551616

Content-Length: -5

Content-Length: 99999999999999999999999999

Content-Length: 44

{"jsonrpc":"2.0","id":2,"method":"shutdown"}Content-Length: 67108865

xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx