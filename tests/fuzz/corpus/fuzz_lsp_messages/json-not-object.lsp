Content-Length: 7

[1,2,3]Content-Length: 2

42Content-Length: 12

"initialize"Content-Length: 4

nullContent-Length: 1

{Content-Length: 24

{"jsonrpc":"2.0","id":1,Content-Length: 258

[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]Content-Length: 0

Content-Length: 2

ÿþContent-Length: 75

{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}Content-Length: 46

{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}Content-Length: 47

{"jsonrpc":"2.0","id":null,"method":"shutdown"}Content-Length: 46

{"jsonrpc":"2.0","id":[1],"method":"shutdown"}Content-Length: 35

{"jsonrpc":"2.0","id":2,"method":7}Content-Length: 24

{"jsonrpc":"2.0","id":3}Content-Length: 36

{"jsonrpc":"2.0","id":4,"result":{}}Content-Length: 57

{"jsonrpc":"2.0","id":5,"error":{"code":1,"message":"m"}}Content-Length: 66

{"jsonrpc":"2.0","id":6,"method":"textDocument/hover","params":[]}Content-Length: 85

{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":1}}}Content-Length: 63

{"jsonrpc":"2.0","id":"\u00e9\ud83d\ude00","method":"shutdown"}Content-Length: 56

{"jsonrpc":"2.0","id":-9223372036854775808,"method":"x"}Content-Length: 56

{"jsonrpc":"2.0","id":18446744073709551615,"method":"x"}Content-Length: 33

{"jsonrpc":"2.0","method":"exit"}