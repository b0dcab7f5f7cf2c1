# python3 with a script: subprocess, multiprocessing, sqlite3, json,
# needs: python3
# tempfile, os and pathlib.
set -euo pipefail
cd "$(mktemp -d)"
cat > script.py <<'END'
import json, os, pathlib, sqlite3, subprocess, sys, tempfile
import multiprocessing

def square(x):
    return x * x

if __name__ == "__main__":
    out = subprocess.run(["echo", "from", "a", "child"], capture_output=True, text=True)
    print(out.stdout.strip(), out.returncode)
    print(subprocess.run("exit 3", shell=True).returncode)
    with multiprocessing.Pool(2) as pool:
        print(pool.map(square, range(10)))
    db = sqlite3.connect("test.db")
    db.execute("create table t (k text primary key, v integer)")
    db.executemany("insert into t values (?, ?)", [(f"k{i}", i * i) for i in range(100)])
    db.commit()
    print(db.execute("select count(*), sum(v) from t").fetchone())
    db.close()
    data = {"name": "sandbox", "list": [1, 2, 3], "nested": {"ok": True}}
    text = json.dumps(data, sort_keys=True)
    print(text, json.loads(text) == data)
    with tempfile.TemporaryDirectory() as d:
        p = pathlib.Path(d) / "f.txt"
        p.write_text("hello\n")
        print(p.read_text().strip(), sorted(os.listdir(d)))
    with tempfile.NamedTemporaryFile("w+") as f:
        f.write("abc")
        f.seek(0)
        print(f.read())
    print(sorted(os.listdir(".")))
END
python3 script.py
