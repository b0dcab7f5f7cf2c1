# python3 -m http.server on 127.0.0.1 in the background, fetched with
# needs: python3
# urllib (a file, a directory listing, a 404) and with a raw socket.
set -euo pipefail
cd "$(mktemp -d)"
mkdir www
printf 'hello over loopback\n' > www/hello.txt
head -c 200000 /dev/zero | tr '\0' 'x' > www/big.txt
# Port 0: the server picks one and says which on its first line.
python3 -u -m http.server --bind 127.0.0.1 --directory www 0 > server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    grep -q "Serving HTTP" server.log 2>/dev/null && break
    sleep 0.1
done
port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' server.log | head -1)
python3 - "$port" <<'END'
import socket, sys, urllib.error, urllib.request
port = int(sys.argv[1])
base = f"http://127.0.0.1:{port}"
with urllib.request.urlopen(f"{base}/hello.txt") as r:
    print(r.status, r.headers["Content-Type"], r.read().decode().strip())
with urllib.request.urlopen(f"{base}/big.txt") as r:
    body = r.read()
    print(r.status, len(body), set(body) == {ord("x")})
with urllib.request.urlopen(f"{base}/") as r:
    listing = r.read().decode()
    print(r.status, "hello.txt" in listing, "big.txt" in listing)
try:
    urllib.request.urlopen(f"{base}/missing")
except urllib.error.HTTPError as e:
    print("missing:", e.code)
with socket.create_connection(("127.0.0.1", port)) as s:
    s.sendall(b"HEAD /hello.txt HTTP/1.0\r\n\r\n")
    head = b""
    while chunk := s.recv(4096):
        head += chunk
    print(head.split(b"\r\n")[0].decode())
END
